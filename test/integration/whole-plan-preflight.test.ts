// The whole-plan preflight: a redeploy's steps on the vault it deploys are simulated, in order, on a throwaway copy of
// the chain before anything is sent. A configure step the new vault refuses (a value our static checks let through)
// stops the run with no nonce moved, on the in-process chain and through a local `hardhat node`; a normal redeploy
// sends with the gas the simulation measured and estimates none.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import userConfig from "../../hardhat.config.js";
import { createHardhatRuntimeEnvironment } from "hardhat/hre";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { resolveProfile } from "../../src/profile/resolve.js";
import { LOOSE_MMR_BOUNDS } from "../helpers/protocol.js";
import { journalEntries, journalPath, startNode, type LocalNode } from "../helpers/node.js";
import { conn, counting, freshSystem, nonce, tempAppConfig } from "../helpers/system.js";
import { runJson, runTask } from "../helpers/tasks.js";

const appDir = await tempAppConfig("cutover-whole-plan-");
const accounts = (await conn.ethers.getSigners()).map((s) => s.address);

/** maxMmrBps 6000: within LOOSE_MMR_BOUNDS, refused by CoreVault (MAX_MMR_BPS 5000). */
const REFUSED_MMR = { baseMmrBps: 400, penaltyMmrBps: 150, maxMmrBps: 6000, scalingSlopeBps: 25 };

async function refusal(run: () => Promise<unknown>): Promise<Error> {
  const error = await run().then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error, "the run should have been refused").to.be.instanceOf(Error);
  return error!;
}

function expectNamesTheStep(error: Error): void {
  expect(error.message).to.match(/The plan would fail at step \S+ \(/);
  expect(error.message).to.include(".setMmrParams(400, 150, 6000, 25)");
  expect(error.message).to.include('InvalidMmrParams("maxMmrBps must be <= 5000")');
  expect(error.message).to.include("Nothing was sent");
}

describe("whole-plan preflight: steps on contracts the plan deploys are simulated before anything is sent", function () {
  const redeployConfig = hre.config.cutover.redeploy as Record<string, unknown>;

  it("refuses a redeploy whose configure step the new vault would revert, before any nonce moves (in-process)", async () => {
    await freshSystem({ markets: 2, seed: "whole-plan-refused" });
    const protocol = hre.config.cutover.protocol;
    hre.config.cutover.protocol = resolveProfile(LOOSE_MMR_BOUNDS);
    redeployConfig.mmrParams = REFUSED_MMR;
    const before = await Promise.all(accounts.slice(0, 4).map((a) => nonce(a)));
    const block = await conn.ethers.provider.getBlockNumber();
    try {
      expectNamesTheStep(await refusal(() => runTask("corevault:redeploy", { json: true })));
    } finally {
      delete redeployConfig.mmrParams;
      hre.config.cutover.protocol = protocol;
    }
    expect(await Promise.all(accounts.slice(0, 4).map((a) => nonce(a)))).to.deep.equal(before);
    // the throwaway copy was reverted: not a block more on the real chain
    expect(await conn.ethers.provider.getBlockNumber()).to.equal(block);
  });

  it("sends a normal redeploy with the simulated gas limits: no eth_estimateGas for any of its steps", async () => {
    const system = await freshSystem({ markets: 3, seed: "whole-plan-gas" });
    const { result, methods } = await counting(() => runJson("corevault:redeploy", {}));
    expect(result.complete).to.equal(true);
    expect(result.transactionsSent).to.be.greaterThan(3);
    expect(methods.filter((m) => m === "eth_estimateGas")).to.deep.equal([]);
    // each journaled transaction carries a gas limit above what it used (the simulation's, with its margin)
    const runKey = path.basename(path.dirname(path.join(hre.config.paths.root, result.planFile)));
    const sends = journalEntries(journalPath(conn.networkName, runKey)).filter((e) => e.type === "send");
    expect(sends.length).to.equal(result.transactionsSent);
    for (const r of result.results as { id: string; gasUsed: string }[]) {
      const send = sends.find((s) => s.type === "send" && s.stepId === r.id);
      if (send?.type === "send") expect(BigInt(send.tx.gas) > BigInt(r.gasUsed), r.id).to.equal(true);
    }
    expect(system.contracts.CORE_VAULT).to.not.equal(result.deployed.CoreVault);
  });

  it("is skipped when every step's target already exists (the per-step preflight covers those)", async () => {
    await freshSystem({ markets: 2, seed: "whole-plan-skipped" });
    const desired = path.join(appDir, "desired.json");
    await writeFile(desired, JSON.stringify({ SETTLEMENT_ROLE: [accounts[3]] }));
    const { result, methods } = await counting(() => runJson("corevault:regrant-roles", { desired }));
    expect(result.complete).to.equal(true);
    expect(methods).to.not.include("evm_snapshot");
    expect(methods).to.include("eth_estimateGas");
  });

  describe("through a local hardhat node (the copy is an in-process fork of it)", function () {
    let node: LocalNode;
    let runtime: HardhatRuntimeEnvironment;
    let nodeConn: NetworkConnection;

    before(async () => {
      node = await startNode();
      runtime = await createHardhatRuntimeEnvironment(
        {
          ...userConfig,
          networks: { ...userConfig.networks, wholeplan: { type: "http", chainType: "l1", url: node.url } },
          cutover: {
            appConfig: { contractsModule: path.join(appDir, "contracts.js"), envFile: path.join(appDir, ".env.local") },
            protocol: LOOSE_MMR_BOUNDS,
            redeploy: { mmrParams: REFUSED_MMR },
          },
        },
        { network: "wholeplan" },
        hre.config.paths.root,
      );
      nodeConn = (await runtime.network.getOrCreate()) as NetworkConnection;
    });

    after(() => node?.stop());

    it("refuses the same redeploy with nothing sent to the node", async () => {
      await freshSystem({ markets: 2, seed: "whole-plan-node" }, nodeConn);
      const before = await Promise.all(accounts.slice(0, 4).map((a) => nonce(a, nodeConn)));
      const block = await nodeConn.ethers.provider.getBlockNumber();
      const error = await refusal(() => runTask("corevault:redeploy", { json: true }, runtime));
      if (process.env.SHOW_ERRORS) console.error(error.message);
      expectNamesTheStep(error);
      expect(error.message).to.include("in-process fork of wholeplan");
      expect(await Promise.all(accounts.slice(0, 4).map((a) => nonce(a, nodeConn)))).to.deep.equal(before);
      expect(await nodeConn.ethers.provider.getBlockNumber()).to.equal(block);
    });
  });
});
