// corevault:migrate-funds --settle-at, the task's part: the settlement run, then what to do next (a new snapshot).
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { runEngineCommand, type EngineArgs } from "../cli/engine-command.js";
import { renderResults } from "../report/results.js";
import { settlePlanner } from "./plan-settle.js";
import type { Snapshot } from "./snapshot.js";
import { requireSnapshotChain } from "./take-snapshot.js";

export async function settleFirst(
  hre: HardhatRuntimeEnvironment,
  args: EngineArgs & { snapshot: string; settleAt: string; mode: string },
  snapshot: Snapshot,
): Promise<void> {
  await runEngineCommand(hre, args, {
    planner: async (ctx) => {
      requireSnapshotChain(snapshot, args.snapshot, Number((await ctx.conn.ethers.provider.getNetwork()).chainId));
      return settlePlanner(ctx, { snapshot, profile: hre.config.cutover.protocol, settleAt: args.settleAt });
    },
    results: async (ctx, outcome) => {
      if (!outcome.report?.complete) return {};
      // the default snapshot block (latest − confirmations) may be before the settlement's last transaction
      const block = await ctx.conn.ethers.provider.getBlockNumber();
      const next = `markets settled: take a new snapshot at or after block ${block} (corevault:snapshot --vault ${snapshot.vault} --block ${block}), then run corevault:migrate-funds --mode ${args.mode} --snapshot <the new file> (without --settle-at): users who held positions are migrated with it`;
      return { json: { next }, text: [renderResults(outcome.report), next] };
    },
  });
}
