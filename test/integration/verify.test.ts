// `cutover:verify` through the task on the in-process chain: a clean cutover (mocks:deploy-system -> corevault:redeploy
// -> orderbook:rewire) passes every check and smoke test; each breakage fails exactly the check meant to catch it.
import { appendFile, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import { loadArtifact } from "../../src/artifacts.js";
import { roleId } from "../../src/corevault/observe.js";
import type { SystemRecord } from "../../src/records/records.js";
import type { VerifyReport } from "../../src/verify/report.js";
import { observeAndCheck } from "../../src/verify/verify.js";
import { contractAt } from "../helpers/contracts.js";
import { conn, counting, freshSystem, redeployAndRewire, tempAppConfig } from "../helpers/system.js";
import { runTask, withExitCode } from "../helpers/tasks.js";

const { ethers, networkHelpers } = conn;
const [deployer, admin, , , , stranger] = await ethers.getSigners();
const tmp = await tempAppConfig("cutover-verify-");
const reportDir = path.join(tmp, "report");
const at = contractAt(deployer);

async function verify(
  args: Record<string, unknown> = {},
): Promise<{ report: VerifyReport & { markdownFile: string; jsonFile: string }; exitCode: number }> {
  const { printed, exitCode } = await withExitCode("cutover:verify", { json: true, reportDir, ...args });
  return { report: JSON.parse(printed), exitCode };
}

const failing = (report: VerifyReport) => report.checks.filter((c) => c.status === "fail").map((c) => c.name);
const failure = (report: VerifyReport, name: string) => report.checks.find((c) => c.name === name)!.failures;

describe("cutover:verify", () => {
  let system: SystemRecord;
  let oldVault: string;
  let newVault: string;
  let adminFacet: string;

  before(async () => {
    system = await freshSystem({ markets: 4, users: 2, seed: "verify" });
    oldVault = system.contracts.CORE_VAULT;
    ({ newVault, adminFacet } = await redeployAndRewire({
      redeploy: { pauseOld: true, admin: admin.address, allowEoa: true },
    }));
  });

  it("passes every check and smoke test after a clean cutover, writes the reports, and leaves the chain as it was", async () => {
    const blockBefore = await ethers.provider.getBlockNumber();
    const { report, exitCode } = await verify();
    expect(failing(report)).to.deep.equal([]);
    expect(exitCode).to.equal(0);
    expect(report.oldVault).to.equal(oldVault);
    expect(report.newVault).to.equal(newVault);
    const names = report.checks.map((c) => c.name);
    expect(names).to.include.members([
      "plans.complete",
      "roles.desired-holders",
      "roles.no-unexpected-holders",
      "roles.deployer-no-admin",
      "markets.mapping",
      "orderbooks.registered",
      "orderbooks.vault",
      "orderbooks.facets",
      "factory.vault",
      "hub.vault",
      "vault.liquidation-manager",
      "vault.mmr-params",
      "old-vault.paused",
      "old-vault.halted",
      "collateral.decimals",
      "vault.libraries",
      "vault.library-code",
      "records.addresses",
      "app-config.contracts-module",
      "app-config.env-file",
      "smoke.mark-price",
      "smoke.liquidation",
      "smoke.settlement",
      "smoke.unauthorized-refused",
      "smoke.old-vault-halted",
    ]);
    // this cutover paused the old vault (on the mock, pause halts trading) and did not --halt-old
    expect(report.checks.filter((c) => c.status === "n/a").map((c) => c.name)).to.deep.equal([
      "old-vault.halted",
      "smoke.old-vault-halted",
    ]);
    const liquidation = report.checks.find((c) => c.name === "smoke.liquidation")!;
    expect(liquidation.evidence).to.match(
      /paid the liquidator [1-9]\d* \(LiquidationExecuted\) on default inside evm_snapshot\/evm_revert/,
    );
    expect(report.checks.find((c) => c.name === "smoke.unauthorized-refused")!.evidence).to.match(/^6\/6 calls/);
    // the smoke ran inside a snapshot: nothing it did is on the chain
    expect(await ethers.provider.getBlockNumber()).to.equal(blockBefore);
    expect(await (await at("CoreVault", newVault)).marketSettled(system.markets[1].marketId)).to.equal(false);

    const markdown = await readFile(report.markdownFile, "utf8");
    expect(markdown).to.include("```mermaid\ngraph LR");
    expect(markdown).to.match(/admin0 -- "DEFAULT_ADMIN_ROLE" --> new/);
    expect(markdown).to.match(/ob0\["OrderBook BTC-USD<br\/>0x[0-9a-fA-F]{4}…[0-9a-fA-F]{4}"\]/);
    expect(markdown).to.include("| `orderbooks.vault` | pass |");
    expect(JSON.parse(await readFile(report.jsonFile, "utf8")).passed).to.equal(report.passed);

    const text = await runTask("cutover:verify", { reportDir, skipSmoke: true });
    expect(text).to.match(/orderbooks\.vault\s+pass\s+4\/4 OrderBooks call/);
    expect(text).to.match(/19 passed, 0 failed, 1 not applicable/);
  });

  describe("each breakage fails exactly the check meant to catch it", () => {
    let snapshot: string;
    let envText: string;
    beforeEach(async () => {
      snapshot = (await conn.provider.request({ method: "evm_snapshot" })) as string;
      envText = await readFile(hre.config.cutover.appConfig.envFile, "utf8");
    });
    afterEach(async () => {
      await conn.provider.request({ method: "evm_revert", params: [snapshot] });
      await writeFile(hre.config.cutover.appConfig.envFile, envText);
    });

    it("a role revoked", async () => {
      const [operator] = system.settlementOperators as string[];
      await (await (await at("CoreVault", newVault, admin)).revokeRole(roleId("SETTLEMENT_ROLE"), operator)).wait();
      const { report, exitCode } = await verify();
      expect(failing(report)).to.deep.equal(["roles.desired-holders"]);
      expect(exitCode).to.equal(1);
      expect(failure(report, "roles.desired-holders")).to.deep.equal([
        {
          subject: `SETTLEMENT_ROLE of settlement operator 1 ${operator}`,
          expected: "holds the role",
          found: "does not hold it",
          fix: `grant it back: newVault.grantRole(SETTLEMENT_ROLE, ${operator}) from the role's admin (corevault:regrant-roles)`,
        },
      ]);
    });

    it("an extra role holder", async () => {
      await (
        await (await at("CoreVault", newVault, admin)).grantRole(roleId("SETTLEMENT_ROLE"), stranger.address)
      ).wait();
      const { report } = await verify();
      expect(failing(report)).to.deep.equal(["roles.no-unexpected-holders"]);
      const [found] = failure(report, "roles.no-unexpected-holders");
      expect(found.subject).to.equal(`SETTLEMENT_ROLE of ${stranger.address}`);
      expect(found.fix).to.include(`revokeRole(SETTLEMENT_ROLE, ${stranger.address})`);
    });

    it("one OrderBook left on the old vault", async () => {
      const book = system.markets[2];
      await (await (await at("VaultAdminFacet", book.orderBook)).setVault(oldVault)).wait();
      const { report } = await verify();
      expect(failing(report)).to.deep.equal(["orderbooks.vault"]);
      expect(failure(report, "orderbooks.vault")).to.deep.equal([
        {
          subject: `OrderBook ${book.symbol} ${book.orderBook}`,
          expected: `vault() = new CoreVault ${newVault}`,
          found: `the OLD vault ${oldVault}`,
          fix: `orderbook:rewire --orderbooks ${book.orderBook} (its owner cuts in the vault-admin facet and calls setVault)`,
        },
      ]);
      const markdown = await readFile(report.markdownFile, "utf8");
      expect(markdown).to.match(/ob2 -- "vault\(\)" --> old\n {2}class ob2 bad/);
    });

    it("a wrong market mapping", async () => {
      const [first, second] = system.markets;
      await (
        await (await at("CoreVault", newVault, admin)).assignMarketToOrderBook(first.marketId, second.orderBook)
      ).wait();
      const { report } = await verify();
      expect(failing(report)).to.deep.equal(["markets.mapping"]);
      expect(failure(report, "markets.mapping")).to.deep.equal([
        {
          subject: `market ${first.symbol} (${first.marketId.slice(0, 10)}…)`,
          expected: `marketToOrderBook = ${first.orderBook}`,
          found: second.orderBook,
          fix: `newVault.assignMarketToOrderBook(${first.marketId}, ${first.orderBook}) from the admin or FACTORY_ROLE`,
        },
      ]);
    });

    it("the deployer left as admin", async () => {
      await (
        await (await at("CoreVault", newVault, admin)).grantRole(roleId("DEFAULT_ADMIN_ROLE"), deployer.address)
      ).wait();
      const { report } = await verify();
      expect(failing(report)).to.deep.equal(["roles.deployer-no-admin"]);
      expect(failure(report, "roles.deployer-no-admin")[0]).to.include({
        expected: "no DEFAULT_ADMIN_ROLE",
        found: "holds DEFAULT_ADMIN_ROLE",
      });
    });

    it("a stale address in the env file", async () => {
      await appendFile(hre.config.cutover.appConfig.envFile, `# kept by hand\nLEGACY_VAULT=${oldVault}\n`);
      const { report } = await verify({ skipSmoke: true });
      expect(failing(report)).to.deep.equal(["app-config.env-file"]);
      const [stale] = failure(report, "app-config.env-file");
      const lines = (await readFile(hre.config.cutover.appConfig.envFile, "utf8")).split("\n");
      expect(stale.subject).to.equal(
        `${hre.config.cutover.appConfig.envFile}:${lines.indexOf(`LEGACY_VAULT=${oldVault}`) + 1}`,
      );
      expect(stale.found).to.equal(`${oldVault} (the old CORE_VAULT)`);
    });

    it("a facet swapped after the plan: its code is no longer the artifact's", async () => {
      const other = (await loadArtifact(hre, "OwnershipFacet")).deployedBytecode;
      await networkHelpers.setCode(adminFacet, other);
      const { report } = await verify();
      expect(failing(report)).to.deep.equal(["orderbooks.facets"]);
      const [swapped] = failure(report, "orderbooks.facets");
      expect(swapped.subject).to.equal(`VaultAdminFacet ${adminFacet} in 4 OrderBook(s): BTC-USD, ETH-USD, SOL-USD, …`);
      expect(swapped.found).to.match(/^code hash 0x[0-9a-f]{16}…: runtime size \d+ bytes, the artifact's is \d+$/);
    });

    it("a facet cut in that no plan deployed", async () => {
      const rogue = await ethers.deployContract("TestFacetA");
      const book = system.markets[0].orderBook;
      const selector = rogue.interface.getFunction("ping")!.selector;
      await (
        await (
          await at("DiamondCutFacet", book)
        ).diamondCut(
          [{ facetAddress: await rogue.getAddress(), action: 0, functionSelectors: [selector] }],
          ethers.ZeroAddress,
          "0x",
        )
      ).wait();
      const { report } = await verify({ skipSmoke: true });
      expect(failing(report)).to.deep.equal(["orderbooks.facets"]);
      expect(failure(report, "orderbooks.facets")[0]).to.include({
        subject: `facet ${await rogue.getAddress()} in 1 OrderBook(s): BTC-USD`,
        found: "an unknown facet",
      });
    });
  });

  it("reads the chain for all checks in a handful of JSON-RPC requests", async () => {
    const {
      result: { checks, readRequests },
      methods,
    } = await counting(() => observeAndCheck(hre, conn, {}));
    expect(checks.every((c) => c.status !== "fail")).to.equal(true);
    // every request but the local Multicall3 check (eth_getCode) is a read of the checks
    expect(readRequests).to.equal(methods.filter((m) => m !== "eth_getCode").length);
    // eth_getCode (is Multicall3 installed?), eth_blockNumber, eth_getLogs (role candidates), eth_call x2 (one
    // aggregate3 batch with the chain id, one CodeReader call for every contract's code)
    expect(methods).to.deep.equal(["eth_getCode", "eth_blockNumber", "eth_getLogs", "eth_call", "eth_call"]);
  });

  // (child suites run after the tests above: this one replaces the system)
  describe("refusals", () => {
    it("refuses a network without a recorded cutover, naming what to do", async () => {
      await freshSystem({ markets: 1, seed: "verify-none" });
      const error = await runTask("cutover:verify", { json: true }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).to.match(
        /records no cutover yet \(no CORE_VAULT under "superseded"\); run corevault:redeploy first/,
      );
    });
  });
});
