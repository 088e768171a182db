// Crash tests: `corevault:redeploy` runs as a real child process against a local `hardhat node` that mines on an
// interval (so transactions sit in flight), is killed with SIGKILL part-way, and is run again. The run must converge
// with exactly as many transactions as an uninterrupted run sends: nothing twice.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { createRequire } from "node:module";
import { expect } from "chai";
import { Contract } from "ethers";
import hre, { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import { deploySystem } from "../../src/mocks/deploy-system.js";
import type { JournalEntry } from "../../src/engine/journal.js";

const root = hre.config.paths.root;
const hardhatCli = path.join(path.dirname(createRequire(import.meta.url).resolve("hardhat/package.json")), "dist/src/cli.js");
const MARKETS = 25;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function hardhat(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [hardhatCli, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
}

function finished(child: ChildProcess): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => (stdout += d));
  child.stderr?.on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })));
}

function journalEntries(file: string): JournalEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").split("\n").filter((l) => l.trim()).flatMap((l) => { try { return [JSON.parse(l) as JournalEntry]; } catch { return []; } });
}

describe("corevault:redeploy survives SIGKILL and converges without sending anything twice", function () {
  let node: ChildProcess;
  let url: string;
  let conn: NetworkConnection;

  before(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    node = hardhat(["node", "--hostname", "127.0.0.1", "--port", String(port)]);
    conn = await network.create({ network: "localhost", chainType: "generic", override: { url } });
    for (let i = 0; ; i++) {
      try {
        await conn.provider.request({ method: "eth_blockNumber" });
        break;
      } catch (error) {
        if (i > 200) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });

  after(() => {
    node?.kill("SIGKILL");
  });

  async function scenario(name: string, crash: (child: ChildProcess, journal: string) => Promise<void>, env: Record<string, string> = {}) {
    const { ethers } = conn;
    await conn.provider.request({ method: "evm_setAutomine", params: [true] });
    const system = await deploySystem(hre, conn, { markets: MARKETS, users: 0, factory: "updatable", seed: `crash-${name}` });
    const journal = path.join(root, "deployments", "localhost", ".cutover", `corevault-redeploy-${system.contracts.CORE_VAULT.toLowerCase()}`, "journal.jsonl");
    const childEnv = { LOCAL_RPC_URL: url, ...env };
    const planned = await finished(hardhat(["corevault:redeploy", "--network", "localhost", "--plan-only", "--json"], childEnv));
    expect(planned.code, planned.stderr).to.equal(0);
    const steps = JSON.parse(planned.stdout).plan.steps.length as number;

    // Transactions now wait for the next block, so a kill catches some in flight.
    await conn.provider.request({ method: "evm_setAutomine", params: [false] });
    await conn.provider.request({ method: "evm_setIntervalMining", params: [150] });
    const deployer = system.admin as string;
    const nonceBefore = await ethers.provider.getTransactionCount(deployer, "latest");

    const first = hardhat(["corevault:redeploy", "--network", "localhost", "--json"], childEnv);
    const firstDone = finished(first);
    await crash(first, journal);
    const killed = await firstDone;
    expect(killed.signal, `${name}: first run should have been killed; stderr: ${killed.stderr}`).to.equal("SIGKILL");
    const sentBeforeKill = journalEntries(journal).filter((e) => e.type === "sent").length;

    const second = await finished(hardhat(["corevault:redeploy", "--network", "localhost", "--json"], { LOCAL_RPC_URL: url }));
    expect(second.code, `${name}: rerun failed: ${second.stderr}`).to.equal(0);
    const result = JSON.parse(second.stdout);
    expect(result.complete).to.equal(true);

    await conn.provider.request({ method: "evm_setAutomine", params: [true] });
    const sent = (await ethers.provider.getTransactionCount(deployer, "latest")) - nonceBefore;
    expect(sent, `${name}: ${sentBeforeKill} sent before the kill`).to.equal(steps);
    const vault = new Contract(result.deployed.CoreVault, (await hre.artifacts.readArtifact("CoreVault")).abi, ethers.provider);
    expect(await vault.registeredOrderBookCount()).to.equal(BigInt(MARKETS));
    // Exactly one new CoreVault: the deploy step's nonce is the only contract creation in the journal's receipts.
    const creations = journalEntries(journal).filter((e) => e.type === "receipt" && e.contractAddress);
    expect(new Set(creations.map((e) => (e as { contractAddress: string }).contractAddress)).size).to.equal(1);
    return { steps, sentBeforeKill };
  }

  async function killAfterSent(k: number) {
    return async (child: ChildProcess, journal: string) => {
      for (;;) {
        if (journalEntries(journal).filter((e) => e.type === "sent").length >= k || child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      child.kill("SIGKILL");
    };
  }

  for (const k of [1, 3, 7]) {
    it(`SIGKILL from outside once ${k} transaction(s) are broadcast`, async () => {
      await scenario(`external-${k}`, await killAfterSent(k));
    });
  }

  it("killed right after a transaction is journaled, before it is broadcast", async () => {
    await scenario("after-journal", async () => {}, { CUTOVER_FAULT: "kill-after-journal:2" });
  });

  it("killed right after a broadcast, before its hash is journaled", async () => {
    await scenario("after-broadcast", async () => {}, { CUTOVER_FAULT: "kill-after-broadcast:4" });
  });
});
