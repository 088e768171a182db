import { getAddress, isAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { CutoverInputError } from "../src/errors.js";
import { runCutover } from "../src/engine/run.js";
import { progressLine } from "../src/report/progress.js";
import { renderResults, sendSummary } from "../src/report/results.js";
import { regrantPlanner } from "../src/roles/regrant.js";
import { toJson } from "../src/util/json.js";
import "../src/type-extensions.js";

interface Args {
  vault: string;
  desired: string;
  revokeExtra: boolean;
  signer: string;
  planOnly: boolean;
  replan: boolean;
  yes: boolean;
  json: boolean;
}

export default async function corevaultRegrantRoles(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const conn = await hre.network.getOrCreate();
  const signers = await conn.ethers.getSigners();
  if (args.signer && !isAddress(args.signer)) throw new CutoverInputError("--signer", args.signer, "give the 0x address of one of this network's configured accounts");
  const signer = args.signer ? signers.find((s) => s.address.toLowerCase() === args.signer.toLowerCase()) : signers[0];
  if (!signer) throw new CutoverInputError("--signer", args.signer, `it is not one of the ${signers.length} accounts configured for ${conn.networkName}; add its key to the network's accounts or pick another`);

  const planner = await regrantPlanner(hre, conn, getAddress(signer.address), { vault: args.vault || undefined, desired: args.desired || undefined, revokeExtra: args.revokeExtra });
  const progress = progressLine(!args.json);
  const started = Date.now();
  const outcome = await runCutover(hre, conn, planner, {
    planOnly: args.planOnly,
    replan: args.replan,
    yes: args.yes,
    pipeline: true,
    confirmations: hre.config.cutover.confirmations[conn.networkName] ?? 1,
    onProgress: (p) => progress.update(`[${p.done}/${p.total}] ${p.step}${p.hash ? ` ${p.hash}` : ""}`),
    print: args.json ? undefined : (text) => console.log(text),
  });
  const { kept } = planner.reconciliation();
  if (args.planOnly) {
    if (args.json) console.log(toJson({ plan: outcome.plan, planFile: outcome.planFile, alreadyDone: outcome.alreadyDone, kept }));
    else console.log(`\nplan only: nothing sent. Plan written to ${outcome.planFile}`);
    return;
  }
  const report = outcome.report!;
  progress.done(sendSummary(report, (Date.now() - started) / 1000));
  if (args.json) {
    console.log(toJson({ planId: report.planId, planFile: outcome.planFile, vault: planner.vault, complete: report.complete, transactionsSent: report.transactionsSent, results: report.results, kept }));
  } else {
    console.log(renderResults(report));
  }
  if (!report.complete) {
    process.exitCode = 1;
    if (!args.json) console.log(`\nThe run is not complete. Fix what failed, then run the same command again: finished steps are skipped, nothing is sent twice.`);
  }
}
