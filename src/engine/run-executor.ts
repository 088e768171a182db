// The executor a run sends through, built from the run's options: the EOA executor, with the Safe or the timelock
// chosen routed by each step's `from`; in a rehearsal, every sender impersonated.
import type { NetworkConnection } from "hardhat/types/network";
import type { ExecutorChoice } from "./authority.js";
import { Broadcaster } from "./broadcaster.js";
import type { ContractCatalog } from "./contracts.js";
import { EoaExecutor } from "./executor-eoa.js";
import { SafeProposer } from "./executor-safe.js";
import { TimelockExecutor } from "./executor-timelock.js";
import { RoutingExecutor, type Executor } from "./executor.js";
import type { FaultInjection } from "./faults.js";
import type { RunStore } from "./run-store.js";
import type { Plan } from "./types.js";

/** What of a run's options (RunOptions) the executor depends on, and the gas limits from its simulation. */
export interface ExecutorOptions {
  pipeline: boolean;
  confirmations: number;
  executor?: ExecutorChoice;
  fault?: FaultInjection;
  rehearsal?: { impersonate(accounts: string[]): Promise<void> };
  gasLimits?: Record<string, bigint>;
}

/** The executor a run sends through: the EOA executor, with the Safe and the timelock chosen routed by `from`. */
export async function buildExecutor(
  conn: NetworkConnection,
  plan: Plan,
  store: RunStore,
  catalog: ContractCatalog,
  signers: string[],
  local: boolean,
  options: ExecutorOptions,
): Promise<Executor> {
  const provider = conn.ethers.provider;
  const eoa = new EoaExecutor(provider, store.journal, {
    broadcaster: options.rehearsal ? undefined : await Broadcaster.forConnection(conn),
    confirmations: options.confirmations,
    pipeline: options.pipeline,
    pollIntervalMs: local ? 20 : 2_000,
    signers,
    fault: options.fault,
    gasLimits: options.gasLimits,
  });
  const routes: Record<string, Executor> = {};
  const choice = options.executor;
  if (choice?.safe) {
    const labels = Object.fromEntries(plan.steps.map((s) => [s.id, s.label]));
    const contracts = Object.fromEntries(
      plan.steps.flatMap((s) => (s.kind === "call" ? [[s.id, s.actions[0].call.contract]] : [])),
    );
    routes[choice.safe] = new SafeProposer(provider, store.journal, catalog, {
      safe: choice.safe,
      runDir: store.dir,
      planId: plan.id,
      task: plan.task,
      network: plan.network,
      owner: choice.signer ?? signers[0],
      labels,
      contracts,
    });
  }
  if (choice?.timelock)
    routes[choice.timelock] = new TimelockExecutor(provider, store.journal, catalog, eoa, {
      timelock: choice.timelock,
      signer: choice.signer ?? signers[0],
      planId: plan.id,
    });
  return Object.keys(routes).length > 0 ? new RoutingExecutor(eoa, routes) : eoa;
}

/** In a rehearsal, every sender of the plan (and the executor's signer) impersonated; not the Safe or timelock routed. */
export async function rehearsalSenders(plan: Plan, options: ExecutorOptions): Promise<string[]> {
  const routed = new Set(
    [options.executor?.safe, options.executor?.timelock].filter(Boolean).map((a) => a!.toLowerCase()),
  );
  const accounts = [
    ...new Set(
      [...plan.steps.map((s) => s.from), ...(options.executor?.signer ? [options.executor.signer] : [])].map((a) =>
        a.toLowerCase(),
      ),
    ),
  ];
  const senders = accounts.filter((a) => !routed.has(a));
  await options.rehearsal!.impersonate(senders);
  return senders;
}
