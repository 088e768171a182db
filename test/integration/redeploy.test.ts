// `corevault:redeploy` driven through the task on the in-process chain, against the production-like system.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import { Contract, ZeroHash } from "ethers";
import hre from "hardhat";
import { roleId, VAULT_ROLES } from "../../src/corevault/observe.js";
import { readSystemRecord, systemRecordPath, type SystemRecord } from "../../src/records/records.js";
import { envNetwork } from "../../src/records/app-config.js";
import { contractAt } from "../helpers/contracts.js";
import { conn, freshSystem as deployFresh, nonce, tempAppConfig } from "../helpers/system.js";
import { runJson, runTask, taskError } from "../helpers/tasks.js";

const { ethers } = conn;
const root = hre.config.paths.root;
const [deployer, , , , , stranger] = await ethers.getSigners();
await tempAppConfig();
const at = contractAt(ethers.provider);

async function freshSystem(factory: "updatable" | "immutable" = "updatable", markets = 6): Promise<SystemRecord> {
  return deployFresh({ markets, users: 2, factory, seed: `redeploy-${factory}-${markets}` });
}

async function redeploy(args: Record<string, unknown> = {}): Promise<{
  planId: string;
  complete: boolean;
  transactionsSent: number;
  results: { id: string; status: string }[];
  deployed: Record<string, string>;
}> {
  return runJson("corevault:redeploy", args);
}

/** Every role of the old vault has the same holders on the new one (the factory swapped where it was replaced). */
async function expectSameWiring(old: SystemRecord, newVault: string, newFactory?: string) {
  const oldVault = await at("CoreVault", old.contracts.CORE_VAULT);
  const vault = await at("CoreVault", newVault);
  for (const market of old.markets) {
    expect(await vault.marketToOrderBook(market.marketId), market.symbol).to.equal(market.orderBook);
    expect(await vault.isRegisteredOrderBook(market.orderBook)).to.equal(true);
    expect(await vault.hasRole(roleId("ORDERBOOK_ROLE"), market.orderBook)).to.equal(true);
  }
  expect(await vault.getRegisteredOrderBooks()).to.deep.equal(await oldVault.getRegisteredOrderBooks());
  const factory = newFactory ?? old.contracts.FUTURES_MARKET_FACTORY;
  expect(await vault.hasRole(roleId("FACTORY_ROLE"), factory)).to.equal(true);
  expect(await vault.hasRole(roleId("EXTERNAL_CREDITOR_ROLE"), old.contracts.COLLATERAL_HUB)).to.equal(true);
  for (const operator of old.settlementOperators as string[])
    expect(await vault.hasRole(roleId("SETTLEMENT_ROLE"), operator)).to.equal(true);
  expect(await vault.liquidationManager()).to.equal(await oldVault.liquidationManager());
  expect(await vault.mmrParams()).to.deep.equal(await oldVault.mmrParams());
  expect(await vault.collateralToken()).to.equal(old.contracts.USDC);
  for (const role of VAULT_ROLES)
    expect(await vault.getRoleAdmin(roleId(role))).to.equal(await oldVault.getRoleAdmin(roleId(role)));
  const hub = await at("CollateralHub", old.contracts.COLLATERAL_HUB);
  expect(await hub.vault()).to.equal(newVault);
}

describe("corevault:redeploy", () => {
  it("redeploys and wires the new vault exactly like the old one, hands over admin, and writes records and app config", async () => {
    const old = await freshSystem();
    const before = await nonce();
    const outcome = await redeploy({ admin: stranger.address, allowEoa: true, pauseOld: true });
    expect(outcome.complete).to.equal(true);
    const newVault = outcome.deployed.CoreVault;
    expect((await nonce()) - before).to.equal(outcome.transactionsSent);
    expect(outcome.transactionsSent).to.equal(outcome.results.length);

    await expectSameWiring(old, newVault);
    const factory = await at("FuturesMarketFactory", old.contracts.FUTURES_MARKET_FACTORY);
    expect(await factory.vault()).to.equal(newVault);
    expect(await (await at("CoreVault", old.contracts.CORE_VAULT)).paused()).to.equal(true);
    const vault = await at("CoreVault", newVault);
    expect(await vault.hasRole(ZeroHash, stranger.address)).to.equal(true);
    for (const role of VAULT_ROLES)
      expect(await vault.hasRole(roleId(role), deployer.address), `deployer keeps ${role}`).to.equal(false);
    // linked against the EXISTING libraries
    const code = (await ethers.provider.getCode(newVault)).toLowerCase();
    expect(code).to.include(old.contracts.VAULT_ANALYTICS.slice(2).toLowerCase());
    expect(code).to.include(old.contracts.POSITION_MANAGER.slice(2).toLowerCase());

    const records = await readSystemRecord(root, conn.networkName);
    expect(records.contracts.CORE_VAULT).to.equal(newVault);
    const superseded = records.superseded as { CORE_VAULT: string; runId: string; replacedBy: string }[];
    expect(superseded.at(-1)).to.include({
      CORE_VAULT: old.contracts.CORE_VAULT,
      runId: outcome.planId,
      replacedBy: newVault,
    });
    const vaultRecord = JSON.parse(
      await readFile(path.join(root, "deployments", conn.networkName, "CoreVault.json"), "utf8"),
    );
    expect(vaultRecord.address).to.equal(newVault);
    expect(vaultRecord.libraries).to.deep.equal({
      VaultAnalytics: old.contracts.VAULT_ANALYTICS,
      PositionManager: old.contracts.POSITION_MANAGER,
    });
    expect(vaultRecord.receipt.contractAddress).to.equal(newVault);
    const contractsModule = await import(`${hre.config.cutover.appConfig.contractsModule}?t=${Date.now()}`);
    expect(contractsModule.CONTRACTS[conn.networkName].CORE_VAULT).to.equal(newVault);
    expect(await readFile(hre.config.cutover.appConfig.envFile, "utf8")).to.include(
      `NEXT_PUBLIC_${envNetwork(conn.networkName)}_CORE_VAULT_ADDRESS=${newVault}`,
    );

    // A second run of the same command re-checks the chain and sends nothing.
    const again = await nonce();
    const second = await redeploy({ admin: stranger.address, allowEoa: true, pauseOld: true });
    expect(second.complete).to.equal(true);
    expect(second.transactionsSent).to.equal(0);
    expect(second.planId).to.equal(outcome.planId);
    expect(await nonce()).to.equal(again);
  });

  it("--plan-only sends nothing, prints every step and writes the plan; the same inputs give the same plan id", async () => {
    await freshSystem();
    const before = await nonce();
    const printed = JSON.parse(await runTask("corevault:redeploy", { planOnly: true, json: true }));
    expect(await nonce()).to.equal(before);
    const stored = JSON.parse(await readFile(printed.planFile, "utf8"));
    expect(stored.id).to.equal(printed.plan.id);
    expect(stored.steps.map((s: { id: string }) => s.id)).to.deep.equal([
      "deploy:CoreVault",
      "configure:liquidation-manager",
      "configure:mmr-params",
      "grant:roles",
      "grant:temporary-factory-role",
      "markets:1",
      "align:factory",
      "repoint:hub",
      "handoff:admin",
    ]);
    const again = JSON.parse(await runTask("corevault:redeploy", { planOnly: true, json: true, replan: true }));
    expect(again.plan.id).to.equal(printed.plan.id);
    const text = await runTask("corevault:redeploy", { planOnly: true, verbose: true });
    expect(text).to.match(/<new CoreVault>\.grantRole\(SETTLEMENT_ROLE, 0x[0-9a-fA-F]{40}\)/);
    expect(text).to.match(/point the factory at the new vault .*setVault\(<new CoreVault>\)/);
    expect(text).to.include("plan only: nothing sent");
    expect(await nonce()).to.equal(before);
  });

  it("refuses to apply a stored plan with different options, naming the steps that would change", async () => {
    await freshSystem();
    await runTask("corevault:redeploy", { planOnly: true, json: true });
    const before = await nonce();
    const error = await taskError("corevault:redeploy", {
      pauseOld: true,
      admin: stranger.address,
      allowEoa: true,
      json: true,
    });
    expect(error.message).to.match(
      /This run already has plan 0x[0-9a-f]{8} \(9 steps\), computed with other options or config/,
    );
    expect(error.message).to.include("+ pause-old-vault: pause the old vault");
    expect(error.message).to.include("~ handoff:admin");
    expect(await nonce()).to.equal(before);
    const outcome = await redeploy({ pauseOld: true, admin: stranger.address, allowEoa: true, replan: true });
    expect(outcome.complete).to.equal(true);
    expect(outcome.results.map((r) => r.id)).to.include("pause-old-vault");
  });

  it("refuses to apply a plan when the old system changed since it was computed, listing what changed; --replan recomputes", async () => {
    const old = await freshSystem();
    await runTask("corevault:redeploy", { planOnly: true, json: true });
    const oldVault = (await at("CoreVault", old.contracts.CORE_VAULT)).connect(deployer) as Contract;
    await (await oldVault.grantRole(roleId("SETTLEMENT_ROLE"), stranger.address)).wait();
    const before = await nonce();
    const error = await taskError("corevault:redeploy", { json: true });
    expect(error.message).to.match(/The chain changed since plan 0x[0-9a-f]{8} was computed/);
    expect(error.message).to.include(`oldVault.role.SETTLEMENT_ROLE.holders`);
    expect(error.message).to.include(stranger.address.toLowerCase());
    expect(error.message).to.include("--replan");
    expect(await nonce()).to.equal(before);

    const outcome = await redeploy({ replan: true });
    expect(outcome.complete).to.equal(true);
    const vault = await at("CoreVault", outcome.deployed.CoreVault);
    expect(await vault.hasRole(roleId("SETTLEMENT_ROLE"), stranger.address)).to.equal(true);
  });

  it("with an immutable factory deploys a new factory for the new vault and records that future markets use it", async () => {
    const old = await freshSystem("immutable", 3);
    const outcome = await redeploy();
    expect(outcome.complete).to.equal(true);
    const newFactory = outcome.deployed.FuturesMarketFactory;
    expect(newFactory).to.match(/^0x[0-9a-fA-F]{40}$/);
    await expectSameWiring(old, outcome.deployed.CoreVault, newFactory);
    const vault = await at("CoreVault", outcome.deployed.CoreVault);
    expect(await vault.hasRole(roleId("SETTLEMENT_ROLE"), newFactory)).to.equal(true);
    expect(await vault.hasRole(roleId("FACTORY_ROLE"), old.contracts.FUTURES_MARKET_FACTORY)).to.equal(false);
    const factory = await at("FuturesMarketFactoryImmutable", newFactory);
    expect(await factory.vault()).to.equal(outcome.deployed.CoreVault);
    expect(await factory.orderBookInit()).to.equal(old.contracts.ORDERBOOK_INIT);
    const records = await readSystemRecord(root, conn.networkName);
    expect(records.contracts.FUTURES_MARKET_FACTORY).to.equal(newFactory);
    // The new factory really creates markets on the new vault.
    await (await (factory.connect(deployer) as Contract).createMarket("NEW-USD")).wait();
    const marketId = ethers.id("NEW-USD");
    expect(await vault.marketToOrderBook(marketId)).to.equal(await factory.orderBookOf(marketId));
  });

  it("--rewire moves every OrderBook to the new vault in the same plan and journal", async () => {
    const old = await freshSystem("updatable", 5);
    const outcome = JSON.parse(await runTask("corevault:redeploy", { json: true, rewire: true, pauseOld: true }));
    expect(outcome.complete).to.equal(true);
    const newVault = outcome.deployed.CoreVault;
    const ids = outcome.results.map((r: { id: string }) => r.id);
    expect(ids.filter((i: string) => i.startsWith("rewire:"))).to.have.length(5);
    expect(ids).to.include("deploy:VaultAdminFacet");
    expect(ids.at(-1)).to.equal("handoff:admin");
    for (const market of old.markets)
      expect(await (await at("OrderBookViewFacet", market.orderBook)).vault()).to.equal(newVault);
    expect(outcome.orderBooks.every((b: { status: string }) => b.status === "rewired")).to.equal(true);
    const journal = await readFile(
      path.join(
        root,
        "deployments",
        conn.networkName,
        ".cutover",
        `corevault-redeploy-${old.contracts.CORE_VAULT.toLowerCase()}`,
        "journal.jsonl",
      ),
      "utf8",
    );
    expect(journal).to.include('"stepId":"rewire:');
    const again = await nonce();
    const second = JSON.parse(await runTask("corevault:redeploy", { json: true, rewire: true, pauseOld: true }));
    expect(second.transactionsSent).to.equal(0);
    expect(await nonce()).to.equal(again);
  });

  describe("refuses bad input with nothing sent", () => {
    it("18-decimals collateral", async () => {
      await freshSystem();
      const wrong = await ethers.deployContract("WrongDecimalsToken");
      const before = await nonce();
      const error = await taskError("corevault:redeploy", { collateral: await wrong.getAddress(), json: true });
      expect(error.message).to.match(
        /Invalid collateral: "0x[0-9a-fA-F]{40}"\. Fix: the new CoreVault needs 6-decimals collateral \(USDC\) but this token reports 18 decimals/,
      );
      expect(await nonce()).to.equal(before);
    });

    it("a library address without code", async () => {
      await freshSystem();
      const before = await nonce();
      const error = await taskError("corevault:redeploy", {
        libraries: "VaultAnalytics=0x00000000000000000000000000000000DeaDBeef",
        json: true,
      });
      expect(error.message).to.match(
        /Invalid library VaultAnalytics: "0x00000000000000000000000000000000DeaDBeef"\. Fix: no code at that address/,
      );
      expect(await nonce()).to.equal(before);
    });

    it("an unknown old vault", async () => {
      await freshSystem();
      const before = await nonce();
      const noCode = await taskError("corevault:redeploy", {
        oldVault: "0x000000000000000000000000000000000000bEEF",
        json: true,
      });
      expect(noCode.message).to.match(
        /Invalid --old-vault: "0x000000000000000000000000000000000000bEEF"\. Fix: no contract at that address/,
      );
      const notVault = await taskError("corevault:redeploy", {
        oldVault: (await readSystemRecord(root, conn.networkName)).contracts.USDC,
        json: true,
      });
      expect(notVault.message).to.match(/does not answer CoreVault calls/);
      const malformed = await taskError("corevault:redeploy", { oldVault: "0x1234", json: true });
      expect(malformed.message).to.match(/Invalid --old-vault: "0x1234"/);
      expect(await nonce()).to.equal(before);
    });

    it("records of another chain", async () => {
      await freshSystem();
      const file = systemRecordPath(root, conn.networkName);
      const records = JSON.parse(await readFile(file, "utf8"));
      await writeFile(file, JSON.stringify({ ...records, chainId: 1 }));
      const before = await nonce();
      const error = await taskError("corevault:redeploy", { json: true });
      expect(error.message).to.match(
        /records deployments\/\w+-deployment\.json are for chain 1 but this network is chain 31337/,
      );
      expect(await nonce()).to.equal(before);
    });

    it("a signer without the admin roles the steps need", async () => {
      await freshSystem();
      const before = await ethers.provider.getTransactionCount(stranger.address);
      const error = await taskError("corevault:redeploy", { signer: stranger.address, json: true });
      expect(error.message).to.match(
        /Invalid signer: "0x[0-9a-fA-F]{40}"\. Fix: it cannot point the factory at the new vault/,
      );
      expect(error.message).to.match(/AccessControlUnauthorizedAccount|revert/);
      expect(await ethers.provider.getTransactionCount(stranger.address)).to.equal(before);
    });
  });
});
