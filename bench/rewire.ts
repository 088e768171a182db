// Run with: bash scripts/node22.sh bash bench/run.sh bench/rewire.ts
// 200 OrderBooks redeployed onto a new vault, then `orderbook:rewire` through the real task on a node mining one
// block every BENCH_BLOCK_MS: pipelined, then one transaction at a time (a fresh system each). Also the gas of one
// minimal hand-written cut+init, the baseline for the per-OrderBook gas.
import { Contract } from "ethers";
import hre from "hardhat";
import { deploySystem } from "../src/mocks/deploy-system.js";
import { renderTable } from "../src/report/table.js";
import { runTask } from "../test/helpers/tasks.js";

const markets = Number(process.env.BENCH_MARKETS ?? 200);
const blockMs = Number(process.env.BENCH_BLOCK_MS ?? 250);
const conn = await hre.network.getOrCreate();

async function mining(ms?: number) {
  await conn.provider.request({ method: "evm_setAutomine", params: [ms === undefined] });
  if (ms !== undefined) await conn.provider.request({ method: "evm_setIntervalMining", params: [ms] });
}

async function measure(mode: "pipelined" | "sequential") {
  await mining();
  await deploySystem(hre, conn, { markets, users: 0, factory: "updatable", seed: `bench-rewire-${mode}` });
  await runTask("corevault:redeploy", { json: true });
  await mining(blockMs);
  const started = Date.now();
  const out = JSON.parse(await runTask("orderbook:rewire", { json: true, sequential: mode === "sequential" }));
  const seconds = (Date.now() - started) / 1000;
  if (!out.complete) throw new Error(`${mode} rewire did not complete`);
  const cuts = out.orderBooks.filter((b: { status: string }) => b.status === "rewired");
  const gas = cuts.map((b: { gasUsed: string }) => Number(b.gasUsed));
  const blocks = new Set(
    out.results.filter((r: { sentNow?: boolean }) => r.sentNow).map((r: { block: number }) => r.block),
  );
  return {
    mode,
    transactions: out.transactionsSent as number,
    blocks: blocks.size,
    gasPerOrderBook: Math.round(gas.reduce((a: number, b: number) => a + b, 0) / gas.length),
    seconds,
    facet: out.deployed.VaultAdminFacet as string,
  };
}

/** The smallest rewire by hand: one diamondCut adding setVault with setVault(newVault) as init, on a fresh diamond. */
async function minimalCut(facet: string) {
  await mining();
  const system = await deploySystem(hre, conn, { markets: 1, users: 0, factory: "updatable", seed: "bench-minimal" });
  const [admin] = await conn.ethers.getSigners();
  const facetAbi = (await hre.artifacts.readArtifact("VaultAdminFacet")).abi;
  const cutAbi = (await hre.artifacts.readArtifact("DiamondCutFacet")).abi;
  const book = new Contract(system.markets[0].orderBook, cutAbi, admin);
  const setVault = new Contract(facet, facetAbi).interface;
  const tx = await book.diamondCut(
    [{ facetAddress: facet, action: 0, functionSelectors: [setVault.getFunction("setVault")!.selector] }],
    facet,
    setVault.encodeFunctionData("setVault", [admin.address]),
  );
  return Number((await tx.wait()).gasUsed);
}

const pipelined = await measure("pipelined");
const sequential = await measure("sequential");
const minimal = await minimalCut(pipelined.facet);
console.log(`orderbook:rewire of ${markets} OrderBooks on a local node mining one block every ${blockMs} ms\n`);
console.log(
  renderTable(
    ["mode", "transactions", "blocks used", "gas per OrderBook", "wall time (s)"],
    [pipelined, sequential].map((m) => [m.mode, m.transactions, m.blocks, m.gasPerOrderBook, m.seconds.toFixed(1)]),
  ),
);
console.log(
  `\nminimal hand-written cut+init: ${minimal} gas; the tool's cut: ${(pipelined.gasPerOrderBook / minimal).toFixed(2)}x of it`,
);
console.log(
  `sequential / pipelined: blocks ${(sequential.blocks / pipelined.blocks).toFixed(2)}x, wall time ${(sequential.seconds / pipelined.seconds).toFixed(2)}x`,
);
