// corevault:migrate-funds --mode withdraw-only, the task's part: run the planner, then check the old vault (halted,
// withdrawals open, solvent) and show its draining.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { runEngineCommand, type EngineArgs } from "../cli/engine-command.js";
import { ContractCatalog } from "../engine/contracts.js";
import { Reader } from "../engine/reader.js";
import { renderResults } from "../report/results.js";
import { withdrawOnlyChecksIfRun } from "../verify/checks-withdraw.js";
import { withdrawOnlyPlanner } from "./plan-withdraw-only.js";
import type { Snapshot } from "./snapshot.js";
import { requireSnapshotChain } from "./take-snapshot.js";
import { marketsKeptOn, refuseKeptMarkets } from "./kept-markets.js";

export async function withdrawOnly(
  hre: HardhatRuntimeEnvironment,
  args: EngineArgs & { snapshot: string },
  snapshot: Snapshot,
): Promise<void> {
  await runEngineCommand(hre, args, {
    planner: async (ctx) => {
      requireSnapshotChain(snapshot, args.snapshot, Number((await ctx.conn.ethers.provider.getNetwork()).chainId));
      const kept = await marketsKeptOn(hre.config.paths.root, ctx.conn.networkName, snapshot.vault);
      refuseKeptMarkets(args.snapshot, snapshot.vault, kept);
      return withdrawOnlyPlanner(ctx, { snapshot, profile: hre.config.cutover.protocol });
    },
    results: async (ctx, outcome) => {
      if (!outcome.report?.complete) return {};
      const provider = ctx.conn.ethers.provider;
      const reader = new Reader(provider, new ContractCatalog(hre), await provider.getBlockNumber());
      const checks = (await withdrawOnlyChecksIfRun(hre, ctx.conn.networkName, reader, snapshot))!;
      const lines = checks.map((c) => `${c.status === "pass" ? "PASS" : "FAIL"} ${c.title}: ${c.evidence}`);
      return {
        json: { checks },
        failed: checks.some((c) => c.status !== "pass"),
        text: [renderResults(outcome.report), ...lines],
      };
    },
  });
}
