import { getCreateAddress } from "ethers";
import type { ContractCatalog } from "./contracts.js";
import { create2DeployCall, initCode, resolveCreate2Addresses } from "./create2.js";
// The CREATE2 and bytecode helpers live in create2.ts; exported here too for callers that import them from apply.
import type { ChainProvider, TxRequest } from "./executor-eoa.js";
import { EXECUTOR_STEP_PREFIX, isAwaiting, type Executor, type WaveOutcome } from "./executor.js";
import { canonicalJson, isEncoded, isRef } from "./plan.js";
import { executedCalls } from "./proposal-executed.js";
import type { Proposal } from "./proposal.js";
import { normalize, Reader } from "./reader.js";
import type { RunStore, StepJournal } from "./run-store.js";
import type { CallAction, CallSpec, Plan, ReadCheck, Step, Value } from "./types.js";

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

/** Resolves plan references against what has been deployed so far, and encodes `$encode` calldata. */
export class Addresses {
  /**
   * What the journal shows mined successfully, by step id (the call as sent): the only evidence for an action the
   * chain cannot confirm (no done check, e.g. a setter without a getter).
   */
  readonly confirmed = new Map<string, { to?: string; data: string }>();
  /** Each step's last proposal to a Safe or a timelock, and the block from which its execution is looked for. */
  readonly proposed = new Map<string, Proposal>();
  proposedSince = 0;

  constructor(
    readonly deployed: Record<string, string>,
    readonly catalog?: ContractCatalog,
  ) {}

  /** Remembers the sends of `journal` whose receipts succeeded. */
  confirm(journal: StepJournal): this {
    for (const [id, receipt] of journal.receipts) {
      const sent = journal.lastSend.get(id);
      if (receipt.status === 1 && sent) this.confirmed.set(id, sent);
    }
    for (const [id, proposal] of journal.proposals ?? []) this.proposed.set(id, proposal);
    return this;
  }

  /** Loads the ABIs that `$encode` values inside `value` need, so `resolve` can encode synchronously. */
  async prepare(value: Value): Promise<void> {
    if (isEncoded(value)) {
      await this.catalog!.iface(value.$encode.contract);
      for (const arg of value.$encode.args) await this.prepare(arg);
    } else if (Array.isArray(value)) for (const v of value) await this.prepare(v);
    else if (value !== null && typeof value === "object" && !isRef(value))
      for (const v of Object.values(value)) await this.prepare(v);
  }

  has(value: Value): boolean {
    if (isRef(value)) return this.deployed[value.$ref] !== undefined;
    if (isEncoded(value)) return value.$encode.args.every((v) => this.has(v));
    if (Array.isArray(value)) return value.every((v) => this.has(v));
    if (value !== null && typeof value === "object") return Object.values(value).every((v) => this.has(v));
    return true;
  }

  resolve(value: Value): unknown {
    if (isRef(value)) {
      const address = this.deployed[value.$ref];
      if (!address) throw new Error(`${value.$ref} is not deployed yet`);
      return address;
    }
    if (isEncoded(value)) {
      const { contract, fn, args } = value.$encode;
      return this.catalog!.loadedIface(contract).encodeFunctionData(
        fn,
        args.map((a) => this.resolve(a)),
      );
    }
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value !== null && typeof value === "object")
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v)]));
    return value;
  }

  call(spec: CallSpec): { to: string; args: unknown[] } {
    return { to: this.resolve(spec.to) as string, args: spec.args.map((a) => this.resolve(a)) };
  }
}

/** True when the view call returns the expected value. A reference not yet deployed means "not done". */
export async function checkHolds(reader: Reader, check: ReadCheck, addresses: Addresses): Promise<boolean> {
  if (!addresses.has(check.read.to) || !check.read.args.every((a) => addresses.has(a)) || !addresses.has(check.equals))
    return false;
  const { to, args } = addresses.call(check.read);
  const returned = await reader.tryCall({ to, contract: check.read.contract, fn: check.read.fn, args });
  const actual = check.pick === undefined || !Array.isArray(returned) ? returned : returned[check.pick];
  if (actual === undefined) return false;
  return canonicalJson(normalize(actual)) === canonicalJson(normalize(addresses.resolve(check.equals)));
}

/** Its checks are read side by side (one batch with every other read started in the same turn). */
export async function actionDone(reader: Reader, action: CallAction, addresses: Addresses): Promise<boolean> {
  const holds = await Promise.all(action.done.map((check) => checkHolds(reader, check, addresses)));
  return action.done.length > 0 && holds.every(Boolean);
}

/**
 * An action without a done check is done only when the step's journaled, successful transaction was sent straight to
 * its target and carries its exact calldata (alone, or inside a multicall) — or the Safe / timelock proposal the
 * journal holds for the step was executed with that call: never sent twice, never assumed.
 */
async function sentAndMined(reader: Reader, step: Step, action: CallAction, addresses: Addresses): Promise<boolean> {
  const sent = addresses.confirmed.get(step.id);
  const proposal = addresses.proposed.get(step.id);
  if ((!sent?.to && !proposal) || !addresses.has(action.call.to) || !action.call.args.every((a) => addresses.has(a)))
    return false;
  await addresses.prepare(action.call.args);
  const { to, args } = addresses.call(action.call);
  const data = (await addresses.catalog!.iface(action.call.contract)).encodeFunctionData(action.call.fn, args);
  const carries = (call: { to?: string; data: string }) =>
    call.to?.toLowerCase() === to.toLowerCase() && call.data.toLowerCase().includes(data.slice(2).toLowerCase());
  if (sent && carries(sent)) return true;
  return (await executedCalls(reader, proposal, addresses.proposedSince)).some(carries);
}

export async function stepDone(reader: Reader, step: Step, addresses: Addresses): Promise<boolean> {
  if (step.kind === "presigned") return reader.hasCode(step.address);
  if (step.kind === "deploy") {
    const address = addresses.deployed[step.record];
    return address !== undefined && (await reader.hasCode(address));
  }
  const done = await Promise.all(
    step.actions.map((action) =>
      action.done.length === 0 ? sentAndMined(reader, step, action, addresses) : actionDone(reader, action, addresses),
    ),
  );
  return done.every(Boolean);
}

/**
 * Whether each step's effect is on chain, read for all of them at once (their reads join one batch): by step id. A
 * step whose dependencies are not done is read too; callers decide in plan order what that means.
 */
export async function stepsDone(reader: Reader, steps: Step[], addresses: Addresses): Promise<Map<string, boolean>> {
  const done = await Promise.all(steps.map((step) => stepDone(reader, step, addresses)));
  return new Map(steps.map((step, i) => [step.id, done[i]]));
}

/** Steps already on chain (or, for a temporary step, no longer needed), given what is known to be deployed. */
export async function finishedSteps(
  plan: Pick<Plan, "steps"> & Partial<Pick<Plan, "observedBlock">>,
  reader: Reader,
  known: Record<string, string>,
  catalog: ContractCatalog,
  journal?: StepJournal,
): Promise<{ finished: Set<string>; addresses: Addresses }> {
  const addresses = new Addresses({ ...known }, catalog);
  if (journal) addresses.confirm(journal);
  addresses.proposedSince = plan.observedBlock ?? 0;
  await resolveCreate2Addresses(plan, addresses, catalog);
  const done = await stepsDone(reader, plan.steps, addresses);
  const dependents = dependentsOf(plan.steps);
  // In plan order, and only after what it depends on: a renounce "holds" before the grant it undoes was even sent.
  const finished = new Set<string>();
  for (const step of plan.steps) {
    if (!step.dependsOn.every((d) => finished.has(d))) continue;
    if (done.get(step.id)) finished.add(step.id);
    else if (step.temporary && allDone(dependents.get(step.id), done)) finished.add(step.id);
  }
  return { finished, addresses };
}

/** Each step's dependents, by step id (one pass, not a scan of the plan per step). */
function dependentsOf(steps: Step[]): Map<string, Step[]> {
  const dependents = new Map<string, Step[]>();
  for (const step of steps)
    for (const d of step.dependsOn) {
      const list = dependents.get(d);
      if (list) list.push(step);
      else dependents.set(d, [step]);
    }
  return dependents;
}

/** A temporary step is no longer needed once every step it enables is done (and it enables some). */
function allDone(dependents: Step[] | undefined, done: Map<string, boolean>): boolean {
  return dependents !== undefined && dependents.length > 0 && dependents.every((s) => done.get(s.id));
}

/** The transaction for a step, leaving out actions already on chain (a batch may be partly done). */
export async function buildTransaction(
  step: Step,
  reader: Reader,
  addresses: Addresses,
  catalog: ContractCatalog,
): Promise<TxRequest> {
  if (step.kind === "presigned") {
    const presigned = { deployer: step.deployer, funding: step.funding, rawTransaction: step.rawTransaction };
    return { stepId: step.id, from: step.from, to: step.deployer, data: "0x", value: BigInt(step.funding), presigned };
  }
  if (step.kind === "deploy") {
    const code = await initCode(step, addresses, catalog);
    if (!step.create2) return { stepId: step.id, from: step.from, data: code, value: 0n };
    const { to, data } = create2DeployCall(step.create2, code, addresses);
    return { stepId: step.id, from: step.from, to, data, value: 0n };
  }
  const remaining: CallAction[] = [];
  for (const action of step.actions) if (!(await actionDone(reader, action, addresses))) remaining.push(action);
  for (const action of remaining) await addresses.prepare(action.call.args);
  const encoded = await Promise.all(
    remaining.map(async (action) => {
      const { to, args } = addresses.call(action.call);
      return { to, data: (await catalog.iface(action.call.contract)).encodeFunctionData(action.call.fn, args) };
    }),
  );
  if (encoded.length === 1)
    return { stepId: step.id, from: step.from, to: encoded[0].to, data: encoded[0].data, value: 0n };
  const target = remaining[0].call;
  const data = (await catalog.iface(target.contract)).encodeFunctionData("multicall", [encoded.map((e) => e.data)]);
  return { stepId: step.id, from: step.from, to: encoded[0].to, data, value: 0n };
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
