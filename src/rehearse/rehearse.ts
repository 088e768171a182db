// `--rehearse`: the exact plan a run would send, applied on a throwaway copy of the target (an in-process fork at the
// current block, or the in-process chain between snapshot and revert) with every sender impersonated, Safe proposals
// executed with their owners' approvals simulated and timelock delays passed; then what it changed and cost.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { ContractCatalog } from "../engine/contracts.js";
import { RunStore } from "../engine/run-store.js";
import { runCutover, type Planner, type RunOptions, type RunOutcome } from "../engine/run.js";
import { throwawayChain } from "../fork/throwaway.js";
import { actAsAuthorities, impersonate } from "./authorities.js";
import { rehearsalDiff } from "./diff.js";
import { renderRehearsalHtml } from "./report-html.js";
import { costOf, REHEARSAL_SCHEMA, saveRehearsal, type Rehearsal } from "./report.js";
import { inversePlanner } from "./inverse.js";
import { verifyOnFork } from "./verify-on-fork.js";
import { prepareWorkspace, type Workspace } from "./workspace.js";

/** Engine runs at most: each Safe execution or timelock delay needs one more. */
const MAX_ROUNDS = 12;

/** Engine rounds until the plan completes, fails, or waits on nothing the rehearsal can do. */
async function applyOnFork<S>(
  hre: HardhatRuntimeEnvironment,
  fork: NetworkConnection,
  planner: Planner<S>,
  options: RunOptions,
): Promise<{ outcome: RunOutcome<S>; rounds: number }> {
  for (let rounds = 1; ; rounds++) {
    const outcome = await runCutover(hre, fork, planner, rounds === 1 ? options : { ...options, print: undefined });
    const report = outcome.report!;
    if (report.complete || !report.awaiting || rounds >= MAX_ROUNDS) return { outcome, rounds };
    if (!(await actAsAuthorities(fork, report.proposals)).acted) return { outcome, rounds };
  }
}

/** One engine plan of a rehearsal, made when its turn comes (undefined: nothing to do), after `before` ran. */
export interface RehearsalPhase {
  planner(): Promise<Planner<unknown> | undefined>;
  /** Runs on the throwaway chain before the planner is made (e.g. moving time past a staged change's delay). */
  before?(): Promise<void>;
  /**
   * Once the plan completed: writes what the real run writes when it completes (records, app config), with `hre` the
   * project as the rehearsal sees it (its files in the rehearsal's workspace).
   */
  recorded?(hre: HardhatRuntimeEnvironment, outcome: RunOutcome<unknown>): Promise<void>;
  /** Undoes the plans before it (a rollback rehearsal): verify and the forward diff are taken before the first one. */
  rollback?: boolean;
}

/** What a rehearsal runs on the throwaway chain: engine plans in order, then a check of the state they leave. */
export interface RehearsalScript {
  phases: RehearsalPhase[];
  /** Problems with the end state (e.g. routes that are not as planned); empty when it is right. */
  check?(): Promise<string[]>;
  /** Its rollback brings every value the forward plans' done checks read on existing contracts back to the start. */
  restoresReads?: boolean;
}

/** A single planner as a script. */
export const onePlan = (planner: Planner<unknown>, recorded?: RehearsalPhase["recorded"]): RehearsalScript => ({
  phases: [{ planner: async () => planner, recorded }],
});

/** What the phases did: each engine run, where the forward plans ended, and verify's result there. */
interface PhasesRun {
  done: { outcome: RunOutcome<unknown>; rounds: number; rollback: boolean }[];
  forwardBlock?: number;
  verify?: Awaited<ReturnType<typeof verifyOnFork>>;
}

/**
 * `script` followed by the inverse of its plan (`forward()`, once it completed), from the values read where the script
 * started; a change with no inverse is a problem of the rehearsal.
 */
export async function withRollback(
  hre: HardhatRuntimeEnvironment,
  fork: NetworkConnection,
  script: RehearsalScript,
  forward: () => RunOutcome<unknown> | undefined,
): Promise<RehearsalScript> {
  const fromBlock = await fork.ethers.provider.getBlockNumber();
  const none: string[] = [];
  const rollback: RehearsalPhase = {
    rollback: true,
    planner: async () => {
      const outcome = forward();
      if (!outcome) return undefined;
      const deployed = outcome.report?.deployed ?? {};
      const inverse = await inversePlanner(fork, new ContractCatalog(hre), outcome.plan, fromBlock, deployed);
      none.push(...inverse.none);
      return inverse.planner as Planner<unknown> | undefined;
    },
  };
  return {
    phases: [...script.phases, rollback],
    restoresReads: true,
    check: async () => [...((await script.check?.()) ?? []), ...none.map((n) => `no inverse for ${n}`)],
  };
}

/**
 * Rehearses the script `makeScript` gives on a throwaway copy of `conn`, stores the report in each real run's folder
 * and returns it. Nothing is sent to `conn` itself, and no file of the real network is written but the report.
 */
export async function rehearse(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  makeScript: (throwaway: NetworkConnection, rehearsalHre: HardhatRuntimeEnvironment) => Promise<RehearsalScript>,
  run: RunOptions,
): Promise<{ rehearsal: Rehearsal; files: { json: string; md: string } }> {
  const provider = conn.ethers.provider;
  const block = await provider.getBlockNumber();
  const [latest, fee] = [await provider.getBlock("latest"), await provider.getFeeData()];
  const workspace = prepareWorkspace(hre, conn.networkName);
  const chain = await throwawayChain(hre, conn, block);
  try {
    const fork = chain.conn;
    const script = await makeScript(fork, workspace.hre);
    const fromBlock = await fork.ethers.provider.getBlockNumber();
    const phases = await runPhases(hre, workspace, fork, conn.networkName, script, run);
    const outcomes = phases.done.map((p) => p.outcome);
    const complete = outcomes.length > 0 && outcomes.every((o) => o.report!.complete);
    const problems = complete ? ((await script.check?.()) ?? []) : [];
    const { forward, diff, remaining } = await diffs(hre, fork, phases, fromBlock);
    // After such a rollback, a value of a contract that existed before must read as it did at the start.
    for (const c of script.restoresReads ? (remaining?.changes ?? []) : [])
      if (!c.contract.startsWith("<new "))
        problems.push(`not back after the rollback: ${c.contract} ${c.read} = ${c.after}, was ${c.before}`);
    const rehearsal: Rehearsal = {
      schema: REHEARSAL_SCHEMA,
      network: conn.networkName,
      chainId: Number((await provider.getNetwork()).chainId),
      block,
      where: chain.where,
      at: new Date().toISOString(),
      passed: complete && problems.length === 0,
      phases: phases.done.map(({ outcome, rounds }) => ({
        task: outcome.plan.task,
        planId: outcome.plan.id,
        runKey: outcome.plan.runKey,
        passed: outcome.report!.complete,
        rounds,
        results: outcome.report!.results.map(({ id, label, status, reason }) => ({ id, label, status, reason })),
      })),
      problems,
      ...(phases.verify ? { verify: phases.verify } : {}),
      diff,
      ...(remaining ? { remaining } : {}),
      cost: costOf(BigInt(diff.gas), latest?.gasLimit ?? 0n, fee.maxFeePerGas ?? fee.gasPrice ?? 0n),
    };
    const root = hre.config.paths.root;
    const saved = await Promise.all(
      forward.map(({ outcome: o }) =>
        saveRehearsal(new RunStore(root, conn.networkName, o.plan.runKey), rehearsal, renderRehearsalHtml),
      ),
    );
    return { rehearsal, files: saved[0] ?? { json: "", md: "" } };
  } finally {
    await chain.close();
  }
}

const deployedBy = (runs: PhasesRun["done"]) =>
  Object.assign({}, ...runs.map((r) => r.outcome.report!.deployed)) as Record<string, string>;

/** What the forward plans changed (up to where they ended) and, after a rollback, what still differs from the start. */
async function diffs(hre: HardhatRuntimeEnvironment, fork: NetworkConnection, phases: PhasesRun, fromBlock: number) {
  const catalog = new ContractCatalog(hre);
  const diffOf = (runs: PhasesRun["done"], toBlock: number) =>
    rehearsalDiff(
      fork,
      catalog,
      runs.map((r) => r.outcome.plan),
      deployedBy(runs),
      fromBlock,
      toBlock,
    );
  const forward = phases.done.filter((p) => !p.rollback);
  const diff = await diffOf(forward, phases.forwardBlock!);
  const rolledBack = forward.length < phases.done.length;
  const remaining = rolledBack ? await diffOf(phases.done, await fork.ethers.provider.getBlockNumber()) : undefined;
  return { forward, diff, remaining };
}

/**
 * The script's phases in order on the throwaway chain, the run files in the rehearsal's workspace; stops at one that
 * does not complete. Once the forward plans completed (before the first rollback phase), `cutover:verify` runs.
 */
async function runPhases(
  hre: HardhatRuntimeEnvironment,
  workspace: Workspace,
  fork: NetworkConnection,
  network: string,
  script: RehearsalScript,
  run: RunOptions,
): Promise<PhasesRun> {
  const options: RunOptions = {
    ...run,
    planOnly: false,
    yes: true,
    beforeSend: undefined,
    // the rehearsal is itself the whole plan on a throwaway copy
    simulate: undefined,
    rehearsal: { network, impersonate: (accounts) => impersonate(fork, accounts) },
  };
  const result: PhasesRun = { done: [] };
  const forwardEnds = async () => {
    result.forwardBlock = await fork.ethers.provider.getBlockNumber();
    if (result.done.every((d) => d.outcome.report!.complete)) result.verify = await verifyOnFork(workspace, fork);
  };
  for (const phase of script.phases) {
    if (phase.rollback && result.forwardBlock === undefined) await forwardEnds();
    await phase.before?.();
    const planner = await phase.planner();
    if (!planner) continue;
    const applied = await applyOnFork(hre, fork, planner, options);
    result.done.push({ ...applied, rollback: phase.rollback === true });
    if (!applied.outcome.report!.complete) break;
    await phase.recorded?.(workspace.hre, applied.outcome);
  }
  if (result.forwardBlock === undefined) await forwardEnds();
  return result;
}
