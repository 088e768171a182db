// Run with: bash scripts/node22.sh bash bench/run.sh bench/verify.ts            (BENCH_MARKETS to change the size)
// A production-like system of BENCH_MARKETS OrderBooks on a local `hardhat node`, redeployed and rewired through the
// real tasks; then cutover:verify's reads and checks (everything but the smoke tests, which run on a fork) twice on
// the same node: batched through Multicall3, and one request per read. Requests are counted by a counting proxy: a
// small HTTP server on 127.0.0.1 that forwards every POST to the node and counts the JSON-RPC messages in it (a
// batch array counts each message); the verify connection talks to the node only through it.
import { createServer } from "node:http";
import hre from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import { ContractCatalog } from "../src/engine/contracts.js";
import { localMulticall3 } from "../src/engine/local-chain.js";
import { deploySystem } from "../src/mocks/deploy-system.js";
import { renderTable } from "../src/report/table.js";
import { observeAndCheck } from "../src/verify/verify.js";
import { runTask } from "../test/helpers/tasks.js";

const markets = Number(process.env.BENCH_MARKETS ?? 1000);
const nodeUrl = process.env.LOCAL_RPC_URL ?? "http://127.0.0.1:8545";
const conn = await hre.network.getOrCreate();
const [, admin] = await conn.ethers.getSigners();

const started = Date.now();
await deploySystem(hre, conn, { markets, users: 0, factory: "updatable", seed: "bench-verify" });
await localMulticall3(conn, new ContractCatalog(hre));
const redeploy = JSON.parse(
  await runTask("corevault:redeploy", { json: true, pauseOld: true, admin: admin.address, allowEoa: true }),
);
const rewire = JSON.parse(await runTask("orderbook:rewire", { json: true }));
if (!redeploy.complete || !rewire.complete) throw new Error("the cutover did not complete");
console.log(`set up ${markets} markets, redeployed and rewired in ${((Date.now() - started) / 1000).toFixed(0)} s`);

let methods: string[] = [];
let posts = 0;
const proxy = createServer((req, res) => {
  let body = "";
  req.on("data", (chunk) => (body += chunk));
  req.on("end", async () => {
    posts++;
    const parsed = JSON.parse(body) as { method: string } | { method: string }[];
    methods.push(...(Array.isArray(parsed) ? parsed : [parsed]).map((m) => m.method));
    const answer = await fetch(nodeUrl, { method: "POST", headers: { "content-type": "application/json" }, body });
    res.writeHead(answer.status, { "content-type": "application/json" });
    res.end(await answer.text());
  });
});
await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
const proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;

async function measure(mode: "Multicall3 batches" | "one request per read", batch: boolean) {
  const counted = (await hre.network.create({
    network: "localhost",
    override: { url: proxyUrl },
  })) as NetworkConnection;
  methods = [];
  posts = 0;
  const t0 = Date.now();
  const { checks, observed } = await observeAndCheck(hre, counted, { readerOptions: { batch } });
  const seconds = (Date.now() - t0) / 1000;
  const failed = checks.filter((c) => c.status === "fail").map((c) => c.name);
  if (failed.length > 0) throw new Error(`${mode}: checks failed: ${failed.join(", ")}`);
  await counted.close();
  const byMethod = Object.entries(
    methods.reduce<Record<string, number>>((acc, m) => ({ ...acc, [m]: (acc[m] ?? 0) + 1 }), {}),
  )
    .map(([m, n]) => `${m} ${n}`)
    .join(", ");
  return {
    mode,
    requests: methods.length,
    posts,
    seconds,
    byMethod,
    books: Object.keys(observed.orderBooks).length,
    checks: checks.length,
  };
}

const batched = await measure("Multicall3 batches", true);
const plain = await measure("one request per read", false);
proxy.close();
console.log(
  `\ncutover:verify reads and checks (${batched.checks} checks, smoke excluded) for ${batched.books} OrderBooks on a local hardhat node\n`,
);
console.log(
  renderTable(
    ["reads", "JSON-RPC requests", "wall time (s)", "requests by method"],
    [batched, plain].map((m) => [m.mode, m.requests, m.seconds.toFixed(2), m.byMethod]),
  ),
);
console.log(
  `\none request per read / batched: requests ${(plain.requests / batched.requests).toFixed(0)}x, wall time ${(plain.seconds / batched.seconds).toFixed(1)}x`,
);
