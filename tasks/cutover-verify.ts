import path from "node:path";
import { jsonOutput } from "../src/cli/json-output.js";
import { verifyProgress } from "../src/cli/verify-progress.js";
import { networkDir } from "../src/records/records.js";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { parseBlock } from "../src/cli/inputs.js";
import { renderVerifyTable } from "../src/verify/report.js";
import { runVerify } from "../src/verify/verify.js";
import "../src/type-extensions.js";

interface Args {
  oldVault: string;
  block: string;
  skipSmoke: boolean;
  sources: boolean;
  reportDir: string;
  fundsSnapshot: string;
  json: boolean;
}

export default async function cutoverVerify(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const conn = await hre.network.getOrCreate();
  const block = parseBlock(args.block, await conn.ethers.provider.getBlockNumber());
  const reportDir = args.reportDir
    ? path.resolve(hre.config.paths.root, args.reportDir)
    : path.join(networkDir(hre.config.paths.root, conn.networkName), "verify");
  const progress = verifyProgress(!args.json, path.join(reportDir, "timings.json"));
  const outcome = await runVerify(hre, conn, {
    oldVault: args.oldVault || undefined,
    block,
    smoke: !args.skipSmoke,
    sources: args.sources,
    reportDir,
    fundsSnapshot: args.fundsSnapshot ? path.resolve(hre.config.paths.root, args.fundsSnapshot) : undefined,
    onPhase: progress.onPhase,
  }).finally(progress.end);
  const { report } = outcome;
  if (args.json)
    console.log(
      jsonOutput("verify", {
        ...report,
        markdownFile: path.relative(hre.config.paths.root, outcome.markdownFile),
        jsonFile: path.relative(hre.config.paths.root, outcome.jsonFile),
        htmlFile: path.relative(hre.config.paths.root, outcome.htmlFile),
      }),
    );
  else
    console.log(
      `${renderVerifyTable(report)}\nreports: ${[outcome.markdownFile, outcome.jsonFile, outcome.htmlFile].map((f) => path.relative(hre.config.paths.root, f)).join(", ")}`,
    );
  if (report.failed > 0) process.exitCode = 1; // gates the go-live in CI
}
