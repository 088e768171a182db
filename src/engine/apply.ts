import { getCreateAddress } from "ethers";
import type { ContractCatalog } from "./contracts.js";
import { create2DeployCall, initCode, resolveCreate2Addresses } from "./create2.js";
// The CREATE2 and bytecode helpers live in create2.ts; exported here too for callers that import them from apply.
export { linkBytecode, resolveCreate2Addresses } from "./create2.js";
import type { ChainProvider, TxRequest } from "./executor-eoa.js";
import { EXECUTOR_STEP_PREFIX, isAwaiting, type Executor, type WaveOutcome } from "./executor.js";
import type { JournalEntry, RunStore, TxFields } from "./journal.js";
import { canonicalJson, isEncoded, isRef } from "./plan.js";
import type { Proposal } from "./proposal.js";
import { normalize, Reader } from "./reader.js";
import type { CallAction, CallSpec, DeployStep, Plan, ReadCheck, Step, Value } from "./types.js";

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
  constructor(
    readonly deployed: Record<string, string>,
    readonly catalog?: ContractCatalog,
  ) {}

  /** Loads the ABIs that `$encode` values inside `value` need, so `resolve` can encode synchronously. */
  async prepare(value: Value): Promise<void> {
    if (isEncoded(value)) {
      await this.catalog!.iface(value.$encode.contract);
      for (const arg of value.$encode.args) await this.prepare(arg);
    } else if (Array.isArray(value)) for (const v of value) await this.prepare(v);
    else if (value !== null && typeof value === "object" && !isRef(value)) for (const v of Object.values(value)) await this.prepare(v);
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
      return this.catalog!.loadedIface(contract).encodeFunctionData(fn, args.map((a) => this.resolve(a)));
    }
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v)]));
    return value;
  }

  call(spec: CallSpec): { to: string; args: unknown[] } {
    return { to: this.resolve(spec.to) as string, args: spec.args.map((a) => this.resolve(a)) };
  }
}

/** True when the view call returns the expected value. A reference not yet deployed means "not done". */
export async function checkHolds(reader: Reader, check: ReadCheck, addresses: Addresses): Promise<boolean> {
  if (!addresses.has(check.read.to) || !check.read.args.every((a) => addresses.has(a)) || !addresses.has(check.equals)) return false;
  const { to, args } = addresses.call(check.read);
  const actual = await reader.tryCall({ to, contract: check.read.contract, fn: check.read.fn, args });
  if (actual === undefined) return false;
  return canonicalJson(normalize(actual)) === canonicalJson(normalize(addresses.resolve(check.equals)));
}

export async function actionDone(reader: Reader, action: CallAction, addresses: Addresses): Promise<boolean> {
  for (const check of action.done) if (!(await checkHolds(reader, check, addresses))) return false;
  return action.done.length > 0;
}

export async function stepDone(reader: Reader, step: Step, addresses: Addresses): Promise<boolean> {
  if (step.kind === "deploy") {
    const address = addresses.deployed[step.record];
    return address !== undefined && (await reader.hasCode(address));
  }
  for (const action of step.actions) if (!(await actionDone(reader, action, addresses))) return false;
  return true;
}

/** Steps already on chain (or, for a temporary step, no longer needed), given what is known to be deployed. */
export async function finishedSteps(plan: Pick<Plan, "steps">, reader: Reader, known: Record<string, string>, catalog: ContractCatalog): Promise<{ finished: Set<string>; addresses: Addresses }> {
  const addresses = new Addresses({ ...known }, catalog);
  await resolveCreate2Addresses(plan, addresses, catalog);
  // In plan order, and only after what it depends on: a renounce "holds" before the grant it undoes was even sent.
  const finished = new Set<string>();
  for (const step of plan.steps) {
    if (!step.dependsOn.every((d) => finished.has(d))) continue;
    if (await stepDone(reader, step, addresses)) finished.add(step.id);
    else if (step.temporary && (await dependentsDone(plan, step, reader, addresses))) finished.add(step.id);
  }
  return { finished, addresses };
}

async function dependentsDone(plan: Pick<Plan, "steps">, step: Step, reader: Reader, addresses: Addresses): Promise<boolean> {
  const dependents = plan.steps.filter((s) => s.dependsOn.includes(step.id));
  for (const dependent of dependents) if (!(await stepDone(reader, dependent, addresses))) return false;
  return dependents.length > 0;
}

/** The transaction for a step, leaving out actions already on chain (a batch may be partly done). */
export async function buildTransaction(step: Step, reader: Reader, addresses: Addresses, catalog: ContractCatalog): Promise<TxRequest> {
  if (step.kind === "deploy") {
    const code = await initCode(step, addresses, catalog);
    if (!step.create2) return { stepId: step.id, from: step.from, data: code, value: 0n };
    const { to, data } = await create2DeployCall(step.contract, step.create2, code, addresses, catalog);
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
  if (encoded.length === 1) return { stepId: step.id, from: step.from, to: encoded[0].to, data: encoded[0].data, value: 0n };
  const target = remaining[0].call;
  const data = (await catalog.iface(target.contract)).encodeFunctionData("multicall", [encoded.map((e) => e.data)]);
  return { stepId: step.id, from: step.from, to: encoded[0].to, data, value: 0n };
}

/** What the journal says about each step: its last send, hash and receipt. */
function journalState(entries: JournalEntry[]) {
  const lastSend = new Map<string, TxFields>();
  const hashes = new Map<string, string>();
  const receipts = new Map<string, Extract<JournalEntry, { type: "receipt" }>>();
  for (const entry of entries) {
    if (entry.type === "send") {
      lastSend.set(entry.stepId, entry.tx);
      hashes.delete(entry.stepId);
      receipts.delete(entry.stepId);
    } else if (entry.type === "sent") hashes.set(entry.stepId, entry.hash);
    else if (entry.type === "receipt") receipts.set(entry.stepId, entry);
  }
  return { lastSend, hashes, receipts };
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
  const { plan, store, catalog, provider, executor } = ctx;
  let state = journalState(store.journal.entries());
  const deployed: Record<string, string> = { ...plan.known };
  for (const step of plan.steps) {
    if (step.kind !== "deploy") continue;
    const receipt = state.receipts.get(step.id);
    const sent = state.lastSend.get(step.id);
    if (step.create2) continue;
    if (receipt?.contractAddress) deployed[step.record] = receipt.contractAddress;
    else if (sent) deployed[step.record] = getCreateAddress({ from: sent.from, nonce: BigInt(sent.nonce) });
  }
  const addresses = new Addresses(deployed, catalog);
  await resolveCreate2Addresses(plan, addresses, catalog);
  const results = new Map<string, StepResult>();
  const proposals = new Map<string, Proposal>();
  const total = plan.steps.length;
  // Transactions this invocation sent (one executeBatch may carry several steps: counted once).
  const sentHashes = new Set<string>();
  const report = (step: Step, hash?: string) => ctx.onProgress?.({ done: results.size, total, step: step.label, hash });
  const record = (result: StepResult) => results.set(result.id, result);
  const freshReader = async () => new Reader(provider, catalog, await provider.getBlockNumber());

  // Transactions an earlier process sent (or was about to send) and never saw confirmed, in nonce order: the plan's
  // own, and those an executor sent on its behalf (a timelock's scheduleBatch / executeBatch).
  const stepsById = new Map(plan.steps.map((step) => [step.id, step]));
  const inFlight = [...state.lastSend.keys()]
    .filter((id) => (stepsById.has(id) || id.startsWith(EXECUTOR_STEP_PREFIX)) && !state.receipts.has(id))
    .sort((a, b) => Number(BigInt(state.lastSend.get(a)!.nonce) - BigInt(state.lastSend.get(b)!.nonce)));
  for (const id of inFlight) {
    const step = stepsById.get(id);
    if (step) report(step);
    const outcome = await executor.recover(id, state.lastSend.get(id)!, state.hashes.get(id));
    if (outcome === "dropped") continue;
    if (step && "receipt" in outcome && outcome.receipt.contractAddress && step.kind === "deploy") deployed[step.record] = outcome.receipt.contractAddress;
  }
  if (inFlight.length > 0) state = journalState(store.journal.entries());

  /** Steps that cannot go on this time: after a failure they are blocked; after an awaiting step they wait too. */
  const settleDependents = () => {
    for (let changed = true; changed; ) {
      changed = false;
      for (const step of plan.steps) {
        if (results.has(step.id)) continue;
        const statuses = step.dependsOn.map((d) => results.get(d)?.status);
        const status: StepStatus | undefined = statuses.some((s) => s === "failed" || s === "blocked") ? "blocked" : statuses.some((s) => s === "awaiting") ? "awaiting" : undefined;
        if (!status) continue;
        record({ id: step.id, label: step.label, status, reason: `waits for ${step.dependsOn.filter((d) => !FINISHED.includes(results.get(d)?.status ?? "blocked")).join(", ")}` });
        changed = true;
      }
    }
  };

  for (;;) {
    settleDependents();
    const ready = plan.steps.filter((step) => !results.has(step.id) && step.dependsOn.every((d) => FINISHED.includes(results.get(d)?.status ?? "blocked")));
    if (ready.length === 0) break;

    const reader = await freshReader();
    await resolveCreate2Addresses(plan, addresses, catalog);
    const wave: { step: Step; request: TxRequest }[] = [];
    for (const step of ready) {
      if (step.temporary && (await dependentsDone(plan, step, reader, addresses))) {
        record({ id: step.id, label: step.label, status: "not needed", reason: "every step it enables is done" });
        report(step);
        continue;
      }
      if (await stepDone(reader, step, addresses)) {
        const receipt = state.receipts.get(step.id);
        record({ id: step.id, label: step.label, status: receipt ? "done" : "already done", txHash: receipt?.hash, block: receipt?.blockNumber, gasUsed: receipt?.gasUsed });
        report(step, receipt?.hash);
        continue;
      }
      try {
        wave.push({ step, request: await buildTransaction(step, reader, addresses, catalog) });
      } catch (error) {
        record({ id: step.id, label: step.label, status: "failed", reason: (error as Error).message });
      }
    }
    if (wave.length === 0) continue;

    const outcomes: WaveOutcome[] = await executor.sendWave(
      wave.map((w) => w.request),
      (stepId, hash) => report(wave.find((w) => w.step.id === stepId)?.step ?? wave[0].step, hash),
    );
    const after = await freshReader();
    for (const [i, outcome] of outcomes.entries()) {
      const step = wave[i].step;
      if ("error" in outcome) {
        record({ id: step.id, label: step.label, status: "failed", reason: outcome.error });
        continue;
      }
      if (isAwaiting(outcome)) {
        if (outcome.receipt) sentHashes.add(outcome.receipt.hash);
        proposals.set(outcome.awaiting.id, outcome.awaiting);
        record({ id: step.id, label: step.label, status: "awaiting", reason: outcome.note, proposal: outcome.awaiting.id });
        report(step);
        continue;
      }
      const { receipt } = outcome;
      sentHashes.add(receipt.hash);
      if (step.kind === "deploy" && !step.create2 && receipt.contractAddress) deployed[step.record] = receipt.contractAddress;
      const base = { id: step.id, label: step.label, txHash: receipt.hash, block: receipt.blockNumber, gasUsed: receipt.gasUsed };
      if (receipt.status !== 1) record({ ...base, status: "failed", reason: "transaction reverted" });
      else if (!(await stepDone(after, step, addresses))) record({ ...base, status: "failed", reason: "mined, but its effect is not on chain" });
      else record({ ...base, status: "done", sentNow: true });
      report(step, receipt.hash);
    }
  }

  const ordered = plan.steps.map((step) => results.get(step.id)!);
  const complete = ordered.every((r) => FINISHED.includes(r.status));
  const awaiting = !complete && ordered.every((r) => FINISHED.includes(r.status) || r.status === "awaiting");
  if (complete && !store.isComplete(plan.id)) store.journal.append({ type: "complete", planId: plan.id, at: new Date().toISOString() });
  return { planId: plan.id, complete, results: ordered, deployed, transactionsSent: sentHashes.size, awaiting, proposals: [...proposals.values()] };
}

