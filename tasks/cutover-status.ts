import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { jsonOutput } from "../src/cli/json-output.js";
import { EXIT } from "../src/cli/exit-codes.js";
import { readStatus, renderStatus } from "../src/status/status.js";
import "../src/type-extensions.js";

interface Args {
  json: boolean;
  markets: boolean;
}

export default async function cutoverStatus(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const conn = await hre.network.getOrCreate();
  const status = await readStatus(hre, conn, { markets: args.markets });
  console.log(args.json ? jsonOutput("status", status) : renderStatus(status));
  if (!status.rpc.reachable) process.exitCode = EXIT.couldNotRun;
}
