import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { runEngineCommand, type EngineArgs } from "../src/cli/engine-command.js";
import { ContractCatalog } from "../src/engine/contracts.js";
import { renderFleetView } from "../src/orderbook/fleet-view.js";
import { replacedOrderBooks } from "../src/orderbook/redeploy-books.js";
import { fleetStatus, rewirePlanner } from "../src/orderbook/rewire-planner.js";
import { writeRewireRecords } from "../src/records/plan-records.js";

interface Args extends EngineArgs {
  strategy: string;
  vault: string;
  orderbooks: string;
  facets: string;
  remove: string;
  allowTakeover: string;
  markets: string;
  exceptMarkets: string;
}

export default async function orderbookRewire(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runEngineCommand(hre, args, {
    planner: (ctx) =>
      rewirePlanner(ctx, {
        strategy: args.strategy,
        vault: args.vault,
        orderBooks: args.orderbooks,
        facets: args.facets,
        remove: args.remove,
        allowTakeover: args.allowTakeover,
        markets: args.markets,
        exceptMarkets: args.exceptMarkets,
      }),
    async results({ hre, conn }, outcome) {
      const { report } = outcome;
      if (!report) return {};
      const catalog = new ContractCatalog(hre);
      await writeRewireRecords(
        hre,
        conn,
        catalog,
        outcome,
        replacedOrderBooks(outcome.plan, hre.config.cutover.protocol),
      );
      const rows = [
        ...(await fleetStatus(conn, catalog, outcome.plan, report, outcome.state.fleet)),
        ...(outcome.state.replaced ?? []),
      ];
      return {
        json: { orderBooks: rows },
        text: [renderFleetView(rows, args.verbose === true)],
        failed: rows.some((r) => r.status === "failed" || r.status === "blocked"),
        unfinished:
          "Not every OrderBook is rewired. Fix what failed, then run the same command again: only what remains is sent.",
      };
    },
  });
}
