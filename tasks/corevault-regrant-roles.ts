import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { runEngineCommand, type EngineArgs } from "../src/cli/engine-command.js";
import { regrantPlanner } from "../src/roles/regrant.js";

interface Args extends EngineArgs {
  vault: string;
  desired: string;
  revokeExtra: boolean;
  allowEoa: boolean;
}

export default async function corevaultRegrantRoles(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runEngineCommand(hre, args, {
    planner: (ctx) =>
      regrantPlanner(ctx, {
        vault: args.vault || undefined,
        desired: args.desired || undefined,
        revokeExtra: args.revokeExtra,
        allowEoa: args.allowEoa,
      }),
    results: (_ctx, outcome) => ({ json: { vault: outcome.state.vault, kept: outcome.state.kept } }),
  });
}
