// `--rehearse`: the exact plan a run would send, applied on a throwaway copy of the target (an in-process fork at the
// current block, or the in-process chain between snapshot and revert) with every sender impersonated, Safe proposals
// executed with their owners' approvals simulated and timelock delays passed; then what it changed and cost.
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
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

/** Engine runs at most: each Safe execution or timelock delay needs one more. */
const MAX_ROUNDS = 12;

/** The rehearsal starts where the real run is: its stored plan and journal, if any, copied into a fresh folder. */
function startFrom(real: RunStore, rehearsal: RunStore): void {
  rmSync(rehearsal.dir, { recursive: true, force: true });
  mkdirSync(rehearsal.dir, { recursive: true });
  for (const file of ["plan.json", "journal.jsonl"]) {
    if (existsSync(path.join(real.dir, file))) cpSync(path.join(real.dir, file), path.join(rehearsal.dir, file));
  }
}

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
}

/** What a rehearsal runs on the throwaway chain: engine plans in order, then a check of the state they leave. */
export interface RehearsalScript {
  phases: RehearsalPhase[];
  /** Problems with the end state (e.g. routes that are not as planned); empty when it is right. */
  check?(): Promise<string[]>;
}

/** A single planner as a script. */
export const onePlan = (planner: Planner<unknown>): RehearsalScript => ({ phases: [{ planner: async () => planner }] });

/**
 * Rehearses the script `makeScript` gives on a throwaway copy of `conn`, stores the report in each real run's folder
 * and returns it. Nothing is sent to `conn` itself.
 */
export async function rehearse(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  makeScript: (throwaway: NetworkConnection) => Promise<RehearsalScript>,
  run: RunOptions,
): Promise<{ rehearsal: Rehearsal; files: { json: string; md: string } }> {
  const provider = conn.ethers.provider;
  const block = await provider.getBlockNumber();
  const [latest, fee] = [await provider.getBlock("latest"), await provider.getFeeData()];
  const chain = await throwawayChain(hre, conn, block);
  try {
    const fork = chain.conn;
    const script = await makeScript(fork);
    const fromBlock = await fork.ethers.provider.getBlockNumber();
    const phases = await runPhases(hre, fork, conn.networkName, script, run);
    const problems = phases.every((p) => p.outcome.report!.complete) ? ((await script.check?.()) ?? []) : [];
    const outcomes = phases.map((p) => p.outcome);
    const deployed = Object.assign({}, ...outcomes.map((o) => o.report!.deployed)) as Record<string, string>;
    const diff = await rehearsalDiff(
      fork,
      new ContractCatalog(hre),
      outcomes.map((o) => o.plan),
      deployed,
      fromBlock,
    );
    const rehearsal: Rehearsal = {
      schema: REHEARSAL_SCHEMA,
      network: conn.networkName,
      chainId: Number((await provider.getNetwork()).chainId),
      block,
      where: chain.where,
      at: new Date().toISOString(),
      passed: phases.length > 0 && outcomes.every((o) => o.report!.complete) && problems.length === 0,
      phases: phases.map(({ outcome, rounds }) => ({
        task: outcome.plan.task,
        planId: outcome.plan.id,
        runKey: outcome.plan.runKey,
        passed: outcome.report!.complete,
        rounds,
        results: outcome.report!.results.map(({ id, label, status, reason }) => ({ id, label, status, reason })),
      })),
      problems,
      diff,
      cost: costOf(BigInt(diff.gas), latest?.gasLimit ?? 0n, fee.maxFeePerGas ?? fee.gasPrice ?? 0n),
    };
    const root = hre.config.paths.root;
    const saved = await Promise.all(
      outcomes.map((o) =>
        saveRehearsal(new RunStore(root, conn.networkName, o.plan.runKey), rehearsal, renderRehearsalHtml),
      ),
    );
    return { rehearsal, files: saved[0] ?? { json: "", md: "" } };
  } finally {
    await chain.close();
  }
}

/** The script's phases in order on the throwaway chain, each from where the real run is; stops at one that does not complete. */
async function runPhases(
  hre: HardhatRuntimeEnvironment,
  fork: NetworkConnection,
  network: string,
  script: RehearsalScript,
  run: RunOptions,
) {
  const options: RunOptions = {
    ...run,
    planOnly: false,
    yes: true,
    beforeSend: undefined,
    rehearsal: { network, impersonate: (accounts) => impersonate(fork, accounts) },
  };
  const done: { outcome: RunOutcome<unknown>; rounds: number }[] = [];
  for (const phase of script.phases) {
    await phase.before?.();
    const planner = await phase.planner();
    if (!planner) continue;
    const root = hre.config.paths.root;
    startFrom(new RunStore(root, network, planner.runKey), RunStore.forRehearsal(root, network, planner.runKey));
    const result = await applyOnFork(hre, fork, planner, options);
    done.push(result);
    if (!result.outcome.report!.complete) break;
  }
  return done;
}
