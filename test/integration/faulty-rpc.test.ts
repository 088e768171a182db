// The engine through a network that lies: `corevault:redeploy` runs as a child process whose RPC is a loopback proxy
// with seeded faults (drops, 5xx, 429, delays, sends accepted by the node and then answered with an error), in front
// of a local `hardhat node` mining on an interval. One invocation must complete with exactly the plan's transactions;
// a read that cannot be answered must stop the run naming what it read, never pass for "not done" or bad input.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import { toQuantity } from "ethers";
import hre from "hardhat";
import type { Plan } from "../../src/engine/types.js";
import { readSystemRecord } from "../../src/records/records.js";
import { contractAt } from "../helpers/contracts.js";
import { HOSTILE, startFaultProxy, type FaultRates } from "../helpers/fault-proxy.js";
import { finished, hardhat, startNode, type LocalNode } from "../helpers/node.js";
import { freshSystem, nonce } from "../helpers/system.js";

// 30 in the suite; FAULT_MARKETS=200 runs the size (about 5 minutes here).
const MARKETS = Number(process.env.FAULT_MARKETS ?? 30);
// the SIGKILL windows: 6 in the suite; FAULT_KILL_MARKETS=200 runs them at the size
const KILL_MARKETS = Number(process.env.FAULT_KILL_MARKETS ?? 6);

/**
 * N: the transactions the plan stored before its first send needs (plan.json, checked by the engine against its id on
 * every rerun): its steps, less its CREATE2 deployments whose code was on chain at `before`, the block before the run
 * (a content-addressed facet an earlier test deployed needs no transaction). Counted apart from the transactions sent,
 * which are counted by the sender's nonce.
 */
async function transactionsNeeded(node: LocalNode, result: RunResult, before: number): Promise<number> {
  const plan = JSON.parse(await readFile(path.join(hre.config.paths.root, result.planFile), "utf8")) as Plan;
  let onChain = 0;
  for (const step of plan.steps) {
    if (step.kind !== "deploy" || !step.create2) continue;
    const address = result.deployed[step.record];
    const code = await node.conn.provider.request({ method: "eth_getCode", params: [address, toQuantity(before)] });
    if (code !== "0x") onChain++;
  }
  return plan.steps.length - onChain;
}

interface RunResult {
  planFile: string;
  deployed: Record<string, string>;
  complete: boolean;
}

describe("the engine through a faulty RPC (loopback proxy with seeded faults)", function () {
  let node: LocalNode;

  before(async () => {
    node = await startNode();
  });

  after(() => node?.stop());

  /** A fresh system, then the redeploy through the proxy; with `fault`, that run is killed and run again through it. */
  async function redeployThrough(rates: FaultRates, seed: number, args: string[], fault?: Record<string, string>) {
    await node.mining();
    const system = await freshSystem({ markets: fault ? KILL_MARKETS : MARKETS, seed: `faults-${seed}` }, node.conn);
    await node.mining(250);
    const deployer = system.admin as string;
    const before = await nonce(deployer, node.conn);
    const block = await node.conn.ethers.provider.getBlockNumber();
    const proxy = await startFaultProxy(node.url, rates, seed, { errorFirstSend: rates === HOSTILE });
    try {
      const command = ["corevault:redeploy", "--network", "localhost", "--json", ...args];
      const run = await finished(hardhat(command, { LOCAL_RPC_URL: proxy.url, ...fault }));
      const rerun = fault ? await finished(hardhat(command, { LOCAL_RPC_URL: proxy.url })) : undefined;
      await node.mining();
      const sent = (await nonce(deployer, node.conn)) - before;
      return { run, rerun, sent, block, stats: proxy.stats, system };
    } finally {
      await proxy.close();
    }
  }

  it("completes a --pause-old --rewire redeploy in one invocation with exactly the plan's transactions", async () => {
    const { run, sent, block, stats } = await redeployThrough(HOSTILE, 11, ["--pause-old", "--rewire"]);
    expect(run.code, `stderr: ${run.stderr}\nstdout: ${run.stdout.slice(-2000)}`).to.equal(0);
    const result = JSON.parse(run.stdout) as RunResult;
    expect(result.complete).to.equal(true);
    expect(sent).to.equal(await transactionsNeeded(node, result, block));
    // The faults really happened, sends included.
    expect(stats.dropped).to.be.greaterThan(0);
    expect(stats.serverErrors + stats.tooMany).to.be.greaterThan(0);
    expect(stats.sendsAcceptedThenErrored).to.be.greaterThan(0);
    const vault = await contractAt(node.conn.ethers.provider)("CoreVault", result.deployed.CoreVault);
    expect(await vault.registeredOrderBookCount()).to.equal(BigInt(MARKETS));
    expect(await vault.paused()).to.equal(false);
  });

  it("a read the RPC never answers stops the run naming the read and the RPC, before anything is sent", async () => {
    const dead: FaultRates = { drop: 1, serverError: 0, tooMany: 0, delay: 0, sendAcceptedThenError: 0 };
    const { run, sent } = await redeployThrough(dead, 12, ["--pause-old"]);
    expect(run.code).to.not.equal(0);
    expect(run.stderr).to.match(/Could not read .* from http:\/\/127\.0\.0\.1:\d+ \(8 attempts/);
    expect(run.stderr).to.not.match(/Invalid --|computed with other options/);
    expect(sent).to.equal(0);
  });

  // SIGKILL in each named window of a --pause-old --rewire redeploy, the faulty RPC in front of the killed run and the
  // rerun.
  // record:3: the aggregate record written, the journal's `recorded` entry not yet
  for (const window of ["journal:3", "broadcast:5", "complete:1", "record:1", "record:3"]) {
    it(`killed after ${window.replace(":", " #")} through the faulty RPC: the rerun through it converges to exactly N`, async () => {
      const seed = 100 + Number(window.split(":")[1]);
      const { run, sent, block, rerun, system } = await redeployThrough(HOSTILE, seed, ["--pause-old", "--rewire"], {
        CUTOVER_FAULT: `kill-after-${window}`,
      });
      expect(run.signal, `first run should have been killed: ${run.stderr}`).to.equal("SIGKILL");
      expect(rerun?.code, `rerun: ${rerun?.stderr}`).to.equal(0);
      const result = JSON.parse(rerun!.stdout) as RunResult;
      expect(result.complete).to.equal(true);
      expect(sent).to.equal(await transactionsNeeded(node, result, block));
      const records = await readSystemRecord(hre.config.paths.root, "localhost");
      expect(records.contracts.CORE_VAULT).to.equal(result.deployed.CoreVault);
      expect(records.contracts.CORE_VAULT).to.not.equal(system.contracts.CORE_VAULT);
    });
  }
});
