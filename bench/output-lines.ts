// Run with: bash scripts/node22.sh hardhat run bench/output-lines.ts   (in-process chain; BENCH_MARKETS to change size,
// BENCH_PRINT=1 to print the output itself)
// Counts what `corevault:redeploy --rewire` prints for people on a fresh production-like system: lines and the widest
// line, by default and with --verbose (each on its own fresh system). App config goes to a temp dir.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";
import { deploySystem } from "../src/mocks/deploy-system.js";
import { renderTable } from "../src/report/table.js";
import { runTask } from "../test/helpers/tasks.js";

const markets = Number(process.env.BENCH_MARKETS ?? 200);
const conn = await hre.network.getOrCreate();
const dir = await mkdtemp(path.join(tmpdir(), "cutover-bench-"));
hre.config.cutover.appConfig.contractsModule = path.join(dir, "contracts.js");
hre.config.cutover.appConfig.envFile = path.join(dir, ".env.local");

async function measure(verbose: boolean) {
  await deploySystem(hre, conn, { markets, users: 0, factory: "updatable", seed: `bench-out-${verbose}` });
  const printed = await runTask("corevault:redeploy", { rewire: true, ...(verbose ? { verbose: true } : {}) });
  const lines = printed.split("\n");
  if (process.env.BENCH_PRINT) console.log(printed);
  return {
    mode: verbose ? "--verbose" : "default",
    lines: lines.length,
    widest: Math.max(...lines.map((l) => l.length)),
  };
}

const rows = [];
for (const verbose of (process.env.BENCH_MODES ?? "default,verbose").split(","))
  rows.push(await measure(verbose === "verbose"));
console.log(`corevault:redeploy --rewire of ${markets} markets on the in-process chain: what it prints on stdout\n`);
console.log(
  renderTable(
    ["output", "lines", "widest line (columns)"],
    rows.map((r) => [r.mode, r.lines, r.widest]),
  ),
);
