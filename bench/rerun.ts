// Run with: bash scripts/node22.sh bash bench/run.sh bench/rerun.ts
// A completed `corevault:redeploy` of BENCH_MARKETS markets (default 1 000) run again (it sends nothing), as one child
// process whose RPC is a loopback counting proxy: JSON-RPC requests (HTTP requests; a JSON-RPC batch counts once) by
// method, and wall time. BENCH_REWIRE=1 adds --rewire. Issue 16's target: at most 60 requests at 1 000 markets.
import hre from "hardhat";
import { deploySystem } from "../src/mocks/deploy-system.js";
import { renderTable } from "../src/report/table.js";
import { NO_FAULTS, startFaultProxy } from "../test/helpers/fault-proxy.js";
import { finished, hardhat } from "../test/helpers/node.js";

const markets = Number(process.env.BENCH_MARKETS ?? 1000);
const conn = await hre.network.getOrCreate();
const nodeUrl = conn.networkConfig.type === "http" ? await conn.networkConfig.url.getUrl() : "";
const ARGS = [
  "corevault:redeploy",
  "--network",
  "localhost",
  "--json",
  ...(process.env.BENCH_REWIRE ? ["--rewire"] : []),
];

await deploySystem(hre, conn, { markets, users: 0, factory: "updatable", seed: "bench-rerun" });
const first = await finished(hardhat(ARGS, { LOCAL_RPC_URL: nodeUrl }));
if (first.code !== 0) throw new Error(`the first run failed:\n${first.stderr}`);
const proxy = await startFaultProxy(nodeUrl, NO_FAULTS);
const started = Date.now();
const rerun = await finished(hardhat(ARGS, { LOCAL_RPC_URL: proxy.url }));
const seconds = (Date.now() - started) / 1000;
await proxy.close();
const out = JSON.parse(rerun.stdout);
console.log(
  `rerun of a completed corevault:redeploy${process.env.BENCH_REWIRE ? " --rewire" : ""} of ${markets} markets\n`,
);
console.log(
  renderTable(
    ["exit", "complete", "sent", "JSON-RPC requests", "wall time (s)"],
    [[rerun.code, out.complete, out.transactionsSent, proxy.stats.requests, seconds.toFixed(1)]],
  ),
);
console.log(`\nby method: ${JSON.stringify(proxy.stats.byMethod)}`);
