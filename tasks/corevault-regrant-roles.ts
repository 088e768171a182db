import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { parseExecutorChoice } from "../src/engine/executor.js";
import { finishRun, printPlanOnly, resolveSigner, runEngineTask, type EngineTaskArgs } from "../src/engine/task-run.js";
import { renderResults } from "../src/report/results.js";
import { regrantPlanner } from "../src/roles/regrant.js";
import { toJson } from "../src/util/json.js";

interface Args extends EngineTaskArgs {
  vault: string;
  desired: string;
  revokeExtra: boolean;
  signer: string;
  executor: string;
  safe: string;
  timelock: string;
}

export default async function corevaultRegrantRoles(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const conn = await hre.network.getOrCreate();
  const signer = await resolveSigner(conn, args.signer);
  const executor = { ...parseExecutorChoice(args), signer };
  // With a Safe or a timelock, that authority makes every role change: the plan's steps are its.
  const authority = executor.safe ?? executor.timelock ?? signer;
  const planner = await regrantPlanner(hre, conn, authority, { vault: args.vault || undefined, desired: args.desired || undefined, revokeExtra: args.revokeExtra });
  const outcome = await runEngineTask(hre, conn, planner, args, executor);
  const { report } = outcome;
  const { kept } = planner.reconciliation();
  if (!report) return printPlanOnly(outcome, args.json, { kept });
  if (args.json) {
    console.log(toJson({ planId: report.planId, planFile: outcome.planFile, vault: planner.vault, complete: report.complete, awaiting: report.awaiting, transactionsSent: report.transactionsSent, results: report.results, proposals: report.proposals, kept }));
  } else {
    console.log(renderResults(report));
  }
  finishRun({ ...outcome, report }, args.json);
}
