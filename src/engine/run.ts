import { createInterface } from "node:readline/promises";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { HardhatPluginError } from "@nomicfoundation/hardhat-errors";
import { PLUGIN_ID } from "../errors.js";
import { renderTable } from "../report/table.js";
import { applyPlan, finishedSteps, type Addresses, type ApplyReport, type Progress } from "./apply.js";
import { ContractCatalog } from "./contracts.js";
import { EoaExecutor } from "./executor-eoa.js";
import { RoutingExecutor, type Executor, type ExecutorChoice } from "./executor.js";
import { SafeProposer } from "./executor-safe.js";
import { TimelockExecutor } from "./executor-timelock.js";
import { RunStore } from "./journal.js";
import { canonicalJson, describeStep, driftBetween, makePlan, type FactChange } from "./plan.js";
import { isLocalNetwork, localMulticall3 } from "./local-chain.js";
// isLocalNetwork lives in local-chain.ts; exported here too for callers that import it from the run.
export { isLocalNetwork } from "./local-chain.js";
import { Reader } from "./reader.js";
import type { Observation, Plan, Step } from "./types.js";
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
  /** Where the plan and results are printed; silent when undefined. */
  print?: (text: string) => void;
}

/** What a task supplies to the engine: how to observe the chain and how to turn an observation into a plan. */
export interface Planner {
  task: string;
  runKey: string;
  observe(reader: Reader): Promise<Observation>;
  plan(observation: Observation, known: Record<string, string>): Promise<Omit<Plan, "id">>;
  /**
   * For plans that are a diff against state the plan itself changes (e.g. role holders): when a stored plan is checked
   * against the options, plan from the facts it recorded (drift has already shown the others unchanged).
   */
  planFromStoredFacts?: boolean;
  /** Refuses (throws) before anything is sent when a precondition does not hold for a step still to send. */
  preflight?(plan: Plan, reader: Reader, pending: Step[], addresses: Addresses): Promise<void>;
}

export interface RunOutcome {
  plan: Plan;
  planFile: string;
  /** Undefined with --plan-only. */
  report?: ApplyReport;
  /** True when this invocation finished the run (records should be written now). */
  completedNow: boolean;
  /** Steps already on chain when the plan was shown. */
  alreadyDone: string[];
}

export class DriftError extends HardhatPluginError {
  constructor(readonly plan: Plan, readonly changes: FactChange[]) {
    super(
      PLUGIN_ID,
      `The chain changed since plan ${plan.id.slice(0, 10)} was computed at block ${plan.observedBlock}:\n` +
        changes.map((c) => `  ${c.fact}: planned ${c.planned ?? "(absent)"}, now ${c.now ?? "(absent)"}`).join("\n") +
        `\nNothing was sent. Review the changes, then run again with --replan to compute a new plan from the chain as it is now.`,
    );
  }
}

/** The in-process chain, or an HTTP endpoint on this machine's loopback: nothing there holds real funds. */
export class InputsChangedError extends HardhatPluginError {
  constructor(readonly plan: Plan, readonly differences: string[]) {
    super(
      PLUGIN_ID,
      `This run already has plan ${plan.id.slice(0, 10)} (${plan.steps.length} steps), computed with other options or config; with these it would be:\n` +
        differences.map((d) => `  ${d}`).join("\n") +
        `\nNothing was sent. Run again with the options the run started with, or add --replan to replace its plan (steps already on chain are kept).`,
    );
  }
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

/** The addresses an earlier run of this plan deployed, from its journal's receipts. */
function knownFromJournal(store: RunStore, plan: Plan): Record<string, string> {
  const known: Record<string, string> = { ...plan.known };
  const records = new Map(plan.steps.flatMap((s) => (s.kind === "deploy" ? [[s.id, s.record] as const] : [])));
  for (const [stepId, receipt] of store.confirmedReceipts()) {
    if (receipt.contractAddress && records.has(stepId)) known[records.get(stepId)!] = receipt.contractAddress;
  }
  return known;
}

export function renderPlan(plan: Plan, alreadyDone: Set<string>): string {
  const senders = new Set(plan.steps.map((step) => step.from));
  const oneSender = senders.size === 1;
  const lines = plan.steps.flatMap((step, i) => {
    const [first, ...rest] = describeStep(step, plan.labels);
    const head = [String(i + 1), alreadyDone.has(step.id) ? "done" : "to send", step.label, ...(oneSender ? [] : [step.from]), first];
    return [head, ...rest.map((line) => [...head.slice(0, -1).map(() => ""), line])];
  });
  return [
    `Plan ${plan.id} (${plan.task}, ${plan.network}, chain ${plan.chainId}, observed at block ${plan.observedBlock}): ${plan.steps.length} steps` +
      (oneSender ? `, all sent by ${[...senders][0]}` : ""),
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

/** observe -> plan (or the stored plan, checked for drift) -> preflight -> show -> apply. */
export async function runCutover(hre: HardhatRuntimeEnvironment, conn: NetworkConnection, planner: Planner, options: RunOptions): Promise<RunOutcome> {
  const provider = conn.ethers.provider;
  const catalog = new ContractCatalog(hre);
  const store = new RunStore(hre.config.paths.root, conn.networkName, planner.runKey);
  await localMulticall3(conn, catalog);
  const reader = new Reader(provider, catalog, await provider.getBlockNumber());
  const observation = await planner.observe(reader);

  const stored = store.loadPlan();
  let plan: Plan;
  if (stored && !options.replan) {
    const changes = driftBetween(stored, observation.facts);
    if (changes.length > 0) throw new DriftError(stored, changes);
    // Steps already on chain are history: only what remains to do must match what these options would do now.
    const known = knownFromJournal(store, stored);
    const basis = planner.planFromStoredFacts ? { ...observation, block: stored.observedBlock, facts: stored.facts } : observation;
    const candidate = await planner.plan(basis, stored.known);
    const storedDone = (await finishedSteps(stored, reader, known, catalog)).finished;
    const candidateDone = (await finishedSteps(candidate, reader, known, catalog)).finished;
    const differences = stepDifferences(stored.steps.filter((s) => !storedDone.has(s.id)), candidate.steps.filter((s) => !candidateDone.has(s.id)));
    if (differences.length > 0) throw new InputsChangedError(stored, differences);
    plan = stored;
  } else {
    plan = makePlan(await planner.plan(observation, stored ? knownFromJournal(store, stored) : {}));
  }

  const { finished: alreadyDone, addresses } = await finishedSteps(plan, reader, knownFromJournal(store, plan), catalog);
  await planner.preflight?.(plan, reader, plan.steps.filter((s) => !alreadyDone.has(s.id)), addresses);
  // Only a plan that passed its preflight becomes the run's plan.
  if (plan.id !== stored?.id) store.savePlan(plan);
  options.print?.(renderPlan(plan, alreadyDone));

  const outcome: RunOutcome = { plan, planFile: store.planFile, completedNow: false, alreadyDone: [...alreadyDone] };
  if (options.planOnly) return outcome;
  const wasComplete = store.isComplete(plan.id);
  const toSend = plan.steps.length - alreadyDone.size;
  const local = await isLocalNetwork(conn);
  if (toSend > 0 && !local && !options.yes) {
    const ok = await confirm(`Send ${toSend} step(s) to ${conn.networkName} (chain ${plan.chainId})? [y/N] `);
    if (!ok) throw new HardhatPluginError(PLUGIN_ID, `Not confirmed: nothing was sent to ${conn.networkName}. Run again and answer "y", or pass --yes in automation.`);
  }
  const signers = (await conn.ethers.getSigners()).map((s) => s.address);
  const eoa = new EoaExecutor(provider, store.journal, { confirmations: options.confirmations, pipeline: options.pipeline, pollIntervalMs: local ? 20 : 2_000, signers });
  const routes: Record<string, Executor> = {};
  const choice = options.executor;
  if (choice?.safe) {
    const labels = Object.fromEntries(plan.steps.map((s) => [s.id, s.label]));
    routes[choice.safe] = new SafeProposer(provider, store.journal, catalog, { safe: choice.safe, runDir: store.dir, planId: plan.id, task: plan.task, network: plan.network, owner: choice.signer ?? signers[0], labels });
  }
  if (choice?.timelock) routes[choice.timelock] = new TimelockExecutor(provider, store.journal, catalog, eoa, { timelock: choice.timelock, signer: choice.signer ?? signers[0], planId: plan.id });
  const executor = Object.keys(routes).length > 0 ? new RoutingExecutor(eoa, routes) : eoa;
  outcome.report = await applyPlan({ plan, store, catalog, provider, executor, onProgress: options.onProgress });
  outcome.completedNow = outcome.report.complete && !wasComplete;
  return outcome;
}
