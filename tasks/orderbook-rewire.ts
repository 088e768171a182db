import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { getAddress } from "ethers";
import { ContractCatalog } from "../src/engine/contracts.js";
import { parseExecutorChoice } from "../src/engine/executor.js";
import { runCutover } from "../src/engine/run.js";
import { fleetStatus, renderFleet, rewirePlanner, writeRewireRecords } from "../src/orderbook/rewire-planner.js";
import { progressLine } from "../src/report/progress.js";
import { renderAwaiting } from "../src/report/proposals.js";
import { sendSummary } from "../src/report/results.js";
import { toJson } from "../src/util/json.js";
import "../src/type-extensions.js";

interface Args {
  strategy: string;
  vault: string;
  orderbooks: string;
  facets: string;
  remove: string;
  allowTakeover: string;
  signer: string;
  planOnly: boolean;
  replan: boolean;
  yes: boolean;
  sequential: boolean;
  executor: string;
  safe: string;
  timelock: string;
  json: boolean;
}

export default async function orderbookRewire(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const conn = await hre.network.getOrCreate();
  const [firstSigner] = await conn.ethers.getSigners();
  const signer = getAddress(args.signer || firstSigner.address);
  const executor = { ...parseExecutorChoice(args), signer };
  const { planner, fleet } = await rewirePlanner(hre, conn, signer, { strategy: args.strategy, vault: args.vault, orderBooks: args.orderbooks, facets: args.facets, remove: args.remove, allowTakeover: args.allowTakeover });
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
  await writeRewireRecords(hre, conn, catalog, outcome);
  const rows = await fleetStatus(conn, catalog, outcome.plan, report, fleet());
  const failed = rows.some((r) => r.status === "failed" || r.status === "blocked");
  if (args.json) {
    console.log(toJson({ planId: report.planId, complete: report.complete && !failed, awaiting: report.awaiting, transactionsSent: report.transactionsSent, deployed: report.deployed, orderBooks: rows, results: report.results, proposals: report.proposals }));
  } else {
    console.log(renderFleet(rows));
  }
  if (report.awaiting && !failed) {
    process.exitCode = 2;
    if (!args.json) console.log(`\n${renderAwaiting(report, path.dirname(outcome.planFile), Object.fromEntries(outcome.plan.steps.map((s) => [s.id, s.label])))}`);
  } else if (!report.complete || failed) {
    process.exitCode = 1;
    if (!args.json) console.log(`\nNot every OrderBook is rewired. Fix what failed, then run the same command again: only what remains is sent.`);
  }
}
