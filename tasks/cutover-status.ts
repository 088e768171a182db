import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { jsonOutput } from "../src/cli/json-output.js";
import { EXIT } from "../src/cli/exit-codes.js";
import { readStatus, renderStatus } from "../src/status/status.js";
import { drainingOf, renderDraining } from "../src/funds/draining.js";
import "../src/type-extensions.js";

interface Args {
  json: boolean;
  markets: boolean;
  fundsSnapshot: string;
}

export default async function cutoverStatus(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const conn = await hre.network.getOrCreate();
  const status = await readStatus(hre, conn, { markets: args.markets });
  const draining =
    args.fundsSnapshot && status.rpc.reachable ? await drainingOf(hre, conn, args.fundsSnapshot) : undefined;
  if (args.json) console.log(jsonOutput("status", draining ? { ...status, draining } : status));
  else console.log([renderStatus(status), ...(draining ? [renderDraining(draining)] : [])].join("\n"));
  if (!status.rpc.reachable) process.exitCode = EXIT.couldNotRun;
}
