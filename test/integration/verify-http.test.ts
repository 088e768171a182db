// `cutover:verify` from the Hardhat CLI against a `hardhat node` reached over HTTP: the smoke tests run on an
// in-process fork of it and never touch the node; the exit code gates on the checks.
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import { roleId } from "../../src/corevault/observe.js";
import type { VerifyReport } from "../../src/verify/report.js";
import { contractAt } from "../helpers/contracts.js";
import { finished, hardhat, startNode, type LocalNode } from "../helpers/node.js";

describe("cutover:verify over HTTP", () => {
  let node: LocalNode;
  let env: Record<string, string>;
  const cli = async (args: string[]) => finished(hardhat([...args, "--network", "localhost"], env));

  before(async () => {
    node = await startNode();
    env = { LOCAL_RPC_URL: node.url };
    const [, admin] = await node.conn.ethers.getSigners();
    for (const args of [
      ["mocks:deploy-system", "--markets", "3", "--users", "0", "--seed", "verify-http"],
      ["corevault:redeploy", "--pause-old", "--admin", admin.address, "--allow-eoa", "--yes", "--json"],
      ["orderbook:rewire", "--yes", "--json"],
    ]) {
      const run = await cli(args);
      expect(run.code, `${args[0]}: ${run.stderr}`).to.equal(0);
    }
  });

  after(() => node?.stop());

  it("passes, with the smoke tests on an in-process fork at the verified block; the node is left as it was", async () => {
    const provider = node.conn.ethers.provider;
    const before = await provider.getBlockNumber();
    const reportDir = await mkdtemp(path.join(tmpdir(), "cutover-verify-http-"));
    const run = await cli(["cutover:verify", "--json", "--report-dir", reportDir]);
    expect(run.code, run.stderr).to.equal(0);
    const report = JSON.parse(run.stdout) as VerifyReport;
    expect(report.failed).to.equal(0);
    expect(report.block).to.equal(before);
    const smoke = report.checks.filter((c) => c.name.startsWith("smoke."));
    expect(smoke.map((c) => c.status)).to.deep.equal(["pass", "pass", "pass", "pass", "n/a"]);
    for (const check of smoke)
      expect(check.evidence).to.include(`on an in-process fork of localhost at block ${before}`);
    // nothing reached the node: same block, no market settled, no mark price moved
    expect(await provider.getBlockNumber()).to.equal(before);
    const vault = await contractAt(provider)("CoreVault", report.newVault);
    const records = JSON.parse(
      await readFile(path.join(hre.config.paths.root, "deployments", "localhost-deployment.json"), "utf8"),
    );
    for (const market of records.markets) expect(await vault.marketSettled(market.marketId)).to.equal(false);
    expect(await readFile(path.join(reportDir, "report.md"), "utf8")).to.include("**PASS**");
  });

  it("exits with code 1 and names the failing check when the chain drifts from the plan", async () => {
    const [, admin, , , , stranger] = await node.conn.ethers.getSigners();
    const records = JSON.parse(
      await readFile(path.join(hre.config.paths.root, "deployments", "localhost-deployment.json"), "utf8"),
    );
    const vault = await contractAt(admin)("CoreVault", records.contracts.CORE_VAULT);
    await (await vault.grantRole(roleId("EXTERNAL_CREDITOR_ROLE"), stranger.address)).wait();
    const run = await cli(["cutover:verify", "--skip-smoke"]);
    expect(run.code).to.equal(1);
    expect(run.stdout).to.match(/roles\.no-unexpected-holders\s+FAIL/);
    expect(run.stdout).to.include(
      `FAIL roles.no-unexpected-holders: nothing the plan did not wire holds a role on the new vault`,
    );
    expect(run.stdout).to.include(`  - EXTERNAL_CREDITOR_ROLE of ${stranger.address}`);
    expect(run.stdout).to.match(/18 passed, 1 failed, 1 not applicable/);
  });
});
