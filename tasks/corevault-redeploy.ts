import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { ContractCatalog } from "../src/engine/contracts.js";
import { authorities, parseExecutorChoice } from "../src/engine/executor.js";
import { finishRun, printPlanOnly, resolveSigner, runEngineTask, type EngineTaskArgs } from "../src/engine/task-run.js";
import { redeployPlanner, writeRedeployRecords } from "../src/corevault/redeploy.js";
import { fleetStatus, renderFleet } from "../src/orderbook/rewire-planner.js";
import { renderResults } from "../src/report/results.js";
import { toJson } from "../src/util/json.js";

interface Args extends EngineTaskArgs {
  oldVault: string;
  pauseOld: boolean;
  admin: string;
  collateral: string;
  libraries: string;
  signer: string;
  rewire: boolean;
  executor: string;
  safe: string;
  timelock: string;
}

export default async function corevaultRedeploy(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const conn = await hre.network.getOrCreate();
  const signer = await resolveSigner(conn, args.signer);
  const executor = { ...parseExecutorChoice(args), signer };
  const planner = await redeployPlanner(hre, conn, signer, {
    oldVault: args.oldVault || undefined,
    pauseOld: args.pauseOld,
    admin: args.admin || undefined,
    collateral: args.collateral || undefined,
    libraries: args.libraries || undefined,
    rewire: args.rewire,
    authorities: authorities(executor),
  });
  const outcome = await runEngineTask(hre, conn, planner, args, executor);
  const { report } = outcome;
  if (!report) return printPlanOnly(outcome, args.json);
  const catalog = new ContractCatalog(hre);
  const records = outcome.completedNow ? await writeRedeployRecords(hre, conn, catalog, outcome, planner.system(), planner.records()) : undefined;
  const orderBooks = args.rewire ? await fleetStatus(conn, catalog, outcome.plan, report, planner.fleet()) : undefined;
  if (args.json) {
    console.log(toJson({ planId: report.planId, planFile: outcome.planFile, complete: report.complete, awaiting: report.awaiting, transactionsSent: report.transactionsSent, deployed: report.deployed, results: report.results, proposals: report.proposals, orderBooks, records: records?.contracts }));
  } else {
    console.log(renderResults(report));
    if (orderBooks) console.log(`\n${renderFleet(orderBooks)}`);
    if (records) console.log(`\nnew CoreVault ${records.contracts.CORE_VAULT}: records, ${hre.config.cutover.appConfig.contractsModule} and ${hre.config.cutover.appConfig.envFile} updated`);
  }
  finishRun({ ...outcome, report }, args.json);
}
