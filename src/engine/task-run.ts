import path from "node:path";
import { getAddress, isAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { CutoverInputError } from "../errors.js";
import { progressLine } from "../report/progress.js";
import { renderAwaiting } from "../report/proposals.js";
import { sendSummary } from "../report/results.js";
import { toJson } from "../util/json.js";
import type { ApplyReport } from "./apply.js";
import type { ExecutorChoice } from "./executor.js";
import { runCutover, type Planner, type RunOutcome } from "./run.js";
import "../type-extensions.js";

/** Options every state-changing task takes the same way. */
export interface EngineTaskArgs {
  planOnly: boolean;
  replan: boolean;
  yes: boolean;
  sequential?: boolean;
  json: boolean;
}

/** The account given with --signer (one of the network's accounts), or the network's first account. */
export async function resolveSigner(conn: NetworkConnection, given: string): Promise<string> {
  const signers = await conn.ethers.getSigners();
  if (!given) return getAddress(signers[0].address);
  if (!isAddress(given)) throw new CutoverInputError("--signer", given, "give the 0x address of one of this network's configured accounts");
  const signer = signers.find((s) => s.address.toLowerCase() === given.toLowerCase());
  if (!signer) throw new CutoverInputError("--signer", given, `it is not one of the ${signers.length} accounts configured for ${conn.networkName}; add its key to the network's accounts or pick another`);
  return getAddress(signer.address);
}

/** Runs a planner through the engine with the task's options: the plan printed (unless --json) and a progress line. */
export async function runEngineTask(hre: HardhatRuntimeEnvironment, conn: NetworkConnection, planner: Planner, args: EngineTaskArgs, executor?: ExecutorChoice): Promise<RunOutcome> {
  const progress = progressLine(!args.json);
  const started = Date.now();
  const outcome = await runCutover(hre, conn, planner, {
    planOnly: args.planOnly,
    replan: args.replan,
    yes: args.yes,
    pipeline: !args.sequential,
    confirmations: hre.config.cutover.confirmations[conn.networkName] ?? 1,
    executor,
    onProgress: (p) => progress.update(`[${p.done}/${p.total}] ${p.step}${p.hash ? ` ${p.hash}` : ""}`),
    print: args.json ? undefined : (text) => console.log(text),
  });
  if (outcome.report) progress.done(sendSummary(outcome.report, (Date.now() - started) / 1000));
  return outcome;
}

/** What --plan-only prints after the plan: where it was written, or the plan as JSON. */
export function printPlanOnly(outcome: RunOutcome, json: boolean, extra: Record<string, unknown> = {}): void {
  if (json) console.log(toJson({ plan: outcome.plan, planFile: outcome.planFile, alreadyDone: outcome.alreadyDone, ...extra }));
  else console.log(`\nplan only: nothing sent. Plan written to ${outcome.planFile}`);
}

/**
 * The exit code and closing words of a run: 2 while steps wait for their authority (the proposal is shown), 1 when
 * something failed or is left, 0 when complete.
 */
export function finishRun(outcome: RunOutcome & { report: ApplyReport }, json: boolean, failed = false, unfinished = "The run is not complete. Fix what failed, then run the same command again: finished steps are skipped, nothing is sent twice."): void {
  const { report } = outcome;
  if (report.awaiting && !failed) {
    process.exitCode = 2;
    if (!json) console.log(`\n${renderAwaiting(report, path.dirname(outcome.planFile), Object.fromEntries(outcome.plan.steps.map((s) => [s.id, s.label])))}`);
  } else if (!report.complete || failed) {
    process.exitCode = 1;
    if (!json) console.log(`\n${unfinished}`);
  }
}
