// Run with: bash scripts/node22.sh bash bench/run.sh bench/redeploy.ts
// Each mode gets a fresh production-like system (deployed with automine), then the node switches to interval mining
// and `corevault:redeploy` runs through the real task: pipelined, then one transaction at a time.
// BENCH_BATCHING=none runs it through a profile whose vault has no multicall (one transaction per call, as on
// dexetra-v5), pipelined only (BENCH_MODES=pipelined,sequential to add the other).
// BENCH_PROFILE=dexetra-v5 runs the production shape: the Dexetra v5 stand-in, `corevault:redeploy --rewire --halt-old`.
// BENCH_REWIRE=1 runs the mock the same way, `--rewire --pause-old` (pause halts its trading), to compare the profiles.
import hre from "hardhat";
import { deployDexetraSystem } from "../src/mocks/deploy-dexetra.js";
import { deploySystem } from "../src/mocks/deploy-system.js";
import { renderTable } from "../src/report/table.js";
import { resolveProfile } from "../src/profile/resolve.js";
import { standInProtocol } from "../test/helpers/dexetra.js";
import { runTask } from "../test/helpers/tasks.js";

const markets = Number(process.env.BENCH_MARKETS ?? 200);
const blockMs = Number(process.env.BENCH_BLOCK_MS ?? 1000);
const conn = await hre.network.getOrCreate();
const batching = process.env.BENCH_BATCHING === "none" ? "none" : "multicall";
const dexetra = process.env.BENCH_PROFILE === "dexetra-v5";
if (dexetra) hre.config.cutover.protocol = resolveProfile(standInProtocol((await conn.ethers.getSigners())[0].address));
else if (batching === "none") hre.config.cutover.protocol = resolveProfile({ vault: { batching } });
const rewire = process.env.BENCH_REWIRE === "1";
const oneByOne = batching === "none" || dexetra;
const modes = (process.env.BENCH_MODES ?? (oneByOne ? "pipelined" : "pipelined,sequential")).split(",");
const system = { markets, users: 0, seed: "bench" };

async function measure(mode: "pipelined" | "sequential") {
  await conn.provider.request({ method: "evm_setAutomine", params: [true] });
  if (dexetra) await deployDexetraSystem(hre, conn, { ...system, factory: "immutable", seed: `bench-${mode}` });
  else await deploySystem(hre, conn, { ...system, factory: "updatable", seed: `bench-${mode}` });
  await conn.provider.request({ method: "evm_setAutomine", params: [false] });
  await conn.provider.request({ method: "evm_setIntervalMining", params: [blockMs] });
  const started = Date.now();
  const admin = (await conn.ethers.getSigners())[5].address;
  const handoff = { admin, allowEoa: true }; // a test account: --allow-eoa says an EOA admin is meant
  const args = dexetra
    ? { rewire: true, haltOld: true, ...handoff }
    : rewire
      ? { rewire: true, pauseOld: true, ...handoff }
      : {};
  const out = JSON.parse(
    await runTask("corevault:redeploy", { json: true, sequential: mode === "sequential", ...args }),
  );
  const seconds = (Date.now() - started) / 1000;
  if (!out.complete) throw new Error(`${mode} redeploy did not complete`);
  const blocks = new Set(out.results.map((r: { block: number }) => r.block));
  return { mode, transactions: out.transactionsSent as number, blocks: blocks.size, seconds };
}

const results = [];
for (const mode of modes) results.push(await measure(mode as "pipelined" | "sequential"));
console.log(
  `corevault:redeploy${dexetra ? " --rewire --halt-old (dexetra-v5 stand-in)" : rewire ? " --rewire --pause-old (reference mock)" : ""} of ${markets} markets (vault batching: ${dexetra ? "none" : batching}) on a local node mining one block every ${blockMs} ms\n`,
);
console.log(
  renderTable(
    ["mode", "transactions", "blocks used", "wall time (s)"],
    results.map((m) => [m.mode, m.transactions, m.blocks, m.seconds.toFixed(1)]),
  ),
);
const [pipelined, sequential] = results;
if (pipelined && sequential)
  console.log(
    `\nsequential / pipelined: blocks ${(sequential.blocks / pipelined.blocks).toFixed(2)}x, wall time ${(sequential.seconds / pipelined.seconds).toFixed(2)}x`,
  );
