// `orderbook:rewire` driven through the task on the in-process chain, after `corevault:redeploy`.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import { Contract, id, parseEther, parseUnits, Wallet } from "ethers";
import hre from "hardhat";
import { roleId } from "../../src/corevault/observe.js";
import type { SystemRecord } from "../../src/records/records.js";
import { contractAt } from "../helpers/contracts.js";
import { conn, freshSystem, nonce, tempAppConfig } from "../helpers/system.js";
import { runJson, runTask, taskError } from "../helpers/tasks.js";

const { ethers } = conn;
const [deployer, alice, bob, liquidator] = await ethers.getSigners();
await tempAppConfig();
const DIAMOND_CUT_TOPIC = id("DiamondCut((address,uint8,bytes4[])[],address,bytes)");
const SET_VAULT = id("setVault(address)").slice(0, 10);
const at = contractAt(ethers.provider);

/** A fresh legacy system, redeployed: its OrderBooks still point at the old vault. */
async function redeployedSystem(
  markets: number,
  seed: string,
): Promise<{ system: SystemRecord; oldVault: string; newVault: string }> {
  const system = await freshSystem({ markets, seed });
  const out = await runJson("corevault:redeploy");
  expect(out.complete).to.equal(true);
  return { system, oldVault: system.contracts.CORE_VAULT, newVault: out.deployed.CoreVault };
}

async function rewire(args: Record<string, unknown> = {}) {
  return runJson<{
    complete: boolean;
    transactionsSent: number;
    deployed: Record<string, string>;
    orderBooks: {
      symbol: string;
      orderBook: string;
      status: string;
      reason?: string;
      gasUsed?: string;
      replacedBy?: string;
    }[];
  }>("orderbook:rewire", args);
}

async function cutsSince(diamond: string, fromBlock: number): Promise<number> {
  return (
    await ethers.provider.getLogs({ address: diamond, topics: [DIAMOND_CUT_TOPIC], fromBlock, toBlock: "latest" })
  ).length;
}

describe("orderbook:rewire", () => {
  afterEach(() => {
    process.exitCode = 0;
  });

  it("rewires 55 OrderBooks with one cut each, and a re-run sends nothing", async () => {
    const { system, newVault } = await redeployedSystem(55, "rewire-55");
    const from = await ethers.provider.getBlockNumber();
    const out = await rewire();
    expect(out.complete).to.equal(true);
    expect(out.orderBooks).to.have.length(55);
    expect(out.orderBooks.every((b) => b.status === "rewired")).to.equal(true);
    for (const market of system.markets) {
      expect(await (await at("OrderBookViewFacet", market.orderBook)).vault(), market.symbol).to.equal(newVault);
      expect(await cutsSince(market.orderBook, from + 1), market.symbol).to.equal(1);
      expect(await (await at("DiamondLoupeFacet", market.orderBook)).facetAddress(SET_VAULT)).to.equal(
        out.deployed.VaultAdminFacet,
      );
    }
    // 55 cuts, plus the facet unless an earlier test on this chain deployed it at its CREATE2 address already (the
    // CREATE2 factory itself sits at its fixed address on local chains)
    const facetSent = (out as unknown as { results: { id: string; sentNow?: boolean }[] }).results.some(
      (r) => r.id === "deploy:VaultAdminFacet" && r.sentNow,
    );
    expect(out.transactionsSent).to.equal(55 + (facetSent ? 1 : 0));

    const before = await nonce();
    const again = await rewire();
    expect(again.transactionsSent).to.equal(0);
    expect(again.orderBooks.every((b) => b.status === "already done")).to.equal(true);
    expect(await nonce()).to.equal(before);
  });

  it("reuses the CREATE2 facet across systems, and only calls setVault where the facet is already installed", async () => {
    const first = await redeployedSystem(3, "rewire-reuse-1");
    const out1 = await rewire();
    expect(out1.complete).to.equal(true);
    // A second cutover of the same system: the OrderBooks already have the facet, so no cut is needed.
    const again = JSON.parse(await runTask("corevault:redeploy", { json: true, oldVault: first.newVault }));
    const from = await ethers.provider.getBlockNumber();
    const out2 = await rewire();
    expect(out2.complete).to.equal(true);
    expect(out2.transactionsSent).to.equal(3);
    for (const market of first.system.markets) {
      expect(await (await at("OrderBookViewFacet", market.orderBook)).vault()).to.equal(again.deployed.CoreVault);
      expect(await cutsSince(market.orderBook, from + 1)).to.equal(0);
    }
    // A new system on the same chain gets the facet at the same address.
    await redeployedSystem(2, "rewire-reuse-2");
    const out3 = await rewire();
    expect(out3.deployed.VaultAdminFacet).to.equal(out1.deployed.VaultAdminFacet);
    expect(out3.transactionsSent).to.equal(2);
  });

  it("reports a diamond owned by someone else as failed with its reason, and rewires the rest", async () => {
    const { system, newVault } = await redeployedSystem(4, "rewire-foreign");
    const stranger = Wallet.createRandom().address;
    const foreign = system.markets[2];
    await (
      await ((await at("OwnershipFacet", foreign.orderBook)).connect(deployer) as Contract).transferOwnership(stranger)
    ).wait();
    const out = await rewire();
    expect(out.complete).to.equal(false);
    expect(process.exitCode).to.equal(1);
    const row = out.orderBooks.find((b) => b.orderBook === foreign.orderBook)!;
    expect(row.status).to.equal("failed");
    expect(row.reason).to.include(`must be sent by ${stranger}`);
    const others = out.orderBooks.filter((b) => b.orderBook !== foreign.orderBook);
    expect(others.every((b) => b.status === "rewired")).to.equal(true);
    expect(await (await at("OrderBookViewFacet", foreign.orderBook)).vault()).to.equal(system.contracts.CORE_VAULT);
    for (const other of others)
      expect(await (await at("OrderBookViewFacet", other.orderBook)).vault()).to.equal(newVault);
  });

  it("--strategy redeploy gives each market a fresh OrderBook on the new vault and supersedes the old one in the records", async () => {
    const { system, oldVault, newVault } = await redeployedSystem(3, "rewire-strategy-redeploy");
    const planned = JSON.parse(await runTask("orderbook:rewire", { strategy: "redeploy", planOnly: true, json: true }));
    expect(planned.plan.notes.join(" ")).to.match(
      /Open orders stay on the old OrderBooks of the 3 redeployed market\(s\)/,
    );
    const out = await rewire({ strategy: "redeploy" });
    expect(out.complete).to.equal(true);
    const vault = await at("CoreVault", newVault);
    const records = JSON.parse(
      await readFile(path.join(hre.config.paths.root, "deployments", `${conn.networkName}-deployment.json`), "utf8"),
    );
    for (const market of system.markets) {
      const row = out.orderBooks.find((b) => b.orderBook === market.orderBook)!;
      expect(row.status).to.equal("redeployed");
      const fresh = row.replacedBy!;
      expect(fresh).to.not.equal(market.orderBook);
      expect(await (await at("OrderBookViewFacet", fresh)).vault()).to.equal(newVault);
      expect(await (await at("OrderBookViewFacet", fresh)).marketId()).to.equal(market.marketId);
      expect(await (await at("DiamondLoupeFacet", fresh)).facetAddresses()).to.deep.equal(
        await (await at("DiamondLoupeFacet", market.orderBook)).facetAddresses(),
      );
      expect(await vault.marketToOrderBook(market.marketId)).to.equal(fresh);
      expect(await vault.hasRole(roleId("ORDERBOOK_ROLE"), fresh)).to.equal(true);
      expect(await vault.hasRole(roleId("ORDERBOOK_ROLE"), market.orderBook)).to.equal(false);
      expect(await (await at("OrderBookViewFacet", market.orderBook)).vault()).to.equal(oldVault);
      expect(records.markets.find((m: { marketId: string }) => m.marketId === market.marketId).orderBook).to.equal(
        fresh,
      );
      expect(
        records.supersededOrderBooks.some(
          (e: { orderBook: string; replacedBy: string }) => e.orderBook === market.orderBook && e.replacedBy === fresh,
        ),
      ).to.equal(true);
    }
    expect(await vault.hasRole(roleId("FACTORY_ROLE"), deployer.address)).to.equal(false);
    const before = await nonce();
    const again = await rewire({ strategy: "redeploy" });
    expect(again.transactionsSent).to.equal(0);
    expect(await nonce()).to.equal(before);
  });

  describe("refuses unsafe cuts before anything is sent", () => {
    it("a takeover of a selector served by another facet, unless explicitly allowed", async () => {
      const { system, newVault } = await redeployedSystem(3, "rewire-takeover");
      // Someone installed a vault-admin facet of their own on one diamond.
      const other = await ethers.deployContract("VaultAdminFacet");
      const book = system.markets[1].orderBook;
      const cutFacet = (await at("DiamondCutFacet", book)).connect(deployer) as Contract;
      await (
        await cutFacet.diamondCut(
          [{ facetAddress: await other.getAddress(), action: 0, functionSelectors: [SET_VAULT] }],
          ethers.ZeroAddress,
          "0x",
        )
      ).wait();
      const before = await nonce();
      const error = await taskError("orderbook:rewire", { json: true });
      expect(error.message).to.match(/The diamond cut is refused for 1 OrderBook\(s\); nothing was sent/);
      expect(error.message).to.include(`[takeover]`);
      expect(error.message).to.include(SET_VAULT);
      expect(await nonce()).to.equal(before);

      const out = await rewire({ allowTakeover: SET_VAULT, replan: true });
      expect(out.complete).to.equal(true);
      expect(await (await at("OrderBookViewFacet", book)).vault()).to.equal(newVault);
      expect(await (await at("DiamondLoupeFacet", book)).facetAddress(SET_VAULT)).to.equal(
        out.deployed.VaultAdminFacet,
      );
    });

    it("a removal not on the allowlist", async () => {
      await redeployedSystem(2, "rewire-removal");
      const liquidate = id("liquidate(address)").slice(0, 10);
      const before = await nonce();
      const error = await taskError("orderbook:rewire", { remove: liquidate, json: true });
      expect(error.message).to.include("[removal-not-allowed]");
      expect(error.message).to.include(liquidate);
      expect(await nonce()).to.equal(before);
    });

    it("a selector collision between the facets of the cut", async () => {
      await redeployedSystem(2, "rewire-collision");
      const before = await nonce();
      const error = await taskError("orderbook:rewire", { facets: "TestFacetA,TestFacetB", json: true });
      expect(error.message).to.include("[collision]");
      expect(error.message).to.include(id("ping()").slice(0, 10));
      expect(await nonce()).to.equal(before);
    });
  });

  it("after rewiring, trading and liquidation go to the NEW vault and nothing new reaches the old one", async () => {
    const { system, oldVault, newVault } = await redeployedSystem(2, "rewire-trading");
    await rewire();
    const market = system.markets[0];
    const vault = (await at("CoreVault", newVault)).connect(deployer) as Contract;
    const usdc = (await at("MockUSDC", system.contracts.USDC)).connect(deployer) as Contract;
    await (await vault.grantRole(roleId("SETTLEMENT_ROLE"), deployer.address)).wait();
    const price = parseUnits("1000", 6);
    await (await vault.updateMarkPrice(market.marketId, price)).wait();
    for (const trader of [alice, bob]) {
      await (await usdc.mint(trader.address, parseUnits("5000", 6))).wait();
      await (await (usdc.connect(trader) as Contract).approve(newVault, parseUnits("5000", 6))).wait();
      await (await (vault.connect(trader) as Contract).deposit(parseUnits("5000", 6))).wait();
    }
    const from = (await ethers.provider.getBlockNumber()) + 1;
    const book = await at("OrderBookTradingFacet", market.orderBook);
    await expect((book.connect(alice) as Contract).placeOrder(true, price, parseEther("1")))
      .to.emit(vault, "MarginLocked")
      .withArgs(alice.address, market.marketId, price / 10n);
    await (await (book.connect(bob) as Contract).placeOrder(false, price, parseEther("1"))).wait();
    await expect((book.connect(liquidator) as Contract).matchOrders(1n, 2n)).to.emit(vault, "PositionUpdated");
    await (await vault.updateMarkPrice(market.marketId, parseUnits("950", 6))).wait();
    await expect((book.connect(liquidator) as Contract).liquidate(alice.address)).to.emit(vault, "LiquidationExecuted");
    expect(await vault.availableCollateral(liquidator.address)).to.be.greaterThan(0n);

    const oldLogs = await ethers.provider.getLogs({ address: oldVault, fromBlock: from, toBlock: "latest" });
    expect(oldLogs).to.deep.equal([]);
    const newLogs = await ethers.provider.getLogs({ address: newVault, fromBlock: from, toBlock: "latest" });
    const iface = (await at("CoreVault", newVault)).interface;
    const names = newLogs.map((log) => iface.parseLog(log)?.name);
    expect(names).to.include.members(["MarginLocked", "PositionUpdated", "LiquidationExecuted"]);
  });
});
