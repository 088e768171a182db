/**
 * What the engine sends through. `applyPlan` hands each wave of ready steps to one Executor and does not know which
 * kind it is: the EOA executor sends; the Safe proposer writes a proposal; the timelock executor schedules, then
 * executes once the delay is over. A RoutingExecutor puts them behind one face, choosing by each step's `from`.
 */
import { getAddress, isAddress } from "ethers";
import { CutoverInputError } from "../errors.js";
import type { TxFields } from "./journal.js";
import type { TxOutcome, TxReceiptSummary, TxRequest } from "./executor-eoa.js";
import type { Proposal } from "./proposal.js";

/** A step its authority has yet to execute: proposed (Safe), or scheduled and waiting for its delay (timelock). */
export interface AwaitingOutcome {
  stepId: string;
  awaiting: Proposal;
  /** Why it waits, for people: "Safe 0x… nonce 3: 2 signatures needed", "executable in 47 h 59 min". */
  note: string;
  /** A transaction this invocation sent to get there (the scheduleBatch), if any. */
  receipt?: TxReceiptSummary;
}

export type WaveOutcome = TxOutcome | AwaitingOutcome;

export interface Executor {
  /** One outcome per request, in request order. `onSent` is called with each broadcast transaction's hash. */
  sendWave(requests: TxRequest[], onSent: (stepId: string, hash: string) => void): Promise<WaveOutcome[]>;
  /** Settles a transaction an earlier process journaled but never saw mined (see EoaExecutor.recover). */
  recover(stepId: string, tx: TxFields, hash: string | undefined): Promise<TxOutcome | "dropped">;
}

/** Journal step ids of transactions an executor sends on its own behalf (scheduleBatch, executeBatch), not a plan step's. */
export const EXECUTOR_STEP_PREFIX = "executor:";

export function isAwaiting(outcome: WaveOutcome): outcome is AwaitingOutcome {
  return "awaiting" in outcome;
}

/**
 * Routes each request by its sender: to the executor registered for that account (a Safe, a timelock), else to the
 * fallback (the EOA executor). The fallback's transactions go first, then each authority's in turn, never two at
 * once: a timelock schedules through the same signer, whose nonces must not be taken twice.
 */
export class RoutingExecutor implements Executor {
  readonly #routes: Map<string, Executor>;

  constructor(
    private readonly fallback: Executor,
    routes: Record<string, Executor>,
  ) {
    this.#routes = new Map(Object.entries(routes).map(([account, executor]) => [account.toLowerCase(), executor]));
  }

  async sendWave(requests: TxRequest[], onSent: (stepId: string, hash: string) => void): Promise<WaveOutcome[]> {
    const groups = new Map<Executor, number[]>([[this.fallback, []]]);
    requests.forEach((request, i) => {
      const executor = this.#routes.get(request.from.toLowerCase()) ?? this.fallback;
      groups.set(executor, [...(groups.get(executor) ?? []), i]);
    });
    const outcomes: WaveOutcome[] = new Array(requests.length);
    for (const [executor, indexes] of groups) {
      if (indexes.length === 0) continue;
      const results = await executor.sendWave(indexes.map((i) => requests[i]), onSent);
      indexes.forEach((index, k) => (outcomes[index] = results[k]));
    }
    return outcomes;
  }

  recover(stepId: string, tx: TxFields, hash: string | undefined): Promise<TxOutcome | "dropped"> {
    return this.fallback.recover(stepId, tx, hash);
  }
}

/** Which executor a task runs with, from `--executor eoa|safe|timelock`, `--safe <address>`, `--timelock <address>`. */
export interface ExecutorChoice {
  kind: "eoa" | "safe" | "timelock";
  safe?: string;
  timelock?: string;
  /** Schedules and executes timelock batches, and is named as the Safe proposal's creator (default: the first account). */
  signer?: string;
}

function address(input: string, value: string): string | undefined {
  if (!value) return undefined;
  if (!isAddress(value)) throw new CutoverInputError(input, value, "give a 0x-prefixed 20-byte address");
  return getAddress(value);
}

export function parseExecutorChoice(args: { executor?: string; safe?: string; timelock?: string }): ExecutorChoice {
  const kind = args.executor || "eoa";
  if (kind !== "eoa" && kind !== "safe" && kind !== "timelock") {
    throw new CutoverInputError("--executor", kind, "use --executor eoa (send from the configured accounts), --executor safe --safe <address> or --executor timelock --timelock <address>");
  }
  const choice: ExecutorChoice = { kind, safe: address("--safe", args.safe ?? ""), timelock: address("--timelock", args.timelock ?? "") };
  if (kind === "safe" && !choice.safe) throw new CutoverInputError("--safe", "", "--executor safe needs the Safe's address: --safe 0x…");
  if (kind === "timelock" && !choice.timelock) throw new CutoverInputError("--timelock", "", "--executor timelock needs the TimelockController's address: --timelock 0x…");
  return choice;
}

/** Accounts besides the signer that may hold a step's permission: the Safe and the timelock given. */
export function authorities(choice: ExecutorChoice | undefined): string[] {
  return [choice?.safe, choice?.timelock].filter((a): a is string => a !== undefined);
}
