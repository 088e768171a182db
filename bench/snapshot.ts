// Run with: bash scripts/node22.sh bash bench/run.sh bench/snapshot.ts         (BENCH_USERS, BENCH_TRADERS to change)
// corevault:snapshot of BENCH_USERS users (BENCH_TRADERS of them with open positions, the rest plain depositors) on a
// local `hardhat node`, on both profiles: the reference mock (users from events) and the Dexetra v5 stand-in (users
// from the allKnownUsers array probed until it reverts). Prints the snapshot's wall time and the JSON-RPC requests
// that reached the node while it ran (every request through the connection's provider, counted).
import { Contract, parseUnits } from "ethers";
import hre from "hardhat";
import { loadArtifact } from "../src/artifacts.js";
import { ContractCatalog } from "../src/engine/contracts.js";
import { localMulticall3 } from "../src/engine/local-chain.js";
import { mockWallet } from "../src/mocks/deploy-system.js";
import { renderTable } from "../src/report/table.js";
import { deposit, fundsSystem, useProfile, type ProfileName } from "../test/helpers/funds.js";
import { conn, counting } from "../test/helpers/system.js";
import { runTask } from "../test/helpers/tasks.js";

const users = Number(process.env.BENCH_USERS ?? 1000);
const traders = Number(process.env.BENCH_TRADERS ?? 100);
const rows: string[][] = [];
// Multicall3 at its canonical address from the start, as on a public chain: the snapshot's pinned block has it
await localMulticall3(conn, new ContractCatalog(hre));

for (const profile of ["reference", "dexetra-v5"] as ProfileName[]) {
  useProfile(profile);
  const t0 = Date.now();
  const f = await fundsSystem(profile, { traders, depositors: 0, seed: `bench-snapshot-${profile}` });
  const [admin] = await conn.ethers.getSigners();
  const usdc = new Contract(await f.usdc.getAddress(), (await loadArtifact(hre, "MockUSDC")).abi, admin);
  for (let i = 0; i < users - traders; i++)
    await deposit({ ...f, usdc }, mockWallet(`bench-${profile}`, "depositor", i, conn), parseUnits("100", 6));
  await conn.provider.request({ method: "evm_mine", params: [] });
  console.log(`${profile}: ${users} users set up in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  const include = profile === "dexetra-v5" ? admin.address : "";
  const started = Date.now();
  const { result, methods } = await counting(() => runTask("corevault:snapshot", { json: true, include }));
  const seconds = (Date.now() - started) / 1000;
  const out = JSON.parse(result);
  if (!out.reconciliation.ok || out.totals.users < users) throw new Error(`${profile}: ${JSON.stringify(out.totals)}`);
  const calls = methods.filter((m) => m === "eth_call").length;
  const logs = methods.filter((m) => m === "eth_getLogs").length;
  rows.push([
    profile,
    String(out.totals.users),
    seconds.toFixed(2),
    String(methods.length),
    String(calls),
    String(logs),
  ]);
}

console.log(renderTable(["profile", "users", "snapshot s", "JSON-RPC requests", "eth_call", "eth_getLogs"], rows));
