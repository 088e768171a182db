// Brings hardhat-ethers' `connection.ethers` into the types of every module that imports this file, and declares the
// plugin's `cutover` config key.
import "@nomicfoundation/hardhat-ethers";
import type { CutoverConfig, CutoverUserConfig } from "./config.js";

declare module "hardhat/types/config" {
  interface HardhatUserConfig {
    cutover?: CutoverUserConfig;
  }
  interface HardhatConfig {
    cutover: CutoverConfig;
  }
}
