import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { ContractCatalog } from "../src/engine/contracts.js";
import { parseExecutorChoice } from "../src/engine/executor.js";
import { finishRun, printPlanOnly, resolveSigner, runEngineTask, type EngineTaskArgs } from "../src/engine/task-run.js";
import { fleetStatus, renderFleet, rewirePlanner, writeRewireRecords } from "../src/orderbook/rewire-planner.js";
import { toJson } from "../src/util/json.js";

interface Args extends EngineTaskArgs {
  strategy: string;
  vault: string;
  orderbooks: string;
  facets: string;
  remove: string;
  allowTakeover: string;
  signer: string;
  executor: string;
  safe: string;
  timelock: string;
}

export default async function orderbookRewire(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const conn = await hre.network.getOrCreate();
  const signer = await resolveSigner(conn, args.signer);
  const executor = { ...parseExecutorChoice(args), signer };
  const { planner, fleet } = await rewirePlanner(hre, conn, signer, { strategy: args.strategy, vault: args.vault, orderBooks: args.orderbooks, facets: args.facets, remove: args.remove, allowTakeover: args.allowTakeover });
  const outcome = await runEngineTask(hre, conn, planner, args, executor);
  const { report } = outcome;
  if (!report) return printPlanOnly(outcome, args.json);
  const catalog = new ContractCatalog(hre);
  await writeRewireRecords(hre, conn, catalog, outcome);
  const rows = await fleetStatus(conn, catalog, outcome.plan, report, fleet());
  const failed = rows.some((r) => r.status === "failed" || r.status === "blocked");
  if (args.json) {
    console.log(toJson({ planId: report.planId, complete: report.complete && !failed, awaiting: report.awaiting, transactionsSent: report.transactionsSent, deployed: report.deployed, orderBooks: rows, results: report.results, proposals: report.proposals }));
  } else {
    console.log(renderFleet(rows));
  }
  finishRun({ ...outcome, report }, args.json, failed, "Not every OrderBook is rewired. Fix what failed, then run the same command again: only what remains is sent.");
}
