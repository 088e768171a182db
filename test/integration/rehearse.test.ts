// `--rehearse`: the exact plan on a throwaway copy of the chain (a fork of a `hardhat node` over HTTP, or the in-process
// chain between snapshot and revert), with a state diff; the real chain is untouched and the real run is gated on it.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import { deployPlanTargets } from "../../src/mocks/plan-targets.js";
import type { Rehearsal } from "../../src/rehearse/report.js";
import type { SystemRecord } from "../../src/records/records.js";
import { contractAt } from "../helpers/contracts.js";
import { finished, hardhat, startNode, type LocalNode } from "../helpers/node.js";
import { createSafe, owners } from "../helpers/safe.js";
import { conn, freshSystem, handAdminTo, nonce, tempAppConfig } from "../helpers/system.js";
import { runJson, runTask, taskError } from "../helpers/tasks.js";

type Rehearsed = Rehearsal & { files: { json: string; md: string } };

const { ethers } = conn;
const [deployer] = await ethers.getSigners();
await tempAppConfig("cutover-rehearse-");
const at = contractAt(ethers.provider);

/** The chain as a rehearsal must leave it: block number, and the nonce of every account that could have sent. */
async function fingerprint(on = conn, accounts: string[] = []): Promise<string> {
  const provider = on.ethers.provider;
  const nonces = await Promise.all(accounts.map((a) => provider.getTransactionCount(a, "latest")));
  return JSON.stringify({ block: await provider.getBlockNumber(), nonces });
}

describe("--rehearse", () => {
  afterEach(() => {
    process.exitCode = 0;
    hre.config.cutover.requireRehearsal = false;
  });

  it("applies the exact plan of corevault:redeploy --rewire on a throwaway copy, lists what it changed, and leaves the chain as it was", async () => {
    const system = await freshSystem({ markets: 3, seed: "rehearse-eoa" });
    const planned = await runJson("corevault:redeploy", { pauseOld: true, rewire: true, planOnly: true });
    const before = await fingerprint(conn, [deployer.address]);
    const rehearsed = (await runJson("corevault:redeploy", {
      pauseOld: true,
      rewire: true,
      rehearse: true,
    })) as Rehearsed;
    expect(await fingerprint(conn, [deployer.address])).to.equal(before);
    expect(rehearsed.passed).to.equal(true);
    expect(rehearsed.phases.map((p) => [p.task, p.planId])).to.deep.equal([["corevault:redeploy", planned.plan.id]]);
    expect(rehearsed.where).to.include("evm_snapshot");
    const changed = (contract: string, read: string) =>
      rehearsed.diff.changes.find((c) => c.contract.toLowerCase() === contract.toLowerCase() && c.read === read);
    expect(changed(system.contracts.CORE_VAULT, "paused()")).to.include({ before: "false", after: "true" });
    expect(changed(system.contracts.FUTURES_MARKET_FACTORY, "vault()")).to.include({
      before: system.contracts.CORE_VAULT.toLowerCase(),
    });
    for (const market of system.markets) {
      const vault = rehearsed.diff.changes.find(
        (c) => c.contract.toLowerCase().includes(market.orderBook.toLowerCase()) && c.read === "vault()",
      );
      expect(vault?.after, market.symbol).to.equal("<new CoreVault>");
    }
    expect(rehearsed.diff.events.filter((e) => e.event === "DiamondCut")).to.have.length(3);
    expect(
      rehearsed.diff.events.some((e) => e.event === "RoleGranted" && e.args.includes("role=ORDERBOOK_ROLE")),
    ).to.equal(true);
    expect(rehearsed.diff.transactions).to.equal(rehearsed.phases[0].results.filter((r) => r.status === "done").length);
    expect(rehearsed.diff.bySender.map((s) => s.sender)).to.deep.equal([deployer.address]);
    expect(rehearsed.cost.blocksAtGasLimit).to.be.greaterThan(0);
    expect(existsSync(rehearsed.files.md) || existsSync(`${hre.config.paths.root}/${rehearsed.files.md}`)).to.equal(
      true,
    );

    // The real run says it was rehearsed; with cutover.requireRehearsal, a changed plan is refused until rehearsed.
    const text = await runTask("corevault:redeploy", { pauseOld: true, rewire: true });
    expect(text)
      .to.include(`rehearsed at block ${rehearsed.block}`)
      .and.to.include(`plan id matches: ${planned.plan.id}`);
    const vault = await at("CoreVault", system.contracts.CORE_VAULT);
    expect(await vault.paused()).to.equal(true);
  });

  it("with cutover.requireRehearsal, refuses to send a plan that was not rehearsed, with nothing sent", async () => {
    await freshSystem({ markets: 2, seed: "rehearse-required" });
    hre.config.cutover.requireRehearsal = true;
    const before = await nonce();
    const error = await taskError("corevault:redeploy", { json: true });
    expect(error.message).to.match(/has no passing rehearsal .* cutover\.requireRehearsal is on; nothing was sent/);
    expect(await nonce()).to.equal(before);
    expect((await runJson("corevault:redeploy", { rehearse: true })).passed).to.equal(true);
    expect((await runJson("corevault:redeploy", {})).complete).to.equal(true);
  });

  it("rehearses a redeploy through a real 2-of-3 Safe v1.4.1: the Safe executes its batches with its owners' approvals, on the copy only", async () => {
    const system: SystemRecord = await freshSystem({ markets: 2, seed: "rehearse-safe" });
    const safe = await createSafe(
      conn,
      deployer,
      owners(3, "rehearse").map((k) => k.address),
      2,
      7n,
    );
    const safeAddress = await safe.getAddress();
    await handAdminTo(system, safeAddress, deployer);
    const before = await fingerprint(conn, [deployer.address]);
    const safeNonce = await safe.nonce();
    const rehearsed = (await runJson("corevault:redeploy", {
      pauseOld: true,
      executor: "safe",
      safe: safeAddress,
      rehearse: true,
    })) as Rehearsed;
    expect(rehearsed.passed, JSON.stringify(rehearsed.phases)).to.equal(true);
    expect(rehearsed.phases[0].rounds).to.be.greaterThan(1);
    expect(rehearsed.diff.changes.find((c) => c.read === "paused()")).to.include({ before: "false", after: "true" });
    expect(rehearsed.diff.bySender.length).to.be.greaterThan(1); // the signer, and the owner who ran execTransaction
    expect(await fingerprint(conn, [deployer.address])).to.equal(before);
    expect(await safe.nonce()).to.equal(safeNonce);
    expect(await (await at("CoreVault", system.contracts.CORE_VAULT)).paused()).to.equal(false);
  });

  it("fails before applying when a step's sender lacks the role, naming the step", async () => {
    await freshSystem({ markets: 1, seed: "rehearse-no-role" });
    const [, , , , , stranger] = await ethers.getSigners();
    const error = await taskError("corevault:redeploy", {
      pauseOld: true,
      signer: stranger.address,
      rehearse: true,
      json: true,
    });
    expect(error.message).to.include("it cannot pause the old vault");
  });

  describe("against a hardhat node over HTTP", () => {
    let node: LocalNode;
    let env: Record<string, string>;
    const cli = async (args: string[]) => finished(hardhat([...args, "--network", "localhost"], env));

    before(async () => {
      node = await startNode();
      env = { LOCAL_RPC_URL: node.url };
      const deployed = await cli(["mocks:deploy-system", "--markets", "3", "--users", "0", "--seed", "rehearse-http"]);
      expect(deployed.code, deployed.stderr).to.equal(0);
    });

    after(() => node?.stop());

    it("rehearses on an in-process fork at the node's block; the node's block and nonces are unchanged", async () => {
      const [sender] = await node.conn.ethers.getSigners();
      const admin = await createSafe(
        node.conn,
        sender,
        owners(3, "rehearse-node-admin").map((k) => k.address),
        2,
        13n,
      );
      const adminArgs = ["--admin", await admin.getAddress()];
      const before = await fingerprint(node.conn, [sender.address]);
      const run = await cli(["corevault:redeploy", "--rewire", ...adminArgs, "--rehearse", "--json"]);
      expect(run.code, run.stderr).to.equal(0);
      const rehearsed = JSON.parse(run.stdout) as Rehearsed;
      expect(rehearsed.passed).to.equal(true);
      expect(rehearsed.where).to.include("in-process fork of localhost");
      // cutover:verify ran on the fork, from the records the rehearsal wrote in its own folder, and passed.
      expect(rehearsed.verify, JSON.stringify(rehearsed.verify)).to.include({ ran: true, failed: 0 });
      expect(rehearsed.diff.events.filter((e) => e.event === "DiamondCut")).to.have.length(3);
      expect(await fingerprint(node.conn, [sender.address])).to.equal(before);
      const planned = await cli(["corevault:redeploy", "--rewire", ...adminArgs, "--plan-only", "--json"]);
      expect(JSON.parse(planned.stdout).plan.id).to.equal(rehearsed.phases[0].planId);
    });

    it("rehearses a redeploy through a real 2-of-3 Safe v1.4.1 on the node's fork; the node and the Safe are unchanged", async () => {
      const [sender] = await node.conn.ethers.getSigners();
      const records = JSON.parse(
        await readFile(path.join(hre.config.paths.root, "deployments", "localhost-deployment.json"), "utf8"),
      ) as SystemRecord;
      const safe = await createSafe(
        node.conn,
        sender,
        owners(3, "rehearse-node").map((k) => k.address),
        2,
        11n,
      );
      const safeAddress = await safe.getAddress();
      await handAdminTo(records, safeAddress, sender);
      const before = await fingerprint(node.conn, [sender.address]);
      const safeNonce = await safe.nonce();
      const run = await cli([
        "corevault:redeploy",
        "--pause-old",
        "--executor",
        "safe",
        "--safe",
        safeAddress,
        // the run's stored plan (from the --plan-only above) was made before the Safe took over: a new plan
        "--replan",
        "--rehearse",
        "--json",
      ]);
      expect(run.code, run.stderr).to.equal(0);
      const rehearsed = JSON.parse(run.stdout) as Rehearsed;
      expect(rehearsed.passed, JSON.stringify(rehearsed.phases)).to.equal(true);
      expect(rehearsed.phases[0].rounds).to.be.greaterThan(1);
      expect(rehearsed.diff.changes.find((c) => c.read === "paused()")).to.include({ before: "false", after: "true" });
      expect(await fingerprint(node.conn, [sender.address])).to.equal(before);
      expect(await safe.nonce()).to.equal(safeNonce);
    });

    it("rehearses a facet plan on a diamond owned by a real TimelockController, with its rollback, on the node's fork", async () => {
      const [sender] = await node.conn.ethers.getSigners();
      const { diamond: target } = await deployPlanTargets(node.conn, 3600);
      const planned = await cli([
        "diamond:plan",
        "--target",
        target,
        "--facets",
        "FeeConfigFacet,PauseGuardFacet",
        "--json",
      ]);
      expect(planned.code, planned.stderr).to.equal(0);
      const before = await fingerprint(node.conn, [sender.address]);
      const run = await cli([
        "diamond:apply-plan",
        "--plan",
        JSON.parse(planned.stdout).file,
        "--rehearse",
        "--with-rollback",
        "--json",
      ]);
      expect(run.code, run.stderr).to.equal(0);
      const rehearsed = JSON.parse(run.stdout) as Rehearsed;
      expect(rehearsed.passed, JSON.stringify(rehearsed.problems)).to.equal(true);
      expect(rehearsed.phases.map((p) => p.task)).to.deep.equal([
        "diamond:stage-plan",
        "diamond:apply-plan",
        "diamond:rollback",
        "diamond:rollback",
      ]);
      expect(await fingerprint(node.conn, [sender.address])).to.equal(before);
    });
  });
});
