// Run with: bash scripts/node22.sh bash bench/run.sh bench/facet-plan.ts
// A 60-selector facet plan (FeeConfigFacet 6 + PauseGuardFacet 6 + MarketInfoFacet 5 + WideFacet 43) through the real
// tasks on a local node: diamond:plan (deploying the facets through CREATE2, then again with them deployed),
// diamond:stage-plan, diamond:apply-plan after the delay, diamond:rollback; on a ManifestDispatcher (our mock), on
// PayRox's production dispatcher interface (our stand-in), on an OrderBookDiamond owned by a TimelockController and on
// the reference diamond owned by an EOA. Wall time of each task and the gas of what it sent.
// BENCH_BLOCK_MS=1000 mines one block a second instead of one per transaction.
// The node's network is `localhost`: earlier localhost records move to deployments/.previous/ (as mocks:deploy-system
// does), and plans/localhost/ goes with them.
import { mkdir, rename } from "node:fs/promises";
import path from "node:path";
import hre from "hardhat";
import { deployPlanTargets } from "../src/mocks/plan-targets.js";
import { retireNetworkRecords } from "../src/records/records.js";
import { renderTable } from "../src/report/table.js";
import { exists } from "../src/util/fs.js";
import { runTask } from "../test/helpers/tasks.js";

const FACETS = "FeeConfigFacet,PauseGuardFacet,MarketInfoFacet,WideFacet";
const DELAY = 3600;
const conn = await hre.network.getOrCreate();
const blockMs = process.env.BENCH_BLOCK_MS ? Number(process.env.BENCH_BLOCK_MS) : undefined;
const root = hre.config.paths.root;
const retired = await retireNetworkRecords(root, conn.networkName, false);
const plans = path.join(root, "plans", conn.networkName);
if (await exists(plans)) {
  const destination = retired ?? path.join(root, "deployments", ".previous", `${conn.networkName}-plans-${Date.now()}`);
  await mkdir(destination, { recursive: true });
  await rename(plans, path.join(destination, "plans"));
}
if (blockMs !== undefined) {
  await conn.provider.request({ method: "evm_setAutomine", params: [false] });
  await conn.provider.request({ method: "evm_setIntervalMining", params: [blockMs] });
}
const steps: (string | number)[][] = [];

type Result = { gasUsed?: string; sentNow?: boolean };
const gasOf = (results: Result[] = []) =>
  results.filter((r) => r.sentNow).reduce((sum, r) => sum + Number(r.gasUsed ?? 0), 0);
const rows: (string | number)[][] = [];

async function timed(task: string, args: Record<string, unknown>) {
  const started = performance.now();
  const out = JSON.parse(await runTask(task, { json: true, ...args }));
  return { out, seconds: (performance.now() - started) / 1000 };
}

async function passDelay() {
  await conn.provider.request({ method: "evm_increaseTime", params: [DELAY] });
  await conn.provider.request({ method: "evm_mine", params: [] });
}

async function lifecycle(host: string, target: string) {
  const first = await timed("diamond:plan", { target, facets: FACETS });
  if (first.out.status !== "ready") throw new Error(`plan refused: ${first.out.plan.reasons.join("; ")}`);
  const selectors = first.out.plan.entries.length;
  rows.push([
    host,
    "diamond:plan",
    selectors,
    first.out.transactionsSent,
    gasOf(first.out.deployment),
    first.seconds.toFixed(2),
  ]);
  const again = await timed("diamond:plan", { target, facets: FACETS });
  if (again.out.planId !== first.out.planId) throw new Error("plan id changed between two runs");
  rows.push([
    host,
    "diamond:plan (facets deployed)",
    selectors,
    again.out.transactionsSent,
    0,
    again.seconds.toFixed(2),
  ]);
  const stage = await timed("diamond:stage-plan", { plan: first.out.file });
  rows.push([
    host,
    "diamond:stage-plan",
    selectors,
    stage.out.stage?.transactionsSent ?? 0,
    gasOf(stage.out.stage?.results),
    stage.seconds.toFixed(2),
  ]);
  await passDelay();
  const apply = await timed("diamond:apply-plan", { plan: first.out.file });
  if (!apply.out.routesVerified) throw new Error("routes not verified after apply");
  rows.push([
    host,
    "diamond:apply-plan",
    selectors,
    apply.out.apply.transactionsSent,
    gasOf(apply.out.apply.results),
    apply.seconds.toFixed(2),
  ]);
  for (const r of apply.out.apply.results as (Result & { label: string })[])
    steps.push([host, r.label, Number(r.gasUsed ?? 0), (Number(r.gasUsed ?? 0) / selectors).toFixed(0)]);
  const rollback = await timed("diamond:rollback", { plan: first.out.file });
  let rollbackGas = gasOf(rollback.out.stage?.results) + gasOf(rollback.out.apply?.results);
  let rollbackTx = (rollback.out.stage?.transactionsSent ?? 0) + (rollback.out.apply?.transactionsSent ?? 0);
  let rollbackSeconds = rollback.seconds;
  if (rollback.out.state.state === "staged") {
    await passDelay();
    const second = await timed("diamond:rollback", { plan: first.out.file });
    rollbackGas += gasOf(second.out.apply?.results);
    rollbackTx += second.out.apply?.transactionsSent ?? 0;
    rollbackSeconds += second.seconds;
  }
  rows.push([host, "diamond:rollback", selectors, rollbackTx, rollbackGas, rollbackSeconds.toFixed(2)]);
}

/** PayRox's production dispatcher interface (our stand-in): applyRoutes writes live routes at once. */
async function payroxDispatcher(): Promise<string> {
  const d = await conn.ethers.deployContract("PayRoxDispatcher");
  const [admin] = await conn.ethers.getSigners();
  await (
    await (d as unknown as { initialize(a: string): Promise<{ wait(): Promise<unknown> }> }).initialize(admin.address)
  ).wait();
  await (
    await (d as unknown as { setActivationDelay(n: number): Promise<{ wait(): Promise<unknown> }> }).setActivationDelay(
      DELAY,
    )
  ).wait();
  return d.getAddress();
}

/** The reference EIP-2535 diamond (another layout than ours), owned by the deployer: one direct diamondCut. */
async function eoaDiamond(): Promise<string> {
  const { ethers } = conn;
  const cutFacet = await ethers.deployContract("ReferenceDiamondCutFacet");
  const [admin] = await ethers.getSigners();
  const diamond = await ethers.deployContract("ReferenceDiamond", [admin.address, await cutFacet.getAddress()]);
  const cuts = [];
  for (const name of ["ReferenceDiamondLoupeFacet", "ReferenceOwnershipFacet"]) {
    const facet = await ethers.deployContract(name);
    const selectors: string[] = [];
    facet.interface.forEachFunction((f) => selectors.push(f.selector));
    cuts.push([await facet.getAddress(), 0, selectors]);
  }
  const cut = await ethers.getContractAt("ReferenceDiamondCutFacet", await diamond.getAddress());
  await (await cut.diamondCut(cuts, ethers.ZeroAddress, "0x")).wait();
  return diamond.getAddress();
}

const targets = await deployPlanTargets(conn, DELAY);
await lifecycle("ManifestDispatcher", targets.dispatcher);
await lifecycle("PayRox dispatcher", await payroxDispatcher());
await lifecycle("timelock diamond", targets.diamond);
await lifecycle("EOA-owned diamond", await eoaDiamond());

console.log(
  `60-selector facet plan (${FACETS}) through the tasks on a local hardhat node (${blockMs === undefined ? "automine" : `one block every ${blockMs} ms`})\n`,
);
console.log(renderTable(["host", "task", "selectors", "transactions", "gas", "wall time (s)"], rows));
console.log("\napply, per transaction\n");
console.log(renderTable(["host", "step", "gas", "gas per selector"], steps));
