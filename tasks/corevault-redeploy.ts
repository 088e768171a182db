import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { getAddress, isAddress } from "ethers";
import { CutoverInputError } from "../src/errors.js";
import { ContractCatalog } from "../src/engine/contracts.js";
import { authorities, parseExecutorChoice } from "../src/engine/executor.js";
import { runCutover } from "../src/engine/run.js";
import { redeployPlanner, writeRedeployRecords } from "../src/corevault/redeploy.js";
import { fleetStatus, renderFleet } from "../src/orderbook/rewire-planner.js";
import { progressLine } from "../src/report/progress.js";
import { renderAwaiting } from "../src/report/proposals.js";
import { renderResults, sendSummary } from "../src/report/results.js";
import { toJson } from "../src/util/json.js";
import "../src/type-extensions.js";

interface Args {
  oldVault: string;
  pauseOld: boolean;
  admin: string;
  collateral: string;
  libraries: string;
  signer: string;
  planOnly: boolean;
  replan: boolean;
  yes: boolean;
  sequential: boolean;
  rewire: boolean;
  executor: string;
  safe: string;
  timelock: string;
  json: boolean;
}

export default async function corevaultRedeploy(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const conn = await hre.network.getOrCreate();
  const signers = await conn.ethers.getSigners();
  if (args.signer && !isAddress(args.signer)) throw new CutoverInputError("--signer", args.signer, "give the 0x address of one of this network's configured accounts");
  const signer = args.signer ? signers.find((s) => s.address.toLowerCase() === args.signer.toLowerCase()) : signers[0];
  if (!signer) throw new CutoverInputError("--signer", args.signer, `it is not one of the ${signers.length} accounts configured for ${conn.networkName}; add its key to the network's accounts or pick another`);

  const executor = { ...parseExecutorChoice(args), signer: getAddress(signer.address) };
  const planner = await redeployPlanner(hre, conn, getAddress(signer.address), { ...args, oldVault: args.oldVault || undefined, admin: args.admin || undefined, collateral: args.collateral || undefined, libraries: args.libraries || undefined, rewire: args.rewire, authorities: authorities(executor) });
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
  if (args.planOnly) {
    if (args.json) console.log(toJson({ plan: outcome.plan, planFile: outcome.planFile, alreadyDone: outcome.alreadyDone }));
    else console.log(`\nplan only: nothing sent. Plan written to ${outcome.planFile}`);
    return;
  }
  const report = outcome.report!;
  progress.done(sendSummary(report, (Date.now() - started) / 1000));
  const catalog = new ContractCatalog(hre);
  let records;
  if (outcome.completedNow) records = await writeRedeployRecords(hre, conn, catalog, outcome, planner.system(), planner.records());
  const orderBooks = args.rewire ? await fleetStatus(conn, catalog, outcome.plan, report, planner.fleet()) : undefined;
  if (args.json) {
    console.log(toJson({ planId: report.planId, planFile: outcome.planFile, complete: report.complete, awaiting: report.awaiting, transactionsSent: report.transactionsSent, deployed: report.deployed, results: report.results, proposals: report.proposals, orderBooks, records: records?.contracts }));
  } else {
    console.log(renderResults(report));
    if (orderBooks) console.log(`
${renderFleet(orderBooks)}`);
    if (records) console.log(`\nnew CoreVault ${records.contracts.CORE_VAULT}: records, ${hre.config.cutover.appConfig.contractsModule} and ${hre.config.cutover.appConfig.envFile} updated`);
  }
  if (report.awaiting) {
    process.exitCode = 2;
    if (!args.json) console.log(`\n${renderAwaiting(report, path.dirname(outcome.planFile), Object.fromEntries(outcome.plan.steps.map((s) => [s.id, s.label])))}`);
  } else if (!report.complete) {
    process.exitCode = 1;
    if (!args.json) console.log(`\nThe run is not complete. Fix what failed, then run the same command again: finished steps are skipped, nothing is sent twice.`);
  }
}
