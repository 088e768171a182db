import { Interface, type InterfaceAbi } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { Artifact } from "hardhat/types/artifacts";
import { loadArtifact } from "../artifacts.js";

/** Artifacts and ABIs by contract name, loaded once per run. */
export class ContractCatalog {
  readonly #artifacts = new Map<string, Promise<Artifact>>();

  constructor(private readonly hre: HardhatRuntimeEnvironment) {}

  artifact(name: string): Promise<Artifact> {
    let loading = this.#artifacts.get(name);
    if (!loading) {
      loading = loadArtifact(this.hre, name);
      this.#artifacts.set(name, loading);
    }
    return loading;
  }

  async iface(name: string): Promise<Interface> {
    return new Interface((await this.artifact(name)).abi as InterfaceAbi);
  }
}
