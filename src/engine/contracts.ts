import { Interface, type InterfaceAbi } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { Artifact } from "hardhat/types/artifacts";
import { loadArtifact } from "../artifacts.js";
import { CutoverInputError } from "../errors.js";
import { profileErrors } from "../profile/errors.js";

/** OpenZeppelin's common errors, so a revert of a contract known only by signatures still reads as its error. */
const COMMON_ERRORS = [
  "error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)",
  "error AccessControlBadConfirmation()",
  "error EnforcedPause()",
  "error ExpectedPause()",
  "error OwnableUnauthorizedAccount(address account)",
];

/**
 * A contract given as a human-readable ABI instead of an artifact name, as protocol profiles give it:
 * "<Label>: function f(…) …; function g(…)". The label is only what people read.
 */
export function isSignatureContract(contract: string): boolean {
  return contract.includes("(");
}

function signatureAbi(contract: string): string[] {
  const body = contract.replace(/^\w+: /, "");
  return [...body.split(";").map((s) => s.trim()), ...COMMON_ERRORS];
}

/** The name people read for a contract: the artifact name, or a signature contract's label. */
export function contractLabel(contract: string): string {
  return isSignatureContract(contract) ? (/^(\w+): /.exec(contract)?.[1] ?? "contract") : contract;
}

/** Artifacts and ABIs by contract name, loaded once per run. */
export class ContractCatalog {
  readonly #artifacts = new Map<string, Promise<Artifact>>();
  readonly #loaded = new Map<string, Interface>();
  #protocolErrors?: Promise<string[]>;

  constructor(private readonly hre: HardhatRuntimeEnvironment) {}

  artifact(name: string): Promise<Artifact> {
    let loading = this.#artifacts.get(name);
    if (!loading) {
      loading = loadArtifact(this.hre, name);
      this.#artifacts.set(name, loading);
    }
    return loading;
  }

  /**
   * An artifact the project itself must have (e.g. what the new vault is deployed from): never the plugin's bundled
   * mock. Missing, it is an input error naming `input`, the config key that names it.
   */
  async projectArtifact(name: string, input: string): Promise<Artifact> {
    if (!(await this.hre.artifacts.artifactExists(name)))
      throw new CutoverInputError(
        input,
        name,
        `this project has no artifact by that name; compile the contract (npx hardhat build) or set ${input} to the name of the artifact to deploy`,
      );
    return this.artifact(name);
  }

  async iface(name: string): Promise<Interface> {
    let loaded = this.#loaded.get(name);
    if (!loaded) {
      loaded = new Interface(
        isSignatureContract(name)
          ? [...signatureAbi(name), ...(await this.protocolErrors())]
          : ((await this.artifact(name)).abi as InterfaceAbi),
      );
      this.#loaded.set(name, loaded);
    }
    return loaded;
  }

  /** The protocol profile's custom errors (declared, and in its artifacts): a signature contract's reverts decode. */
  protocolErrors(): Promise<string[]> {
    const profile = this.hre.config.cutover?.protocol;
    this.#protocolErrors ??= profile
      ? profileErrors(profile, async (name) => (await this.artifact(name)).abi as InterfaceAbi)
      : Promise.resolve([]);
    return this.#protocolErrors;
  }

  /** An interface already loaded by `iface` (for synchronous encoding). */
  loadedIface(name: string): Interface {
    const loaded = this.#loaded.get(name);
    if (!loaded) throw new Error(`ABI of ${name} is not loaded`);
    return loaded;
  }
}
