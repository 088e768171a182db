// corevault:migrate-funds --mode credit on the Dexetra v5 stand-in (no multicall: one credit per transaction), killed
// with SIGKILL at several points (a real child process, a node mining on an interval), a deposit on the new vault
// between runs, then run again: every depositor is credited exactly once, counted from ExternalCreditAdded events.
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { Contract, parseUnits, type Wallet } from "ethers";
import hre from "hardhat";
import { loadArtifact } from "../../src/artifacts.js";
import { deployDexetraSystem } from "../../src/mocks/deploy-dexetra.js";
import { mockWallet } from "../../src/mocks/deploy-system.js";
import { creditsByUser, deposit } from "../helpers/funds.js";
import {
  finished,
  hardhat,
  journalEntries,
  journalPath,
  killAfterSent,
  startNode,
  type LocalNode,
} from "../helpers/node.js";
import { nonce } from "../helpers/system.js";

const DEPOSITORS = 12;
// The child processes load the repository's config with the stand-in's profile (its fee recipient: the node's first
// account, the stand-in's deployer).
const CONFIG = "hardhat.dexetra.config.ts";

describe("corevault:migrate-funds --mode credit survives SIGKILL on dexetra-v5 with nobody credited twice", function () {
  let node: LocalNode;
  before(async () => {
    node = await startNode();
  });
  after(() => {
    node?.stop();
  });

  const scenario = async (name: string, kill: (child: any, journal: string) => Promise<void>, env = {}) => {
    const { conn, url } = node;
    const base = { LOCAL_RPC_URL: url };
    const cli = (task: string, ...rest: string[]) => ["--config", CONFIG, task, "--network", "localhost", ...rest];
    await node.mining();
    const system = await deployDexetraSystem(hre, conn, {
      markets: 2,
      users: 0,
      factory: "immutable",
      seed: `dexetra-credit-crash-${name}`,
    });
    const [admin] = await conn.ethers.getSigners();
    const usdc = new Contract(system.record.contracts.MOCK_USDC, (await loadArtifact(hre, "MockUSDC")).abi, admin);
    const f = { profile: "dexetra-v5" as const, vault: system.record.contracts.CORE_VAULT, usdc };
    const wallets = Array.from({ length: DEPOSITORS }, (_, i) => mockWallet(`dx-crash-${name}`, "depositor", i, conn));
    for (const [i, w] of wallets.entries()) await deposit(f, w, parseUnits(String(100 + i), 6), conn);
    await conn.provider.request({ method: "evm_mine", params: [] });
    const snap = await finished(hardhat(cli("corevault:snapshot", "--include", admin.address, "--json"), base));
    expect(snap.code, snap.stderr).to.equal(0);
    const snapshotFile = JSON.parse(snap.stdout).files.json as string;
    const snapshot = JSON.parse(readFileSync(path.join(hre.config.paths.root, snapshotFile), "utf8"));
    expect(snapshot.totals.migratedUsers).to.equal(DEPOSITORS);
    const redeploy = await finished(hardhat(cli("corevault:redeploy", "--json"), base));
    expect(redeploy.code, redeploy.stderr + redeploy.stdout).to.equal(0);
    const newVault = JSON.parse(redeploy.stdout).deployed.CoreVault as string;
    const journal = journalPath(
      "localhost",
      `funds-migrate-${newVault.toLowerCase()}-credit-${snapshot.merkle.root.slice(2, 18)}`,
    );

    await node.mining(150);
    const from = (await conn.ethers.provider.getBlockNumber()) + 1;
    const before = await nonce(admin.address, conn);
    const args = cli("corevault:migrate-funds", "--snapshot", snapshotFile, "--json");
    const first = hardhat(args, { ...base, ...env });
    const firstDone = finished(first);
    await kill(first, journal);
    const killed = await firstDone;
    expect(killed.signal, killed.stderr + killed.stdout).to.equal("SIGKILL");
    expect(journalEntries(journal).length).to.be.greaterThan(0);

    // a depositor deposits on the new vault between the runs
    await node.mining();
    await deposit({ ...f, vault: newVault }, wallets[0] as Wallet, parseUnits("5", 6), conn);
    const sentByDeposit = 1; // the admin mints the depositor's USDC

    const second = await finished(hardhat(args, base));
    expect(second.code, second.stderr + second.stdout).to.equal(0);
    const out = JSON.parse(second.stdout);
    expect(out.complete).to.equal(true);
    expect(out.credits.doubled).to.deep.equal([]);
    expect(out.credits.missing).to.deep.equal([]);

    const counts = await creditsByUser(conn, "dexetra-v5", newVault, from);
    for (const [i, w] of wallets.entries())
      expect(counts.get(w.address), `${name}: credits of depositor ${i}`).to.deep.equal([
        parseUnits(String(100 + i), 6),
      ]);
    expect([...counts.values()].flat()).to.have.length(DEPOSITORS);
    // grant + one credit per depositor + renounce, each sent once
    expect((await nonce(admin.address, conn)) - before - sentByDeposit).to.equal(DEPOSITORS + 2);
  };

  for (const k of [1, 7]) {
    it(`killed once ${k} transactions are broadcast, then re-run`, async () => {
      await scenario(`sent-${k}`, (child, journal) => killAfterSent(child, journal, k));
    });
  }

  it("killed right after a broadcast, before its hash is journaled", async () => {
    await scenario("after-broadcast", async () => {}, { CUTOVER_FAULT: "kill-after-broadcast:4" });
  });

  it("killed right after a transaction is journaled, before it is broadcast", async () => {
    await scenario("after-journal", async () => {}, { CUTOVER_FAULT: "kill-after-journal:9" });
  });
});
