import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { jsonLine } from "../src/cli/json-output.js";
import { CutoverInputError } from "../src/errors.js";
import { renderWatchLine, watchVaults } from "../src/watch/watch.js";
import "../src/type-extensions.js";

interface Args {
  fromBlock: string;
  blocks: number;
  seconds: number;
  oldVault: string;
  pollMs: number;
  json: boolean;
}

export default async function cutoverWatch(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const conn = await hre.network.getOrCreate();
  let fromBlock: number | undefined;
  if (args.fromBlock !== "") {
    fromBlock = Number(args.fromBlock);
    if (!Number.isSafeInteger(fromBlock) || fromBlock < 0)
      throw new CutoverInputError(
        "--from-block",
        args.fromBlock,
        "give a block number, e.g. --from-block 1200 (default: the next block)",
      );
  }
  for (const [name, value] of [
    ["--blocks", args.blocks],
    ["--seconds", args.seconds],
    ["--poll-ms", args.pollMs],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new CutoverInputError(name, value, `give a whole number >= 0 (0: no limit / default), e.g. ${name} 60`);
  }
  if (!args.json)
    console.log(
      `watching${fromBlock !== undefined ? ` from block ${fromBlock}` : ""}${args.blocks ? ` for ${args.blocks} block(s)` : ""}${args.seconds ? ` for at most ${args.seconds} s` : ""}…`,
    );
  const summary = await watchVaults(hre, conn, {
    oldVault: args.oldVault || undefined,
    fromBlock,
    blocks: args.blocks,
    seconds: args.seconds,
    pollMs: args.pollMs,
    onLine: (line) => console.log(args.json ? jsonLine("watch", line) : renderWatchLine(line)),
  });
  const text = `watched blocks ${summary.fromBlock}-${summary.toBlock} of the old vault ${summary.oldVault} and the new vault ${summary.newVault} (cutover done at block ${summary.cutoverBlock}): ${summary.events} event(s), ${summary.alarms} alarm(s)`;
  console.log(args.json ? jsonLine("watch", { kind: "summary", ...summary }) : text);
  if (summary.alarms > 0) process.exitCode = 1;
}
