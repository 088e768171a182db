import { Interface, type InterfaceAbi } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { Artifact } from "hardhat/types/artifacts";
import { loadArtifact } from "../artifacts.js";

/** Artifacts and ABIs by contract name, loaded once per run. */
export class ContractCatalog {
  readonly #artifacts = new Map<string, Promise<Artifact>>();
  readonly #loaded = new Map<string, Interface>();

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
    let loaded = this.#loaded.get(name);
    if (!loaded) {
      loaded = new Interface((await this.artifact(name)).abi as InterfaceAbi);
      this.#loaded.set(name, loaded);
    }
    return loaded;
  }

  /** An interface already loaded by `iface` (for synchronous encoding). */
  loadedIface(name: string): Interface {
    const loaded = this.#loaded.get(name);
    if (!loaded) throw new Error(`ABI of ${name} is not loaded`);
    return loaded;
  }
}
