import { getCreateAddress } from "ethers";
import type { ContractCatalog } from "./contracts.js";
import { resolveCreate2Addresses } from "./create2.js";
import type { ChainProvider, TxRequest } from "./executor-eoa.js";
import { EXECUTOR_STEP_PREFIX, isAwaiting, type Executor, type WaveOutcome } from "./executor.js";
import type { Proposal } from "./proposal.js";
import { Reader } from "./reader.js";
import type { RunStore, StepJournal } from "./run-store.js";
import { Addresses, allDone, buildTransaction, dependentsOf, stepsDone } from "./step-done.js";
import type { Plan, Step } from "./types.js";

// What reads a step's effect lives in step-done.ts; exported here too for callers that import it from apply.
export {
  actionDone,
  Addresses,
  buildTransaction,
  checkHolds,
  finishedSteps,
  stepDone,
  stepsDone,
} from "./step-done.js";

/** "awaiting": proposed to (or scheduled on) its authority, or waiting for a step that is; neither sent nor failed. */
export type StepStatus = "already done" | "done" | "not needed" | "failed" | "blocked" | "awaiting";

const FINISHED: StepStatus[] = ["already done", "done", "not needed"];

export interface StepResult {
  id: string;
  label: string;
  status: StepStatus;
  txHash?: string;
  block?: number;
  gasUsed?: string;
  reason?: string;
  /** Sent by this invocation (not by an earlier one). */
  sentNow?: boolean;
  /** Id of the proposal (safeTxHash, timelock operation id) an awaiting step is part of. */
  proposal?: string;
}

export interface ApplyReport {
  planId: string;
  complete: boolean;
  results: StepResult[];
  /** Addresses of everything the plan deployed, by record name. */
  deployed: Record<string, string>;
  transactionsSent: number;
  /** Nothing failed, but some steps wait for their authority (a Safe's owners, a timelock's delay). */
  awaiting: boolean;
  /** The proposals the awaiting steps are part of, in the order they were made. */
  proposals: Proposal[];
}

export interface Progress {
  done: number;
  total: number;
  step: string;
  hash?: string;
}

export interface ApplyContext {
  plan: Plan;
  store: RunStore;
  catalog: ContractCatalog;
  provider: ChainProvider;
  executor: Executor;
  onProgress?: (progress: Progress) => void;
}

/**
 * Applies a plan: in dependency waves, skipping every step already on chain, settling transactions an earlier process
 * left in flight (awaited or re-broadcast, never re-sent with a new nonce), and sending the rest. A failed step blocks
 * the steps that depend on it; independent steps go on.
 */
export async function applyPlan(ctx: ApplyContext): Promise<ApplyReport> {
  const { plan, store, catalog, provider } = ctx;
  let journal = store.stepJournal();
  const addresses = new Addresses(journaledDeployments(plan, journal), catalog).confirm(journal);
  addresses.proposedSince = plan.observedBlock;
  await resolveCreate2Addresses(plan, addresses, catalog);
  const tally = new Tally(plan.steps.length, ctx.onProgress);
  if (await recoverInFlight(ctx, journal, addresses, tally)) addresses.confirm((journal = store.stepJournal()));

  for (;;) {
    settleDependents(plan, tally);
    const ready = plan.steps.filter(
      (step) => !tally.results.has(step.id) && step.dependsOn.every((d) => tally.finished(d)),
    );
    if (ready.length === 0) break;
    const reader = new Reader(provider, catalog, await provider.getBlockNumber());
    await resolveCreate2Addresses(plan, addresses, catalog);
    const wave = await prepareWave(ctx, ready, reader, addresses, journal, tally);
    if (wave.length === 0) continue;
    const outcomes = await ctx.executor.sendWave(
      wave.map((w) => w.request),
      (stepId, hash) => tally.report(wave.find((w) => w.step.id === stepId)?.step ?? wave[0].step, hash),
    );
    await recordOutcomes(ctx, wave, outcomes, addresses, tally);
  }

  const ordered = plan.steps.map((step) => tally.results.get(step.id)!);
  const complete = ordered.every((r) => FINISHED.includes(r.status));
  const awaiting = !complete && ordered.every((r) => FINISHED.includes(r.status) || r.status === "awaiting");
  if (complete && !store.isComplete(plan.id))
    store.journal.append({ type: "complete", planId: plan.id, at: new Date().toISOString() });
  return {
    planId: plan.id,
    complete,
    results: ordered,
    deployed: addresses.deployed,
    transactionsSent: tally.sentHashes.size,
    awaiting,
    proposals: [...tally.proposals.values()],
  };
}

/** What one applyPlan call has found out so far: each step's result, the proposals made, the transactions sent. */
class Tally {
  readonly results = new Map<string, StepResult>();
  readonly proposals = new Map<string, Proposal>();
  /** Transactions this invocation sent (one executeBatch may carry several steps: counted once). */
  readonly sentHashes = new Set<string>();

  constructor(
    private readonly total: number,
    private readonly onProgress?: (progress: Progress) => void,
  ) {}

  record(result: StepResult): void {
    this.results.set(result.id, result);
  }

  report(step: Step, hash?: string): void {
    this.onProgress?.({ done: this.results.size, total: this.total, step: step.label, hash });
  }

  finished(stepId: string): boolean {
    return FINISHED.includes(this.results.get(stepId)?.status ?? "blocked");
  }
}

/** Where the plan's CREATE deployments are, as far as the journal knows: mined (its receipt) or sent (from the nonce). */
function journaledDeployments(plan: Plan, journal: StepJournal): Record<string, string> {
  const deployed: Record<string, string> = { ...plan.known };
  for (const step of plan.steps) {
    if (step.kind !== "deploy" || step.create2) continue;
    const receipt = journal.receipts.get(step.id);
    const sent = journal.lastSend.get(step.id);
    if (receipt?.contractAddress) deployed[step.record] = receipt.contractAddress;
    else if (sent) deployed[step.record] = getCreateAddress({ from: sent.from, nonce: BigInt(sent.nonce) });
  }
  return deployed;
}

/**
 * Settles the transactions an earlier process sent (or was about to send) and never saw confirmed, in nonce order:
 * the plan's own, and those an executor sent on its behalf (a timelock's scheduleBatch / executeBatch). Returns
 * whether there were any (the journal then has new entries).
 */
async function recoverInFlight(
  ctx: ApplyContext,
  journal: StepJournal,
  addresses: Addresses,
  tally: Tally,
): Promise<boolean> {
  const stepsById = new Map(ctx.plan.steps.map((step) => [step.id, step]));
  const inFlight = [...journal.lastSend.keys()]
    .filter((id) => (stepsById.has(id) || id.startsWith(EXECUTOR_STEP_PREFIX)) && !journal.receipts.has(id))
    .sort((a, b) => Number(BigInt(journal.lastSend.get(a)!.nonce) - BigInt(journal.lastSend.get(b)!.nonce)));
  for (const id of inFlight) {
    const step = stepsById.get(id);
    if (step) tally.report(step);
    const outcome = await ctx.executor.recover(id, journal.lastSend.get(id)!, journal.hashes.get(id));
    if (outcome === "dropped") continue;
    if (step && "receipt" in outcome && outcome.receipt.contractAddress && step.kind === "deploy")
      addresses.deployed[step.record] = outcome.receipt.contractAddress;
  }
  return inFlight.length > 0;
}

/** Steps that cannot go on this time: after a failure they are blocked; after an awaiting step they wait too. */
function settleDependents(plan: Plan, tally: Tally): void {
  for (let changed = true; changed;) {
    changed = false;
    for (const step of plan.steps) {
      if (tally.results.has(step.id)) continue;
      const statuses = step.dependsOn.map((d) => tally.results.get(d)?.status);
      const status: StepStatus | undefined = statuses.some((s) => s === "failed" || s === "blocked")
        ? "blocked"
        : statuses.some((s) => s === "awaiting")
          ? "awaiting"
          : undefined;
      if (!status) continue;
      tally.record({
        id: step.id,
        label: step.label,
        status,
        reason: `waits for ${step.dependsOn.filter((d) => !tally.finished(d)).join(", ")}`,
      });
      changed = true;
    }
  }
}

/** The transactions of the ready steps not already on chain (or no longer needed); those settle here without one. */
async function prepareWave(
  ctx: ApplyContext,
  ready: Step[],
  reader: Reader,
  addresses: Addresses,
  journal: StepJournal,
  tally: Tally,
): Promise<{ step: Step; request: TxRequest }[]> {
  const dependents = dependentsOf(ctx.plan.steps);
  const enabled = ready.filter((s) => s.temporary).flatMap((s) => dependents.get(s.id) ?? []);
  const done = await stepsDone(reader, [...new Set([...ready, ...enabled])], addresses);
  const wave: { step: Step; request: TxRequest }[] = [];
  const building: Promise<void>[] = [];
  for (const step of ready) {
    if (step.temporary && allDone(dependents.get(step.id), done)) {
      tally.record({ id: step.id, label: step.label, status: "not needed", reason: "every step it enables is done" });
      tally.report(step);
      continue;
    }
    if (done.get(step.id)) {
      const receipt = journal.receipts.get(step.id);
      tally.record({
        id: step.id,
        label: step.label,
        status: receipt ? "done" : "already done",
        txHash: receipt?.hash,
        block: receipt?.blockNumber,
        gasUsed: receipt?.gasUsed,
      });
      tally.report(step, receipt?.hash);
      continue;
    }
    const entry = { step, request: undefined as unknown as TxRequest };
    wave.push(entry);
    building.push(
      buildTransaction(step, reader, addresses, ctx.catalog).then(
        (request) => void (entry.request = request),
        (error: Error) => {
          wave.splice(wave.indexOf(entry), 1);
          tally.record({ id: step.id, label: step.label, status: "failed", reason: error.message });
        },
      ),
    );
  }
  await Promise.all(building);
  return wave;
}

/** Each sent step's result: failed, awaiting its authority, or done once its effect is read back on chain. */
async function recordOutcomes(
  ctx: ApplyContext,
  wave: { step: Step; request: TxRequest }[],
  outcomes: WaveOutcome[],
  addresses: Addresses,
  tally: Tally,
): Promise<void> {
  const after = new Reader(ctx.provider, ctx.catalog, await ctx.provider.getBlockNumber());
  const mined: Step[] = [];
  for (const [i, outcome] of outcomes.entries()) {
    if ("error" in outcome || isAwaiting(outcome)) continue;
    const step = wave[i].step;
    if (step.kind === "deploy" && !step.create2 && outcome.receipt.contractAddress)
      addresses.deployed[step.record] = outcome.receipt.contractAddress;
    if (outcome.receipt.status !== 1) continue;
    addresses.confirmed.set(step.id, wave[i].request);
    mined.push(step);
  }
  const done = await stepsDone(after, mined, addresses);
  for (const [i, outcome] of outcomes.entries()) {
    const step = wave[i].step;
    if ("error" in outcome) {
      tally.record({ id: step.id, label: step.label, status: "failed", reason: outcome.error });
      continue;
    }
    if (isAwaiting(outcome)) {
      if (outcome.receipt) tally.sentHashes.add(outcome.receipt.hash);
      tally.proposals.set(outcome.awaiting.id, outcome.awaiting);
      tally.record({
        id: step.id,
        label: step.label,
        status: "awaiting",
        reason: outcome.note,
        proposal: outcome.awaiting.id,
      });
      tally.report(step);
      continue;
    }
    const { receipt } = outcome;
    tally.sentHashes.add(receipt.hash);
    const base = {
      id: step.id,
      label: step.label,
      txHash: receipt.hash,
      block: receipt.blockNumber,
      gasUsed: receipt.gasUsed,
    };
    if (receipt.status !== 1) tally.record({ ...base, status: "failed", reason: "transaction reverted" });
    else if (!done.get(step.id))
      tally.record({ ...base, status: "failed", reason: "mined, but its effect is not on chain" });
    else tally.record({ ...base, status: "done", sentNow: true });
    tally.report(step, receipt.hash);
  }
}
