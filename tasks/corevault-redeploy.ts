import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { runEngineCommand, type EngineArgs } from "../src/cli/engine-command.js";
import { appConfigSkipped } from "../src/records/app-config-policy.js";
import { redeployPlanner, writeRedeployRecords } from "../src/corevault/redeploy.js";
import { checkResumeAlone, resumeOldPlanner } from "../src/corevault/resume-old.js";
import { ContractCatalog } from "../src/engine/contracts.js";
import { renderFleetView } from "../src/orderbook/fleet-view.js";
import { fleetStatus } from "../src/orderbook/rewire-planner.js";
import { renderResults } from "../src/report/results.js";

interface Args extends EngineArgs {
  oldVault: string;
  pauseOld: boolean;
  haltOld: boolean;
  admin: string;
  allowEoa: boolean;
  collateral: string;
  libraries: string;
  rewire: boolean;
  markets: string;
  exceptMarkets: string;
  resumeOld: boolean;
}

export default async function corevaultRedeploy(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  if (args.resumeOld) {
    checkResumeAlone({
      "--pause-old": args.pauseOld,
      "--halt-old": args.haltOld,
      "--rewire": args.rewire,
      "--markets": args.markets !== "",
      "--except-markets": args.exceptMarkets !== "",
    });
    await runEngineCommand(hre, args, { planner: (ctx) => resumeOldPlanner(ctx, { oldVault: args.oldVault }) });
    return;
  }
  await runEngineCommand(hre, args, {
    planner: (ctx) =>
      redeployPlanner(ctx, {
        oldVault: args.oldVault,
        pauseOld: args.pauseOld,
        haltOld: args.haltOld,
        admin: args.admin,
        allowEoa: args.allowEoa,
        collateral: args.collateral,
        libraries: args.libraries,
        rewire: args.rewire,
        markets: args.markets,
        exceptMarkets: args.exceptMarkets,
      }),
    async results({ hre, conn }, outcome) {
      const { report } = outcome;
      if (!report) return {};
      const catalog = new ContractCatalog(hre);
      const records = outcome.completedNow ? await writeRedeployRecords(hre, conn, catalog, outcome) : undefined;
      const orderBooks = args.rewire
        ? await fleetStatus(conn, catalog, outcome.plan, report, outcome.state.fleet)
        : undefined;
      const { contractsModule, envFile } = hre.config.cutover.appConfig;
      return {
        json: { orderBooks, records: records?.contracts },
        text: [
          renderResults(report, args.verbose === true),
          ...(orderBooks ? [`\n${renderFleetView(orderBooks, args.verbose === true)}`] : []),
          ...(records
            ? [
                `\nnew CoreVault ${records.contracts.CORE_VAULT}: records updated`,
                `app config ${appConfigSkipped(hre, conn) ?? `${path.relative(hre.config.paths.root, contractsModule)} and ${path.relative(hre.config.paths.root, envFile)} updated`}`,
              ]
            : []),
        ],
      };
    },
  });
}
