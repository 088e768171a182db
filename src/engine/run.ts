import { createInterface } from "node:readline/promises";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { HardhatPluginError } from "@nomicfoundation/hardhat-errors";
import { DriftError, InputsChangedError, PLUGIN_ID, TamperedRunError } from "../errors.js";
import { planHeading, renderPlanSummary } from "../report/plan-summary.js";
import { renderTable } from "../report/table.js";
import { applyPlan, finishedSteps, type Addresses, type ApplyReport, type Progress } from "./apply.js";
import { ContractCatalog } from "./contracts.js";
import type { ChainProvider } from "./executor-eoa.js";
import { armFaults, type FaultInjection } from "./faults.js";
import type { ExecutorChoice } from "./authority.js";
import { RunStore } from "./run-store.js";
import { canonicalJson, describeStep, driftBetween, makePlan } from "./plan.js";
import { isLocalNetwork, localMulticall3 } from "./local-chain.js";
import { buildExecutor, rehearsalSenders } from "./run-executor.js";
import { Reader } from "./reader.js";
import { retryConnectionReads } from "./rpc-retry.js";
import type { Plan, Step, Value } from "./types.js";
import { sendingOrder } from "./waves.js";
import "../type-extensions.js";

export interface RunOptions {
  planOnly: boolean;
  replan: boolean;
  yes: boolean;
  /** Send independent steps back-to-back (default) or one at a time. */
  pipeline: boolean;
  confirmations: number;
  /**
   * Steps whose `from` is the Safe or the timelock given here go to that authority (a proposal, a scheduled batch)
   * instead of being sent; the rest are sent from the network's accounts. Default: send everything.
   */
  executor?: ExecutorChoice;
  onProgress?: (progress: Progress) => void;
  /** Crash tests: die right after the Nth journal write or broadcast. */
  fault?: FaultInjection;
  /** Print every call of the plan (default: a summary, alike steps on one line). */
  verbose?: boolean;
  /** Where the plan and results are printed; silent when undefined. */
  print?: (text: string) => void;
  /**
   * A rehearsal on a throwaway copy of `network`: the plan is that network's (same id), the run's files are kept apart
   * from the real run's, and every sender is impersonated (`impersonate` makes the accounts able to send there).
   */
  rehearsal?: { network: string; impersonate(accounts: string[]): Promise<void> };
  /** Called with the plan before anything is sent (not with --plan-only): may refuse, e.g. an unrehearsed plan. */
  beforeSend?: (plan: Plan, store: RunStore) => void | Promise<void>;
  /**
   * Before anything is sent (not with --plan-only): the steps still to send simulated as a whole, in the order they will
   * be sent (`sendingOrder`: wave by wave, sender by sender); throws when one would revert. The gas each step used
   * there, by step id, becomes its gas limit (undefined: estimate as usual).
   */
  simulate?: PlanSimulation;
}

/** What the whole-plan simulation is given: the plan, the steps still to send, and where the chain stood. */
export type PlanSimulation = (input: {
  conn: NetworkConnection;
  plan: Plan;
  pending: Step[];
  addresses: Addresses;
  block: number;
}) => Promise<Record<string, bigint> | undefined>;

/** Gas limits from the gas a simulation used: a margin for refunds, the 63/64 rule and state that moved since. */
export function gasLimitsFrom(gasUsed: Record<string, bigint>): Record<string, bigint> {
  return Object.fromEntries(Object.entries(gasUsed).map(([id, gas]) => [id, (gas * 13n) / 10n + 20_000n]));
}

/** What a planner computes from an observation: the engine wraps it into a Plan (task, run, chain, facts, known). */
export interface PlanBody {
  steps: Step[];
  notes?: string[];
  labels?: Record<string, string>;
}

/** A body that also says what the plan covers beyond its steps (Plan.scope), e.g. the markets a run moves. */
export interface ScopedPlanBody extends PlanBody {
  scope?: Record<string, Value>;
}

/** What a planner reads at the pinned block: named facts (drift is checked on them) and the state it plans from. */
export interface Observed<S> {
  facts: Record<string, string>;
  state: S;
}

/**
 * What a task supplies to the engine: how to observe the chain and how to turn an observation into steps. `plan` reads
 * nothing from the chain and keeps nothing: the same state and facts give the same steps, so a stored plan can be
 * re-planned from its facts with the same function.
 */
export interface Planner<S = unknown> {
  task: string;
  runKey: string;
  observe(reader: Reader): Promise<Observed<S>>;
  /** `known`: addresses an earlier run of this plan deployed, by record name. */
  plan(
    state: S,
    facts: Record<string, string>,
    known: Record<string, string>,
  ): ScopedPlanBody | Promise<ScopedPlanBody>;
  /**
   * For plans that are a diff against state the plan itself changes (e.g. role holders): when a stored plan is checked
   * against the options, plan from the facts it recorded (drift has already shown the others unchanged).
   */
  planFromStoredFacts?: boolean;
  /** Refuses (throws) before anything is sent when a precondition does not hold for a step still to send. */
  preflight?(plan: Plan, reader: Reader, pending: Step[], addresses: Addresses): Promise<void>;
}

export interface RunOutcome<S = unknown> {
  plan: Plan;
  /** What this invocation observed. */
  state: S;
  planFile: string;
  /** Undefined with --plan-only. */
  report?: ApplyReport;
  /**
   * True when the run is complete and its records are not yet written (this invocation finished it, or an earlier one
   * was killed before its records were written): write them now, then call `markRecorded`.
   */
  completedNow: boolean;
  /** Journals that the completed run's records and app config are written. */
  markRecorded(): void;
  /** Steps already on chain when the plan was shown. */
  alreadyDone: string[];
}

/** The Plan wrapper around a planner's steps: everything but the id. */
export function planContent(
  meta: Pick<Plan, "task" | "runKey" | "network" | "chainId" | "observedBlock" | "facts" | "known">,
  body: ScopedPlanBody,
): Omit<Plan, "id"> {
  const content = { ...meta, steps: body.steps, notes: body.notes ?? [], labels: body.labels ?? {} };
  // absent when unused, so the ids of plans without a scope stay what they were
  return body.scope ? { ...content, scope: body.scope } : content;
}

/** How the steps still to do differ between the stored plan and what these options give now (facts are drift). */
function stepDifferences(stored: Step[], candidate: Step[]): string[] {
  const before = new Map(stored.map((s) => [s.id, canonicalJson(s)]));
  const after = new Map(candidate.map((s) => [s.id, canonicalJson(s)]));
  const differences: string[] = [];
  for (const step of candidate) {
    if (!before.has(step.id)) differences.push(`+ ${step.id}: ${step.label}`);
    else if (before.get(step.id) !== after.get(step.id)) differences.push(`~ ${step.id}: ${step.label}`);
  }
  for (const step of stored) if (!after.has(step.id)) differences.push(`- ${step.id}: ${step.label}`);
  return differences;
}

/**
 * Every journaled receipt of a deployment, checked against the chain's receipt of the same transaction hash: the
 * journal's text is trusted for an address only where the chain says the same. Throws TamperedRunError on a mismatch.
 */
async function verifyJournaledDeployments(store: RunStore, plan: Plan, provider: ChainProvider): Promise<void> {
  const deploySteps = new Set(plan.steps.filter((s) => s.kind === "deploy").map((s) => s.id));
  const receipts = store
    .entries()
    .filter((e) => e.type === "receipt" && deploySteps.has(e.stepId) && e.contractAddress);
  for (const entry of receipts) {
    if (entry.type !== "receipt") continue;
    const onChain = await provider.getTransactionReceipt(entry.hash);
    const actual = onChain?.contractAddress ?? undefined;
    if (actual?.toLowerCase() !== entry.contractAddress!.toLowerCase())
      throw new TamperedRunError(
        store.journal.file,
        `the journal says step ${entry.stepId} deployed ${entry.contractAddress} in transaction ${entry.hash}, but the chain's receipt of that transaction ${onChain ? `created ${actual ?? "no contract"}` : "does not exist"}`,
      );
  }
  // `known` is carried from the journal's receipts: an entry that contradicts them was written by someone else.
  const deployed = store.deployedAddresses(plan);
  for (const [record, address] of Object.entries(plan.known))
    if (deployed[record] && deployed[record].toLowerCase() !== address.toLowerCase())
      throw new TamperedRunError(
        store.planFile,
        `its known ${record} is ${address}, but the journal's receipt (checked against the chain) says this run deployed ${record} at ${deployed[record]}`,
      );
}

/** Steps the journal has anything for (sent, mined, proposed): their effects may be on chain, by this run. */
function journaledSteps(store: RunStore): string[] {
  return store.entries().flatMap((e) => ("stepId" in e ? [e.stepId] : e.type === "proposed" ? e.stepIds : []));
}

/**
 * Steps this run confirmed on chain whose effect is gone now (someone undid it between runs): reported, never
 * silently sent again. A temporary step is undone by the plan itself; a step after an unfinished one is not judged.
 */
function undoneSteps(plan: Plan, store: RunStore, finished: Set<string>): string[] {
  const confirmed = store.confirmedReceipts();
  return plan.steps
    .filter((s) => confirmed.has(s.id) && !finished.has(s.id) && !s.temporary)
    .filter((s) => s.dependsOn.every((d) => finished.has(d)))
    .map(
      (s) =>
        `${s.id} (${s.label}): done by ${confirmed.get(s.id)!.hash} in block ${confirmed.get(s.id)!.blockNumber}, its effect is no longer on chain`,
    );
}

/** The addresses an earlier run of this plan deployed, from its journal's receipts. */
function knownFromJournal(store: RunStore, plan: Plan): Record<string, string> {
  return { ...plan.known, ...store.deployedAddresses(plan) };
}

/** The plan with every call of every step (--verbose). */
export function renderPlan(plan: Plan, alreadyDone: Set<string>): string {
  const senders = new Set(plan.steps.map((step) => step.from));
  const oneSender = senders.size === 1;
  const lines = plan.steps.flatMap((step, i) => {
    const [first, ...rest] = describeStep(step, plan.labels);
    const head = [
      String(i + 1),
      alreadyDone.has(step.id) ? "done" : "to send",
      step.label,
      ...(oneSender ? [] : [step.from]),
      first,
    ];
    return [head, ...rest.map((line) => [...head.slice(0, -1).map(() => ""), line])];
  });
  return [
    planHeading(plan, senders),
    renderTable(["#", "state", "step", ...(oneSender ? [] : ["sender"]), "call"], lines),
    ...plan.notes.map((note) => `note: ${note}`),
  ].join("\n");
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/**
 * The run's plan: the stored one when this run has one (refused when the chain drifted or these options would plan
 * differently what remains to do), else a new one from the observation.
 */
async function choosePlan<S>(
  planner: Planner<S>,
  observed: Observed<S>,
  meta: PlanMeta,
  store: RunStore,
  reader: Reader,
  replan: boolean,
): Promise<Plan> {
  const planFrom = async (facts: Record<string, string>, block: number, known: Record<string, string>) =>
    planContent({ ...meta, facts, observedBlock: block, known }, await planner.plan(observed.state, facts, known));
  const stored = store.loadPlan();
  if (!stored || replan)
    return makePlan(await planFrom(observed.facts, reader.block, stored ? knownFromJournal(store, stored) : {}));
  const known = knownFromJournal(store, stored);
  const journal = store.stepJournal();
  const storedDone = (await finishedSteps(stored, reader, known, reader.catalog, journal)).finished;
  const undone = undoneSteps(stored, store, storedDone);
  const changes = driftBetween(stored, observed.facts, new Set([...storedDone, ...journaledSteps(store)]));
  if (changes.length > 0 || undone.length > 0) throw new DriftError(stored, changes, undone);
  // Steps already on chain are history: only what remains to do must match what these options would do now.
  const candidate = planner.planFromStoredFacts
    ? await planFrom(stored.facts, stored.observedBlock, stored.known)
    : await planFrom(observed.facts, reader.block, stored.known);
  const candidateDone = (await finishedSteps(candidate, reader, known, reader.catalog, journal)).finished;
  const differences = stepDifferences(
    stored.steps.filter((s) => !storedDone.has(s.id)),
    candidate.steps.filter((s) => !candidateDone.has(s.id)),
  );
  if (differences.length > 0) throw new InputsChangedError(stored, differences);
  return stored;
}

type PlanMeta = Pick<Plan, "task" | "runKey" | "network" | "chainId">;

/** The accounts whose steps RoutingExecutor hands to a Safe or a timelock (after the accounts' own sends). */
function routedAccounts(choice: ExecutorChoice | undefined): string[] {
  return [choice?.safe, choice?.timelock].filter((a): a is string => a !== undefined);
}

/** observe -> plan (or the stored plan, checked for drift) -> preflight -> show -> apply. */
export async function runCutover<S>(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  planner: Planner<S>,
  options: RunOptions,
): Promise<RunOutcome<S>> {
  await retryConnectionReads(conn);
  const faults = armFaults(options.fault);
  const provider = conn.ethers.provider;
  const catalog = new ContractCatalog(hre);
  const network = options.rehearsal?.network ?? conn.networkName;
  const root = hre.config.paths.root;
  const store = options.rehearsal
    ? RunStore.forRehearsal(root, network, planner.runKey)
    : new RunStore(root, network, planner.runKey);
  await localMulticall3(conn, catalog);
  const reader = new Reader(provider, catalog, await provider.getBlockNumber());
  const chainId = Number((await provider.getNetwork()).chainId);
  const stored = store.loadPlan();
  if (stored) await verifyJournaledDeployments(store, stored, provider);
  const observed = await planner.observe(reader);
  const plan = await choosePlan(
    planner,
    observed,
    { task: planner.task, runKey: planner.runKey, network, chainId },
    store,
    reader,
    options.replan,
  );

  const { finished: alreadyDone, addresses } = await finishedSteps(
    plan,
    reader,
    knownFromJournal(store, plan),
    catalog,
    store.stepJournal(),
  );
  const pending = plan.steps.filter((s) => !alreadyDone.has(s.id));
  await planner.preflight?.(plan, reader, pending, addresses);
  // A resumed plan was simulated before its first send: simulating again would only delay settling what is in flight
  // (found by nonce within a window of blocks); its remaining steps get their gas estimated.
  const resumed = plan.id === stored?.id && store.stepJournal().lastSend.size > 0;
  const simulated =
    options.planOnly || resumed
      ? undefined
      : await options.simulate?.({
          conn,
          plan,
          pending: sendingOrder(plan.steps, pending, routedAccounts(options.executor)),
          addresses,
          block: reader.block,
        });
  // Only a plan that passed its preflight becomes the run's plan.
  if (plan.id !== stored?.id) store.savePlan(plan);
  options.print?.(options.verbose ? renderPlan(plan, alreadyDone) : renderPlanSummary(plan, alreadyDone));

  const outcome: RunOutcome<S> = {
    plan,
    state: observed.state,
    planFile: store.planFile,
    completedNow: false,
    alreadyDone: [...alreadyDone],
    markRecorded: () => store.markRecorded(plan.id),
  };
  if (options.planOnly) return outcome;
  const toSend = plan.steps.length - alreadyDone.size;
  if (toSend > 0) await options.beforeSend?.(plan, store);
  const local = await isLocalNetwork(conn);
  if (toSend > 0 && !local && !options.yes) {
    const ok = await confirm(`Send ${toSend} step(s) to ${conn.networkName} (chain ${plan.chainId})? [y/N] `);
    if (!ok)
      throw new HardhatPluginError(
        PLUGIN_ID,
        `Not confirmed: nothing was sent to ${conn.networkName}. Run again and answer "y", or pass --yes in automation.`,
      );
  }
  const signers = options.rehearsal
    ? await rehearsalSenders(plan, options)
    : (await conn.ethers.getSigners()).map((s) => s.address);
  const gasLimits = simulated && gasLimitsFrom(simulated);
  const executor = await buildExecutor(conn, plan, store, catalog, signers, local, { ...options, gasLimits });
  outcome.report = await applyPlan({ plan, store, catalog, provider, executor, onProgress: options.onProgress });
  outcome.completedNow = outcome.report.complete && !store.isRecorded(plan.id);
  if (outcome.report.complete) faults.point("complete");
  return outcome;
}
