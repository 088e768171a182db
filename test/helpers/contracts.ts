import { Contract, type ContractRunner } from "ethers";
import hre from "hardhat";
import { loadArtifact } from "../../src/artifacts.js";

/** `at(name, address, runner?)`: the contract of that compiled artifact at `address`, on `runner` (default: `defaultRunner`). */
export function contractAt(defaultRunner: ContractRunner) {
  return async (name: string, address: string, runner: ContractRunner = defaultRunner): Promise<Contract> =>
    new Contract(address, (await loadArtifact(hre, name)).abi, runner);
}
