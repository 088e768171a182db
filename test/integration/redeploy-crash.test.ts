// Crash tests: `corevault:redeploy` runs as a real child process against a local `hardhat node` that mines on an
// interval (so transactions sit in flight), is killed with SIGKILL part-way, and is run again. The run must converge
// with exactly as many transactions as an uninterrupted run sends: nothing twice.
import { appendFileSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import { contractAt } from "../helpers/contracts.js";
import { crashNode, killAndRerun, nodeRuntime, setUp } from "../helpers/crash.js";
import { journalEntries, journalPath, type LocalNode } from "../helpers/node.js";
import { freshSystem, nonce } from "../helpers/system.js";

const MARKETS = 25;
const oldVaults: string[] = [];
const lastVault = () => oldVaults[oldVaults.length - 1];

describe("corevault:redeploy survives SIGKILL and converges without sending anything twice", function () {
  let node: LocalNode;

  before(async () => {
    node = await crashNode();
  });

  async function scenario(
    name: string,
    kill: { killAfterSent?: number; fault?: string },
    between?: (journal: string) => void | Promise<void>,
  ) {
    const { conn } = node;
    await node.mining();
    const system = await freshSystem({ markets: MARKETS, seed: `crash-${name}` }, conn);
    oldVaults.push(system.contracts.CORE_VAULT);
    const journal = journalPath("localhost", `corevault-redeploy-${system.contracts.CORE_VAULT.toLowerCase()}`);
    const planned = await setUp(await nodeRuntime(node, "reference"), "corevault:redeploy", { planOnly: true });
    const steps = planned.plan.steps.length as number;

    const deployer = system.admin as string;
    const nonceBefore = await nonce(deployer, conn);
    const args = ["corevault:redeploy", "--network", "localhost", "--json"];
    const { journaled, out: result } = await killAndRerun(node, { args, journal, ...kill, between });
    const sentBeforeKill = journaled.filter((e) => e.type === "sent").length;

    await node.mining();
    const sent = (await nonce(deployer, conn)) - nonceBefore;
    expect(sent, `${name}: ${sentBeforeKill} sent before the kill`).to.equal(steps);
    const vault = await contractAt(conn.ethers.provider)("CoreVault", result.deployed.CoreVault);
    expect(await vault.registeredOrderBookCount()).to.equal(BigInt(MARKETS));
    const creations = journalEntries(journal).filter((e) => e.type === "receipt" && e.contractAddress);
    expect(new Set(creations.map((e) => (e as { contractAddress: string }).contractAddress)).size).to.equal(1);
    // The records and the app config name the new vault, whichever window the kill hit.
    const root = hre.config.paths.root;
    const aggregate = JSON.parse(readFileSync(path.join(root, "deployments", "localhost-deployment.json"), "utf8"));
    expect(aggregate.contracts.CORE_VAULT).to.equal(result.deployed.CoreVault);
    expect(aggregate.superseded.filter((s: { CORE_VAULT?: string }) => s.CORE_VAULT)).to.have.length.greaterThan(0);
    const record = JSON.parse(readFileSync(path.join(root, "deployments", "localhost", "CoreVault.json"), "utf8"));
    expect(record.address).to.equal(result.deployed.CoreVault);
    // the child runs with the project's default app config (this process's hre may point elsewhere)
    expect(readFileSync(path.join(root, ".env.local"), "utf8")).to.include(result.deployed.CoreVault);
    expect(journalEntries(journal).filter((e) => e.type === "recorded")).to.have.length(1);
  }

  for (const k of [1, 3, 7]) {
    it(`SIGKILL from outside once ${k} transaction(s) are broadcast`, async () => {
      await scenario(`external-${k}`, { killAfterSent: k });
    });
  }

  it("killed right after a transaction is journaled, before it is broadcast", async () => {
    await scenario("after-journal", { fault: "kill-after-journal:2" });
  });

  it("killed right after a broadcast, before its hash is journaled", async () => {
    await scenario("after-broadcast", { fault: "kill-after-broadcast:4" });
  });

  it("killed after a broadcast before its hash is journaled, rerun 300 blocks later: found by its nonce, not re-sent", async () => {
    // the rerun finds the unjournaled transaction by the sender's nonce, however far back it was mined
    await scenario("after-broadcast-late", { fault: "kill-after-broadcast:1" }, async () => {
      // evm_mine, not hardhat_mine: the blocks hardhat_mine reserves answer historical nonces wrongly
      for (let i = 0; i < 300; i++) await node.conn.provider.request({ method: "evm_mine" });
    });
  });

  it("killed right after the journal's complete entry, before any record is written", async () => {
    await scenario("after-complete", { fault: "kill-after-complete:1" });
  });

  it("killed inside the record writes: after CoreVault.json, before the app config and the aggregate", async () => {
    await scenario("after-first-record", { fault: "kill-after-record:1" });
  });

  it("killed between the app config and the aggregated record", async () => {
    await scenario("after-app-config", { fault: "kill-after-record:2" });
  });

  it("killed after the aggregated record is written, before the journal's recorded entry", async () => {
    await scenario("after-aggregate", { fault: "kill-after-record:3" });
  });

  it("a torn last journal line (a kill mid-append) is cut off and the rerun converges", async () => {
    await scenario("torn-line", { killAfterSent: 3 }, (journal) =>
      appendFileSync(journal, '{"type":"receipt","stepId":"grant'),
    );
  });

  it("journaled, never broadcast, and the base fee rose above its max fee: replaced at the same nonce", async () => {
    let pump: NodeJS.Timeout | undefined;
    const highBaseFee = "0x174876e800"; // 100 gwei, far above the max fee the first run journaled
    try {
      await scenario("stuck-fee", { fault: "kill-after-journal:2" }, () => {
        pump = setInterval(() => {
          node.conn.provider
            .request({ method: "hardhat_setNextBlockBaseFeePerGas", params: [highBaseFee] })
            .catch(() => {});
        }, 30);
      });
    } finally {
      clearInterval(pump);
    }
    const journal = journalEntries(journalPath("localhost", `corevault-redeploy-${lastVault().toLowerCase()}`)).filter(
      (e) => e.type === "send",
    );
    const nonces = journal.map((e) => (e as { tx: { nonce: string } }).tx.nonce);
    // one nonce journaled twice: the stuck transaction and its replacement
    expect(nonces.length - new Set(nonces).size).to.be.greaterThan(0);
  });
});
