// Run with: bash scripts/node22.sh bash bench/run.sh bench/compare.ts
// The same rewire of BENCH_MARKETS OrderBooks (comma-separated, default "200,1000"; each: a diamondCut adding
// VaultAdminFacet.setVault with setVault(newVault) as init) side by side on one local node mining every BENCH_BLOCK_MS
// (default 250): this plugin's `orderbook:rewire` (a child process), a Hardhat Ignition module doing the same cuts,
// and a naive script sending each cut and waiting for it; each straight to the node and through one extra loopback
// hop (a pass-through proxy). Every contender starts from the same chain state (evm_snapshot / evm_revert, and the
// same run files). Prints blocks used against ceil(Σgas / block gas limit), wall time and their ratios to the plugin,
// then the plugin's rerun (sends nothing): its JSON-RPC requests and wall time. Gives the machine load with it.
// BENCH_SKIP_OTHERS=1 runs only the plugin; BENCH_HOPS="0" or "1" only one of the two paths (default "0,1").
import { cpSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import ignitionEthers from "@nomicfoundation/hardhat-ignition-ethers";
import { Contract, ContractFactory, Interface } from "ethers";
import hre from "hardhat";
import { createHardhatRuntimeEnvironment } from "hardhat/hre";
import type { NetworkConnection } from "hardhat/types/network";
import userConfig from "../hardhat.config.js";
import { deploySystem } from "../src/mocks/deploy-system.js";
import { renderTable } from "../src/report/table.js";
import { NO_FAULTS, startFaultProxy } from "../test/helpers/fault-proxy.js";
import { finished, hardhat } from "../test/helpers/node.js";
import { runTask } from "../test/helpers/tasks.js";

const sizes = (process.env.BENCH_MARKETS ?? "200,1000").split(",").map(Number);
const blockMs = Number(process.env.BENCH_BLOCK_MS ?? 250);
/** BENCH_SKIP_OTHERS=1: only this plugin (and its rerun), e.g. while profiling it. */
const skipOthers = process.env.BENCH_SKIP_OTHERS === "1";
/** BENCH_HOPS: "0,1" (default) both straight to the node and through one extra loopback hop; "0" or "1" one of them. */
const hops = (process.env.BENCH_HOPS ?? "0,1").split(",").map((h) => h === "1");
const conn = await hre.network.getOrCreate();
const nodeUrl = conn.networkConfig.type === "http" ? await conn.networkConfig.url.getUrl() : "";
const root = hre.config.paths.root;
const records = path.join(root, "deployments", "localhost");
const saved = path.join(os.tmpdir(), `cutover-compare-${process.pid}`);
const withIgnition = await createHardhatRuntimeEnvironment(
  { ...userConfig, plugins: [...(userConfig.plugins ?? []), ignitionEthers] },
  {},
  root,
);
const rpc = (method: string, params: unknown[] = []) => conn.provider.request({ method, params });

interface Setup {
  books: string[];
  vault: string;
  admin: string;
  snapshot: string;
}

async function setup(markets: number): Promise<Setup> {
  await rpc("evm_setAutomine", [true]);
  const system = await deploySystem(hre, conn, { markets, users: 0, factory: "updatable", seed: `compare-${markets}` });
  const out = JSON.parse(await runTask("corevault:redeploy", { json: true }));
  rmSync(saved, { recursive: true, force: true });
  cpSync(records, saved, { recursive: true });
  const books = system.markets.map((m: { orderBook: string }) => m.orderBook);
  return { books, vault: out.deployed.CoreVault, admin: system.admin, snapshot: (await rpc("evm_snapshot")) as string };
}

/** Back to the state after setup: the chain (a fresh snapshot for the next contender) and the run files. */
async function reset(s: Setup): Promise<void> {
  await rpc("evm_setAutomine", [true]);
  await rpc("evm_revert", [s.snapshot]);
  s.snapshot = (await rpc("evm_snapshot")) as string;
  rmSync(records, { recursive: true, force: true });
  cpSync(saved, records, { recursive: true });
}

async function connect(url: string, h = hre): Promise<NetworkConnection> {
  return (await h.network.create({ network: "localhost", override: { url } })) as NetworkConnection;
}

async function cutArgs(s: Setup, facet: string) {
  const setVault = new Interface((await hre.artifacts.readArtifact("VaultAdminFacet")).abi).getFunction("setVault")!;
  const init = new Interface([setVault.format("full")]).encodeFunctionData(setVault, [s.vault]);
  return [[{ facetAddress: facet, action: 0, functionSelectors: [setVault.selector] }], facet, init] as const;
}

async function plugin(s: Setup, url: string): Promise<void> {
  const run = await finished(hardhat(["orderbook:rewire", "--network", "localhost", "--json"], { LOCAL_RPC_URL: url }));
  if (run.code !== 0 || !JSON.parse(run.stdout).complete) throw new Error(`orderbook:rewire failed:\n${run.stderr}`);
}

async function ignition(s: Setup, url: string): Promise<void> {
  const c = await connect(url, withIgnition);
  const facetArtifact = await hre.artifacts.readArtifact("VaultAdminFacet");
  const setVault = new Interface(facetArtifact.abi).getFunction("setVault")!;
  const module = buildModule("Rewire", (m) => {
    const facet = m.contract("VaultAdminFacet");
    const init = m.encodeFunctionCall(facet, "setVault", [s.vault]);
    s.books.forEach((book, i) => {
      const diamond = m.contractAt("DiamondCutFacet", book, { id: `Book${i}` });
      m.call(
        diamond,
        "diamondCut",
        [[{ facetAddress: facet, action: 0, functionSelectors: [setVault.selector] }], facet, init],
        {
          id: `cut${i}`,
          from: s.admin,
        },
      );
    });
    return { facet };
  });
  await (c as unknown as { ignition: { deploy: Function } }).ignition.deploy(module, {
    deploymentId: `compare-${Date.now()}`,
    displayUi: false,
    defaultSender: s.admin,
  });
  await c.close();
}

async function naive(s: Setup, url: string): Promise<void> {
  const c = await connect(url);
  const admin = await c.ethers.getSigner(s.admin);
  const artifact = await hre.artifacts.readArtifact("VaultAdminFacet");
  const facet = await new ContractFactory(artifact.abi, artifact.bytecode, admin).deploy();
  await facet.waitForDeployment();
  const args = await cutArgs(s, await facet.getAddress());
  const cutAbi = (await hre.artifacts.readArtifact("DiamondCutFacet")).abi;
  for (const book of s.books) await (await new Contract(book, cutAbi, admin).diamondCut(...args)).wait();
  await c.close();
}

async function measure(s: Setup, name: string, run: (s: Setup, url: string) => Promise<void>, hop: boolean) {
  await reset(s);
  await rpc("hardhat_mine", ["0x5"]); // Ignition refuses to run until the sender's last transactions have 5 confirmations
  const proxy = hop ? await startFaultProxy(nodeUrl, NO_FAULTS) : undefined;
  await rpc("evm_setAutomine", [false]);
  await rpc("evm_setIntervalMining", [blockMs]);
  const from = Number(await rpc("eth_blockNumber"));
  const started = Date.now();
  await run(s, proxy?.url ?? nodeUrl);
  const seconds = (Date.now() - started) / 1000;
  await proxy?.close();
  await rpc("evm_setIntervalMining", [0]);
  const to = Number(await rpc("eth_blockNumber"));
  let blocks = 0;
  let gas = 0n;
  let limit = 0n;
  for (let b = from + 1; b <= to; b++) {
    const block = (await rpc("eth_getBlockByNumber", [`0x${b.toString(16)}`, false])) as {
      transactions: string[];
      gasUsed: string;
      gasLimit: string;
    };
    limit = BigInt(block.gasLimit);
    if (block.transactions.length === 0) continue;
    blocks++;
    gas += BigInt(block.gasUsed);
  }
  const minimum = Number((gas + limit - 1n) / limit);
  return { name: `${name}${hop ? " (+1 hop)" : ""}`, blocks, minimum, gas, seconds };
}

async function rerun(): Promise<{ requests: number; seconds: number }> {
  const proxy = await startFaultProxy(nodeUrl, NO_FAULTS);
  const started = Date.now();
  const run = await finished(
    hardhat(["orderbook:rewire", "--network", "localhost", "--json"], { LOCAL_RPC_URL: proxy.url }),
  );
  const seconds = (Date.now() - started) / 1000;
  await proxy.close();
  if (run.code !== 0 || JSON.parse(run.stdout).transactionsSent !== 0)
    throw new Error(`the rerun failed or sent:\n${run.stderr}`);
  return { requests: proxy.stats.requests, seconds };
}

for (const markets of sizes) {
  const s = await setup(markets);
  const rows = [];
  for (const hop of hops) {
    const ours = await measure(s, "this plugin", plugin, hop);
    const again = hop ? undefined : await rerun();
    const others = skipOthers
      ? []
      : [await measure(s, "Hardhat Ignition", ignition, hop), await measure(s, "naive send-and-wait", naive, hop)];
    for (const m of [ours, ...others])
      rows.push([
        m.name,
        m.blocks,
        m.minimum,
        (m.blocks / ours.blocks).toFixed(2),
        m.seconds.toFixed(1),
        (m.seconds / ours.seconds).toFixed(2),
        m === ours && again ? `${again.requests} requests, ${again.seconds.toFixed(1)} s` : "",
      ]);
  }
  console.log(
    `\nrewire of ${markets} OrderBooks, node mining every ${blockMs} ms; machine load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}\n`,
  );
  console.log(
    renderTable(
      [
        "contender",
        "blocks used",
        "ceil(Σgas/limit)",
        "blocks / plugin's",
        "wall time (s)",
        "time / plugin's",
        "rerun",
      ],
      rows,
    ),
  );
}
rmSync(saved, { recursive: true, force: true });
rmSync(path.join(root, "ignition", "deployments"), { recursive: true, force: true });
