// Run with: bash scripts/node22.sh bash bench/run.sh bench/faulty-rpc.ts
// `corevault:redeploy --pause-old --rewire` of a production-like system (BENCH_MARKETS, default 200) on a local node
// mining every BENCH_BLOCK_MS (default 500), run as one child process whose RPC is the loopback fault proxy: once
// with no faults, once with the issue's hostile rates (15 % drops, 5 % 5xx, 4 % 429, 15 % delays, 25 % of sends
// errored after the node accepted them). Prints transactions, HTTP requests (each faces the fault rates), JSON-RPC
// calls (each entry of a batch) and wall time of each; exits 1 if the faulty run did not complete in one invocation
// with exactly N transactions (the plan's steps not already on chain).
import hre from "hardhat";
import { deploySystem } from "../src/mocks/deploy-system.js";
import { renderTable } from "../src/report/table.js";
import { HOSTILE, NO_FAULTS, startFaultProxy, type FaultRates } from "../test/helpers/fault-proxy.js";
import { finished, hardhat } from "../test/helpers/node.js";

const markets = Number(process.env.BENCH_MARKETS ?? 200);
const blockMs = Number(process.env.BENCH_BLOCK_MS ?? 500);
const seed = Number(process.env.BENCH_SEED ?? 7);
const conn = await hre.network.getOrCreate();
const nodeUrl = conn.networkConfig.type === "http" ? await conn.networkConfig.url.getUrl() : "";
const ARGS = ["corevault:redeploy", "--network", "localhost", "--pause-old", "--rewire", "--json"];

async function latestNonce(account: string): Promise<number> {
  return conn.ethers.provider.getTransactionCount(account, "latest");
}

async function measure(mode: string, rates: FaultRates) {
  await conn.provider.request({ method: "evm_setAutomine", params: [true] });
  const system = await deploySystem(hre, conn, {
    markets,
    users: 0,
    factory: "updatable",
    seed: `bench-faults-${mode}`,
  });
  const sender = system.admin as string;
  // N: the plan's steps not already on chain (the CREATE2 facet, for one, is deployed once per chain).
  const planned = JSON.parse((await finished(hardhat([...ARGS, "--plan-only"], { LOCAL_RPC_URL: nodeUrl }))).stdout);
  const expected = planned.plan.steps.length - planned.alreadyDone.length;
  const before = await latestNonce(sender);
  await conn.provider.request({ method: "evm_setAutomine", params: [false] });
  await conn.provider.request({ method: "evm_setIntervalMining", params: [blockMs] });
  const proxy = await startFaultProxy(nodeUrl, rates, seed);
  const started = Date.now();
  const run = await finished(hardhat(ARGS, { LOCAL_RPC_URL: proxy.url }));
  const seconds = (Date.now() - started) / 1000;
  await proxy.close();
  await conn.provider.request({ method: "evm_setAutomine", params: [true] });
  const out = run.code === 0 ? JSON.parse(run.stdout) : undefined;
  return {
    mode,
    exit: run.code,
    complete: out?.complete === true,
    expected,
    transactions: (await latestNonce(sender)) - before,
    requests: proxy.stats.requests,
    stats: proxy.stats,
    seconds,
    stderr: run.stderr,
  };
}

const clean = await measure("clean", NO_FAULTS);
const faulty = await measure("faulty", HOSTILE);
console.log(
  `corevault:redeploy --pause-old --rewire of ${markets} markets, one invocation each, node mining every ${blockMs} ms\n`,
);
console.log(
  renderTable(
    [
      "RPC",
      "exit",
      "complete",
      "N (steps to send)",
      "transactions",
      "HTTP requests",
      "JSON-RPC calls",
      "eth_estimateGas",
      "wall time (s)",
    ],
    [clean, faulty].map((m) => [
      m.mode,
      m.exit,
      m.complete,
      m.expected,
      m.transactions,
      m.requests,
      Object.values(m.stats.calls).reduce((a, b) => a + b, 0),
      m.stats.byMethod.eth_estimateGas ?? 0,
      m.seconds.toFixed(1),
    ]),
  ),
);
for (const m of [clean, faulty])
  console.log(
    `${m.mode}: most requested ${Object.entries(m.stats.byMethod)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([method, n]) => `${method} ${n}`)
      .join(", ")}`,
  );
const s = faulty.stats;
console.log(
  `\nfaults injected: ${s.dropped} dropped, ${s.serverErrors} 5xx, ${s.tooMany} 429, ${s.delayed} delayed, ${s.sendsAcceptedThenErrored} sends accepted then errored (seed ${seed})`,
);
console.log(
  `faulty / clean: requests ${(faulty.requests / clean.requests).toFixed(2)}x, wall time ${(faulty.seconds / clean.seconds).toFixed(2)}x`,
);
if ([clean, faulty].some((m) => !m.complete || m.transactions !== m.expected)) {
  console.log(`\nFAILED\n${clean.stderr}\n${faulty.stderr}`);
  process.exitCode = 1;
}
