// Run with: bash scripts/node22.sh bash bench/run.sh bench/deploy-system.ts
// `mocks:deploy-system` through the real task on a local node (automine), on both profiles: BENCH_MARKETS markets
// (default 50) and BENCH_USERS users (default 6), in the order BENCH_PROFILES gives (default
// "reference,dexetra-v5"; the first one measured also pays the process's warm-up). Wall time, transactions sent and the deployed size of each stand-in
// contract (EIP-170 limit: 24576 bytes).
import hre from "hardhat";
import { renderTable } from "../src/report/table.js";
import { runTask } from "../test/helpers/tasks.js";

const markets = Number(process.env.BENCH_MARKETS ?? 50);
const users = Number(process.env.BENCH_USERS ?? 6);
const conn = await hre.network.getOrCreate();
const [deployer] = await conn.ethers.getSigners();

async function measure(profile: string) {
  const nonceBefore = await conn.ethers.provider.getTransactionCount(deployer.address);
  const blockBefore = await conn.ethers.provider.getBlockNumber();
  const started = Date.now();
  await runTask("mocks:deploy-system", { profile, markets, users, seed: `bench-${profile}`, json: true });
  const seconds = (Date.now() - started) / 1000;
  const blocks = (await conn.ethers.provider.getBlockNumber()) - blockBefore;
  const deployerTxs = (await conn.ethers.provider.getTransactionCount(deployer.address)) - nonceBefore;
  return [profile, markets, users, blocks, deployerTxs, seconds.toFixed(1)];
}

const rows = [];
for (const profile of (process.env.BENCH_PROFILES ?? "reference,dexetra-v5").split(","))
  rows.push(await measure(profile));
console.log(renderTable(["profile", "markets", "users", "transactions (blocks)", "by the deployer", "seconds"], rows));

const sizes: (string | number)[][] = [];
for (const name of [
  "DexetraCoreVault",
  "DexetraLiquidationManager",
  "DexetraVaultAnalytics",
  "DexetraPositionManager",
  "DexetraCollateralHub",
  "DexetraFuturesMarketFactory",
  "DexetraFuturesMarketFactoryUpdatable",
  "DexetraDiamond",
  "OrderBookInitFacet",
  "OBOrderPlacementFacet",
  "OBLiquidationFacet",
  "OBViewFacet",
  "OBAdminFacet",
]) {
  const artifact = await hre.artifacts.readArtifact(name);
  sizes.push([name, (artifact.deployedBytecode.length - 2) / 2]);
}
console.log(`\n${renderTable(["contract", "deployed bytes"], sizes)}`);
