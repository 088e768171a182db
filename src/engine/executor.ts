/**
 * What the engine sends through. `applyPlan` hands each wave of ready steps to one Executor and does not know which
 * kind it is: the EOA executor sends; the Safe proposer writes a proposal; the timelock executor schedules, then
 * executes once the delay is over. A RoutingExecutor puts them behind one face, choosing by each step's `from`.
 */
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
      const results = await executor.sendWave(
        indexes.map((i) => requests[i]),
        onSent,
      );
      indexes.forEach((index, k) => (outcomes[index] = results[k]));
    }
    return outcomes;
  }

  recover(stepId: string, tx: TxFields, hash: string | undefined): Promise<TxOutcome | "dropped"> {
    return this.fallback.recover(stepId, tx, hash);
  }
}
