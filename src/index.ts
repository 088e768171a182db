import { task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";
import type { HardhatPlugin } from "hardhat/types/plugins";

const deploySystem = task("mocks:deploy-system", "Stand up a production-like legacy system (USDC, vault, libraries, hub, factory, markets, users) and write its records")
  .addOption({ name: "markets", type: ArgumentType.INT, defaultValue: 20, description: "How many markets (OrderBook diamonds) the factory creates. Example: --markets 200" })
  .addOption({ name: "users", type: ArgumentType.INT, defaultValue: 6, description: "How many users get deposits and open positions in several markets. Example: --users 10" })
  .addOption({ name: "factory", type: ArgumentType.STRING, defaultValue: "updatable", description: "Factory version: 'updatable' (admin can repoint its vault) or 'immutable'. Example: --factory immutable" })
  .addOption({ name: "seed", type: ArgumentType.STRING, defaultValue: "cutover", description: "Seed for the deterministic choice of symbols, users' sizes and prices. Example: --seed demo-1" })
  .addFlag({ name: "json", description: "Print the inventory as JSON instead of a table" })
  .setAction(() => import("../tasks/deploy-system.js"))
  .build();

const demo = task("cutover:demo", "The main job on the embedded in-process chain: deploy the production-like system and print its inventory")
  .addOption({ name: "markets", type: ArgumentType.INT, defaultValue: 20, description: "How many markets to create. Example: --markets 50" })
  .setAction(() => import("../tasks/demo.js"))
  .build();

const cutoverPlugin: HardhatPlugin = {
  id: "hardhat-cutover",
  npmPackage: "hardhat-cutover",
  dependencies: () => [import("@nomicfoundation/hardhat-ethers")],
  tasks: [deploySystem, demo],
};

export default cutoverPlugin;
