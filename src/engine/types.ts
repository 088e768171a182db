/**
 * The engine's vocabulary. Every state-changing task builds a Plan of Steps from what it observed; the engine applies
 * it. Plans are plain JSON: addresses not known at plan time (contracts the plan itself deploys) appear as references
 * and are resolved while applying.
 */
import type { Provider } from "ethers";

/** An ethers provider that also takes raw JSON-RPC requests (hardhat-ethers' provider, or a JsonRpcProvider). */
export type ChainProvider = Provider & { send(method: string, params?: unknown[]): Promise<any> };

/** The address of a contract this plan (or an earlier run of it) deployed, by its record name, e.g. "CoreVault". */
export interface Ref {
  $ref: string;
}

/** Calldata for a call, encoded when the plan is applied (so its arguments may hold references). */
export interface Encoded {
  $encode: { contract: string; fn: string; args: Value[] };
}

export type Value = string | number | boolean | null | Ref | Encoded | Value[] | { [key: string]: Value };

/** One contract function call. `contract` names the artifact whose ABI encodes it; `fn` is a name or a signature. */
export interface CallSpec {
  to: string | Ref;
  contract: string;
  fn: string;
  args: Value[];
}

/** Holds when the view call returns `equals` (addresses compared case-insensitively, numbers as decimal strings). */
export interface ReadCheck {
  read: CallSpec;
  equals: Value;
  /** Compare only this output of a view returning several (e.g. the vault in an OrderBook's `marketStatic()`). */
  pick?: number;
}

export interface CallAction {
  call: CallSpec;
  /** The action's effect is on chain when every check holds. */
  done: ReadCheck[];
}

interface StepBase {
  /** Stable id, unique in the plan, e.g. "grant:SETTLEMENT_ROLE:0xabc…". */
  id: string;
  /** What an operator reads in the plan and the progress line. */
  label: string;
  /** The account that must send it. */
  from: string;
  /** Ids of steps that must be confirmed before this one is sent. */
  dependsOn: string[];
  /** Keys of observed facts this step changes: drift on them is expected, not refused. */
  writes: string[];
  /**
   * Only enables the steps that depend on it (e.g. a role the sender holds just long enough to grant another role):
   * once all of those are done it is not needed, even though a later step undid its effect.
   */
  temporary?: boolean;
}

export interface DeployStep extends StepBase {
  kind: "deploy";
  /** Record name the deployed address is known by (and written under in deployments/). */
  record: string;
  /** Artifact name. */
  contract: string;
  args: Value[];
  libraries: Record<string, string>;
  /**
   * Deploy through the deterministic-deployment proxy (calldata `salt ++ initCode`) instead of from the sender: the
   * address depends only on the proxy, the salt and the code, so every run and every network gets the same one.
   */
  create2?: { factory: string | Ref; salt: string };
}

export interface CallStep extends StepBase {
  kind: "call";
  /** One action is sent as a plain call; several are sent as one `multicall(bytes[])` to their common target. */
  actions: CallAction[];
}

/**
 * Installs a contract from a transaction signed elsewhere, by a one-time account (the CREATE2 proxy's deployment): the
 * sender first tops that account up to `funding` wei, then the raw transaction is broadcast as is. It can land once
 * only (its signer's nonce 0), so sending it again is harmless; done when `address` has code.
 */
export interface PresignedStep extends StepBase {
  kind: "presigned";
  address: string;
  deployer: string;
  funding: string;
  rawTransaction: string;
}

export type Step = DeployStep | CallStep | PresignedStep;

/** What a plan was computed from: named facts read at one block. */
export interface Observation {
  chainId: number;
  block: number;
  facts: Record<string, string>;
}

export interface Plan {
  /** keccak256 of the plan's canonical content (task, chain, facts, steps): same inputs, same id. */
  id: string;
  task: string;
  /** Names the run this plan belongs to; a rerun of the same command finds it by this key. */
  runKey: string;
  network: string;
  chainId: number;
  /** The block the facts were read at (informational: not part of the id). */
  observedBlock: number;
  facts: Record<string, string>;
  /** Addresses of contracts an earlier run of this plan already deployed, by record name. */
  known: Record<string, string>;
  steps: Step[];
  /** Free-form notes the plan states plainly to the operator (e.g. "future markets must use the new factory"). */
  notes: string[];
  /** Names shown instead of opaque values when the plan is printed, e.g. role ids -> "SETTLEMENT_ROLE". */
  labels: Record<string, string>;
  /** What the plan covers beyond its steps, for readers of the run (e.g. which markets move to which vault). */
  scope?: Record<string, Value>;
}
