// Whether a step's effect is on chain, read through the Reader: the plan's references resolved against what is
// deployed, each action's done checks (or, without one, the journaled transaction or proposal that carried its call),
// and the transaction a step still needs.
import type { ContractCatalog } from "./contracts.js";
import { create2DeployCall, initCode, resolveCreate2Addresses } from "./create2.js";
import type { TxRequest } from "./executor-eoa.js";
import { canonicalJson, isEncoded, isRef } from "./plan.js";
import { executedCalls } from "./proposal-executed.js";
import type { Proposal } from "./proposal.js";
import { normalize, Reader } from "./reader.js";
import type { StepJournal } from "./run-store.js";
import type { CallAction, CallSpec, Plan, ReadCheck, Step, Value } from "./types.js";

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
export function dependentsOf(steps: Step[]): Map<string, Step[]> {
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
export function allDone(dependents: Step[] | undefined, done: Map<string, boolean>): boolean {
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
