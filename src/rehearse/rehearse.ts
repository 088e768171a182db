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

/**
 * Rehearses the plan `makePlanner` gives on a throwaway copy of `conn`, stores the report in the real run's folder
 * and returns it. Nothing is sent to `conn` itself.
 */
export async function rehearse<S>(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  makePlanner: (throwaway: NetworkConnection) => Promise<Planner<S>>,
  run: RunOptions,
): Promise<{ rehearsal: Rehearsal; files: { json: string; md: string } }> {
  const provider = conn.ethers.provider;
  const block = await provider.getBlockNumber();
  const [latest, fee] = [await provider.getBlock("latest"), await provider.getFeeData()];
  const chain = await throwawayChain(hre, conn, block);
  try {
    const fork = chain.conn;
    const planner = await makePlanner(fork);
    const root = hre.config.paths.root;
    const real = new RunStore(root, conn.networkName, planner.runKey);
    startFrom(real, RunStore.forRehearsal(root, conn.networkName, planner.runKey));
    const fromBlock = await fork.ethers.provider.getBlockNumber();
    const options: RunOptions = {
      ...run,
      planOnly: false,
      yes: true,
      beforeSend: undefined,
      rehearsal: { network: conn.networkName, impersonate: (accounts) => impersonate(fork, accounts) },
    };
    const { outcome, rounds } = await applyOnFork(hre, fork, planner, options);
    const report = outcome.report!;
    const diff = await rehearsalDiff(fork, new ContractCatalog(hre), outcome.plan, report.deployed, fromBlock);
    const rehearsal: Rehearsal = {
      schema: REHEARSAL_SCHEMA,
      task: outcome.plan.task,
      network: conn.networkName,
      chainId: outcome.plan.chainId,
      planId: outcome.plan.id,
      runKey: planner.runKey,
      block,
      where: chain.where,
      at: new Date().toISOString(),
      passed: report.complete,
      rounds,
      results: report.results.map(({ id, label, status, reason }) => ({ id, label, status, reason })),
      diff,
      cost: costOf(BigInt(diff.gas), latest?.gasLimit ?? 0n, fee.maxFeePerGas ?? fee.gasPrice ?? 0n),
    };
    return { rehearsal, files: await saveRehearsal(real, rehearsal) };
  } finally {
    await chain.close();
  }
}
