// Crash tests: `corevault:redeploy` runs as a real child process against a local `hardhat node` that mines on an
// interval (so transactions sit in flight), is killed with SIGKILL part-way, and is run again. The run must converge
// with exactly as many transactions as an uninterrupted run sends: nothing twice.
import type { ChildProcess } from "node:child_process";
import { expect } from "chai";
import { contractAt } from "../helpers/contracts.js";
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

const MARKETS = 25;

describe("corevault:redeploy survives SIGKILL and converges without sending anything twice", function () {
  let node: LocalNode;

  before(async () => {
    node = await startNode();
  });

  after(() => node?.stop());

  async function scenario(
    name: string,
    crash: (child: ChildProcess, journal: string) => Promise<void>,
    env: Record<string, string> = {},
  ) {
    const { conn, url } = node;
    await node.mining();
    const system = await freshSystem({ markets: MARKETS, seed: `crash-${name}` }, conn);
    const journal = journalPath("localhost", `corevault-redeploy-${system.contracts.CORE_VAULT.toLowerCase()}`);
    const childEnv = { LOCAL_RPC_URL: url, ...env };
    const planned = await finished(
      hardhat(["corevault:redeploy", "--network", "localhost", "--plan-only", "--json"], childEnv),
    );
    expect(planned.code, planned.stderr).to.equal(0);
    const steps = JSON.parse(planned.stdout).plan.steps.length as number;

    // Transactions now wait for the next block, so a kill catches some in flight.
    await node.mining(150);
    const deployer = system.admin as string;
    const nonceBefore = await nonce(deployer, conn);

    const first = hardhat(["corevault:redeploy", "--network", "localhost", "--json"], childEnv);
    const firstDone = finished(first);
    await crash(first, journal);
    const killed = await firstDone;
    expect(killed.signal, `${name}: first run should have been killed; stderr: ${killed.stderr}`).to.equal("SIGKILL");
    const sentBeforeKill = journalEntries(journal).filter((e) => e.type === "sent").length;

    const second = await finished(
      hardhat(["corevault:redeploy", "--network", "localhost", "--json"], { LOCAL_RPC_URL: url }),
    );
    expect(second.code, `${name}: rerun failed: ${second.stderr}`).to.equal(0);
    const result = JSON.parse(second.stdout);
    expect(result.complete).to.equal(true);

    await node.mining();
    const sent = (await nonce(deployer, conn)) - nonceBefore;
    expect(sent, `${name}: ${sentBeforeKill} sent before the kill`).to.equal(steps);
    const vault = await contractAt(conn.ethers.provider)("CoreVault", result.deployed.CoreVault);
    expect(await vault.registeredOrderBookCount()).to.equal(BigInt(MARKETS));
    const creations = journalEntries(journal).filter((e) => e.type === "receipt" && e.contractAddress);
    expect(new Set(creations.map((e) => (e as { contractAddress: string }).contractAddress)).size).to.equal(1);
  }

  for (const k of [1, 3, 7]) {
    it(`SIGKILL from outside once ${k} transaction(s) are broadcast`, async () => {
      await scenario(`external-${k}`, (child, journal) => killAfterSent(child, journal, k));
    });
  }

  it("killed right after a transaction is journaled, before it is broadcast", async () => {
    await scenario("after-journal", async () => {}, { CUTOVER_FAULT: "kill-after-journal:2" });
  });

  it("killed right after a broadcast, before its hash is journaled", async () => {
    await scenario("after-broadcast", async () => {}, { CUTOVER_FAULT: "kill-after-broadcast:4" });
  });
});
