// corevault:migrate-funds --mode credit killed with SIGKILL at several points (a real child process, a node mining on
// an interval), a deposit on the new vault between runs, then run again: every depositor is credited exactly once,
// counted from the new vault's events; the creditor sent exactly the plan's transactions.
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { Contract, parseUnits, type Wallet } from "ethers";
import hre from "hardhat";
import { loadArtifact } from "../../src/artifacts.js";
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
import { freshSystem, nonce } from "../helpers/system.js";

const DEPOSITORS = 24;
const BATCH = 2;

describe("corevault:migrate-funds --mode credit survives SIGKILL with nobody credited twice", function () {
  let node: LocalNode;
  before(async () => {
    node = await startNode();
  });
  after(() => node?.stop());

  const scenario = async (name: string, kill: (child: any, journal: string) => Promise<void>, env = {}) => {
    const { conn, url } = node;
    const base = { LOCAL_RPC_URL: url };
    await node.mining();
    const system = await freshSystem({ markets: 2, seed: `credit-crash-${name}` }, conn);
    const [admin] = await conn.ethers.getSigners();
    const usdc = new Contract(system.contracts.USDC, (await loadArtifact(hre, "MockUSDC")).abi, admin);
    const f = { profile: "reference" as const, vault: system.contracts.CORE_VAULT, usdc };
    const wallets = Array.from({ length: DEPOSITORS }, (_, i) => mockWallet(`crash-${name}`, "depositor", i, conn));
    for (const [i, w] of wallets.entries()) await deposit(f, w, parseUnits(String(100 + i), 6), conn);
    await conn.provider.request({ method: "evm_mine", params: [] });
    const snap = await finished(hardhat(["corevault:snapshot", "--network", "localhost", "--json"], base));
    expect(snap.code, snap.stderr).to.equal(0);
    const snapshotFile = JSON.parse(snap.stdout).files.json as string;
    const snapshot = JSON.parse(readFileSync(path.join(hre.config.paths.root, snapshotFile), "utf8"));
    expect(snapshot.totals.migratedUsers).to.equal(DEPOSITORS);
    const redeploy = await finished(hardhat(["corevault:redeploy", "--network", "localhost", "--json"], base));
    expect(redeploy.code, redeploy.stderr).to.equal(0);
    const newVault = JSON.parse(redeploy.stdout).deployed.CoreVault as string;
    const journal = journalPath(
      "localhost",
      `funds-migrate-${newVault.toLowerCase()}-credit-${snapshot.merkle.root.slice(2, 18)}`,
    );

    await node.mining(150);
    const from = (await conn.ethers.provider.getBlockNumber()) + 1;
    const before = await nonce(admin.address, conn);
    const args = [
      "corevault:migrate-funds",
      "--network",
      "localhost",
      "--snapshot",
      snapshotFile,
      "--batch",
      String(BATCH),
      "--json",
    ];
    const first = hardhat(args, { ...base, ...env });
    const firstDone = finished(first);
    await kill(first, journal);
    const killed = await firstDone;
    expect(killed.signal, killed.stderr).to.equal("SIGKILL");
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

    const counts = await creditsByUser(conn, "reference", newVault, from);
    for (const [i, w] of wallets.entries())
      expect(counts.get(w.address), `${name}: credits of depositor ${i}`).to.deep.equal([
        parseUnits(String(100 + i), 6),
      ]);
    expect([...counts.values()].flat()).to.have.length(DEPOSITORS);
    // grant + 12 credit batches + renounce, each sent once
    expect((await nonce(admin.address, conn)) - before - sentByDeposit).to.equal(DEPOSITORS / BATCH + 2);
  };

  for (const k of [1, 11]) {
    it(`killed once ${k} transactions are broadcast, then re-run`, async () => {
      await scenario(`sent-${k}`, (child, journal) => killAfterSent(child, journal, k));
    });
  }

  it("killed right after a broadcast, before its hash is journaled", async () => {
    await scenario("after-broadcast", async () => {}, { CUTOVER_FAULT: "kill-after-broadcast:4" });
  });

  it("killed right after a transaction is journaled, before it is broadcast", async () => {
    await scenario("after-journal", async () => {}, { CUTOVER_FAULT: "kill-after-journal:7" });
  });
});
