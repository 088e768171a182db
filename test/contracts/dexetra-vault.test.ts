// The Dexetra v5 stand-in's CoreVault and LiquidationManager against the facts file (shared/protocol/dexetra-v5.md):
// signatures, access rules, reverts, absent getters, pause not halting trading, liquidation delegated to the manager.
import { expect } from "chai";
import { Contract, Interface, ZeroHash, id, parseEther, parseUnits } from "ethers";
import hre, { network } from "hardhat";
import { loadArtifact } from "../../src/artifacts.js";
import { abiOf, dexetraFixture, ROLE_NAMES, trade } from "../helpers/dexetra.js";

const conn = await network.create();
const { ethers, networkHelpers } = conn;
const PRICE = parseUnits("1000", 6);
const ONE = parseEther("1");
const fixture = () => dexetraFixture(conn);

const vaultFunctions = [
  "marketToOrderBook(bytes32)",
  "registeredOrderBooks(address)",
  "baseMmrBps()",
  "penaltyMmrBps()",
  "maxMmrBps()",
  "scalingSlopeBps()",
  "priceGapSlopeBps()",
  "mmrLiquidityDepthLevels()",
  "userCollateral(address)",
  "userCrossChainCredit(address)",
  "userRealizedPnL(address)",
  "getUserPositions(address)",
  "allKnownUsers(uint256)",
  "totalCollateralDeposited()",
  "totalMarginLocked()",
  "marketMarkPrices(bytes32)",
  "marketSettled(bytes32)",
  "getMarkPrice(bytes32)",
  "getAvailableCollateral(address)",
  "paused()",
  "hasRole(bytes32,address)",
  "getRoleAdmin(bytes32)",
  "setLiquidationManager(address)",
  "setMmrParams(uint256,uint256,uint256,uint256,uint256)",
  "setMmrParamsAdvanced(uint256,uint256,uint256,uint256,uint256,uint256)",
  "pause()",
  "unpause()",
  "registerOrderBook(address)",
  "assignMarketToOrderBook(bytes32,address)",
  "deregisterOrderBook(address)",
  "updateMarkPrice(bytes32,uint256)",
  "settleMarket(bytes32,uint256)",
  "creditExternal(address,uint256)",
  "debitExternal(address,uint256)",
  "depositCollateral(uint256)",
  "withdrawCollateral(uint256)",
  "topUpPositionMargin(bytes32,uint256)",
  "updatePositionWithMargin(address,bytes32,int256,uint256,uint256)",
  "lockMargin(address,bytes32,uint256)",
  "reserveMargin(address,bytes32,bytes32,uint256)",
  "transferCollateral(address,address,uint256)",
  "liquidateLong(address,bytes32,address,uint256)",
  "liquidateShort(address,bytes32,address,uint256)",
];
const vaultEvents = [
  "PositionUpdated(address,bytes32,int256,int256,uint256,uint256)",
  "MarginLocked(address,bytes32,uint256,uint256)",
  "MarginReleased(address,bytes32,uint256,uint256)",
  "VaultMarketSettled(bytes32,uint256,uint256,uint256,uint256)",
  "CollateralDeposited(address,uint256)",
  "CollateralWithdrawn(address,uint256)",
  "ExternalCreditAdded(address,uint256)",
  "MarketAuthorized(bytes32,address)",
  "RoleGranted(bytes32,address,address)",
  "RoleRevoked(bytes32,address,address)",
  "Paused(address)",
  "Unpaused(address)",
];
const absentGetters = [
  "collateralToken()",
  "liquidationManager()",
  "getRegisteredOrderBooks()",
  "registeredOrderBookList(uint256)",
  "getMarketIds()",
  "getAllMarkets()",
  "isRegisteredOrderBook(address)",
  "mmrParams()",
  "allKnownUsersLength()",
  "getAllKnownUsers()",
  "multicall(bytes[])",
  "setMmrParams(uint256,uint256,uint256,uint256)",
];

describe("Dexetra v5 stand-in: CoreVault", () => {
  it("has every function and event of the facts file with its exact signature, and none of the absent ones", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const iface = new Interface(await abiOf("DexetraCoreVault"));
    for (const signature of vaultFunctions) expect(iface.getFunction(signature), signature).to.not.equal(null);
    for (const signature of vaultEvents) expect(iface.getEvent(signature), signature).to.not.equal(null);
    for (const signature of absentGetters) {
      expect(iface.getFunction(signature), signature).to.equal(null);
      const call = ethers.provider.call({ to: f.system.record.contracts.CORE_VAULT, data: id(signature).slice(0, 10) });
      await expect(call, `${signature} answers on chain`).to.be.revert(ethers);
    }
    const positionType = iface.getFunction("getUserPositions(address)")!.outputs[0].format("full");
    expect(positionType).to.equal(
      "(bytes32 marketId, int256 size, uint256 entryPrice, uint256 marginLocked, uint256 socializedLossAccrued6, uint256 haircutUnits18, uint256 liquidationPrice)[]",
    );
  });

  it("refuses collateral without 6 decimals, grants DEFAULT_ADMIN_ROLE to the admin, links the two libraries", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const c = f.system.record.contracts;
    const libraries = { DexetraVaultAnalytics: c.VAULT_ANALYTICS, DexetraPositionManager: c.POSITION_MANAGER };
    const wrong = await ethers.deployContract("WrongDecimalsToken");
    const factory = await ethers.getContractFactory("DexetraCoreVault", { libraries });
    await expect(factory.deploy(await wrong.getAddress(), f.stranger.address)).to.be.revertedWith(
      "collateral must have 6 decimals",
    );
    expect(await f.vault.hasRole(ZeroHash, f.admin.address)).to.equal(true);
    for (const name of ["DexetraCoreVault", "DexetraLiquidationManager"]) {
      const linked = Object.values((await loadArtifact(hre, name)).linkReferences).flatMap((refs) => Object.keys(refs));
      expect(linked.sort(), name).to.deep.equal(["DexetraPositionManager", "DexetraVaultAnalytics"]);
    }
    for (const address of [c.CORE_VAULT, c.LIQUIDATION_MANAGER]) {
      const code = (await ethers.provider.getCode(address)).toLowerCase();
      expect(code).to.include(c.VAULT_ANALYTICS.slice(2).toLowerCase());
      expect(code).to.include(c.POSITION_MANAGER.slice(2).toLowerCase());
    }
  });

  it("roles are keccak256 of their names and every role's admin is DEFAULT_ADMIN_ROLE", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    for (const name of ROLE_NAMES) {
      expect(await f.vault[name]()).to.equal(id(name));
      expect(await f.vault.getRoleAdmin(id(name)), name).to.equal(ZeroHash);
    }
    await expect((f.vault.connect(f.stranger) as Contract).grantRole(id("ORDERBOOK_ROLE"), f.stranger.address))
      .to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount")
      .withArgs(f.stranger.address, ZeroHash);
  });

  it("setMmrParams takes five parameters: bps at most 10000, depth levels 1 to 50, admin only", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    await expect(f.vault.setMmrParams(10_001, 0, 0, 0, 1)).to.be.revertedWith("bps");
    await expect(f.vault.setMmrParams(0, 0, 0, 10_001, 1)).to.be.revertedWith("bps");
    await expect(f.vault.setMmrParams(1, 1, 1, 1, 0)).to.be.revertedWith("depth");
    await expect(f.vault.setMmrParams(1, 1, 1, 1, 51)).to.be.revertedWith("depth");
    await (await f.vault.setMmrParams(10_000, 20, 30, 40, 50)).wait();
    const read = async () =>
      Promise.all(
        [
          "baseMmrBps",
          "penaltyMmrBps",
          "maxMmrBps",
          "scalingSlopeBps",
          "mmrLiquidityDepthLevels",
          "priceGapSlopeBps",
        ].map((g) => f.vault[g]()),
      );
    expect(await read()).to.deep.equal([10_000n, 20n, 30n, 40n, 50n, 0n]);
    await (await f.vault.setMmrParamsAdvanced(1, 2, 3, 4, 5, 6)).wait();
    expect(await read()).to.deep.equal([1n, 2n, 3n, 4n, 5n, 6n]);
    await expect(f.vault.setMmrParamsAdvanced(1, 2, 3, 4, 5, 10_001)).to.be.revertedWith("bps");
    const asStranger = f.vault.connect(f.stranger) as Contract;
    for (const call of [
      () => asStranger.setMmrParams(1, 1, 1, 1, 1),
      () => asStranger.setLiquidationManager(f.stranger.address),
      () => asStranger.pause(),
    ]) {
      await expect(call()).to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount");
    }
  });

  it('registration is FACTORY_ROLE\'s: registerOrderBook reverts "exists" and emits nothing, assignment needs it registered', async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const asFactory = f.vault.connect(f.settler) as Contract;
    await expect(asFactory.registerOrderBook(f.stranger.address))
      .to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount")
      .withArgs(f.settler.address, id("FACTORY_ROLE"));
    await (await f.vault.grantRole(id("FACTORY_ROLE"), f.settler.address)).wait();
    await expect(asFactory.registerOrderBook(f.books[0].orderBook)).to.be.revertedWith("exists");
    await expect(asFactory.assignMarketToOrderBook(f.books[0].marketId, f.stranger.address)).to.be.revertedWith(
      "not registered",
    );
    const receipt = await (await asFactory.registerOrderBook(f.stranger.address)).wait();
    expect(receipt.logs).to.have.length(0);
    expect(await f.vault.registeredOrderBooks(f.stranger.address)).to.equal(true);
    await expect(asFactory.assignMarketToOrderBook(f.books[0].marketId, f.stranger.address))
      .to.emit(f.vault, "MarketAuthorized")
      .withArgs(f.books[0].marketId, f.stranger.address);
    expect(await f.vault.marketToOrderBook(f.books[0].marketId)).to.equal(f.stranger.address);
    await (await asFactory.deregisterOrderBook(f.stranger.address)).wait();
    expect(await f.vault.registeredOrderBooks(f.stranger.address)).to.equal(false);
  });

  it("pause stops only deposit, withdraw and top-up: a trade on a paused vault still moves margin in it", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    await (await trade(f, 0, PRICE, ONE)).wait();
    await (await f.vault.pause()).wait();
    const asAlice = f.vault.connect(f.alice) as Contract;
    for (const call of [
      () => asAlice.depositCollateral(1),
      () => asAlice.withdrawCollateral(1),
      () => asAlice.topUpPositionMargin(f.books[0].marketId, 1),
    ]) {
      await expect(call()).to.be.revertedWithCustomError(f.vault, "EnforcedPause");
    }
    const lockedBefore = await f.vault.totalMarginLocked();
    await expect(trade(f, 0, PRICE, ONE))
      .to.emit(f.vault, "PositionUpdated")
      .withArgs(f.alice.address, f.books[0].marketId, ONE, 2n * ONE, PRICE, parseUnits("200", 6));
    expect(await f.vault.totalMarginLocked()).to.be.greaterThan(lockedBefore);
    // What halts trading is taking ORDERBOOK_ROLE away from the OrderBook.
    await (await f.vault.revokeRole(id("ORDERBOOK_ROLE"), f.books[0].orderBook)).wait();
    await expect(trade(f, 0, PRICE, ONE)).to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount");
  });

  it("a trade moves margin and positions through ORDERBOOK_ROLE: positions, margin events, known users", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const marketId = f.books[0].marketId;
    await expect(trade(f, 0, PRICE, ONE))
      .to.emit(f.vault, "MarginLocked")
      .withArgs(f.alice.address, marketId, parseUnits("100", 6), parseUnits("100", 6));
    const [position] = await f.vault.getUserPositions(f.alice.address);
    expect([position.marketId, position.size, position.entryPrice, position.marginLocked]).to.deep.equal([
      marketId,
      ONE,
      PRICE,
      parseUnits("100", 6),
    ]);
    expect((await f.vault.getUserPositions(f.bob.address))[0].size).to.equal(-ONE);
    expect(await f.vault.allKnownUsers(0)).to.equal(f.alice.address);
    expect(await f.vault.allKnownUsers(1)).to.equal(f.bob.address);
    await expect(f.vault.allKnownUsers(2)).to.be.revert(ethers);
    await expect(
      (f.vault.connect(f.stranger) as Contract).updatePositionWithMargin(f.alice.address, marketId, 1, 1, 0),
    ).to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount");
  });

  it("updateMarkPrice is SETTLEMENT_ROLE's; settleMarket has no role check, once per assigned market", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const marketId = f.books[0].marketId;
    await (await trade(f, 0, PRICE, ONE)).wait();
    await expect((f.vault.connect(f.stranger) as Contract).updateMarkPrice(marketId, 1))
      .to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount")
      .withArgs(f.stranger.address, id("SETTLEMENT_ROLE"));
    await (await (f.vault.connect(f.settler) as Contract).updateMarkPrice(marketId, PRICE * 2n)).wait();
    expect(await f.vault.getMarkPrice(marketId)).to.equal(PRICE * 2n);
    const asStranger = f.vault.connect(f.stranger) as Contract;
    await expect(asStranger.settleMarket(id("no such market"), PRICE)).to.be.revertedWith("unknown market");
    await expect(asStranger.settleMarket(marketId, parseUnits("1100", 6)))
      .to.emit(f.vault, "VaultMarketSettled")
      .withArgs(marketId, parseUnits("1100", 6), parseUnits("100", 6), parseUnits("100", 6), 0);
    expect(await f.vault.marketSettled(marketId)).to.equal(true);
    expect(await f.vault.getUserPositions(f.alice.address)).to.have.length(0);
    expect(await f.vault.userRealizedPnL(f.bob.address)).to.equal(-parseUnits("100", 6));
    await expect(asStranger.settleMarket(marketId, PRICE)).to.be.revertedWith("settled");
  });

  it("external credit is EXTERNAL_CREDITOR_ROLE's and lands in userCrossChainCredit", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    await expect((f.vault.connect(f.stranger) as Contract).creditExternal(f.alice.address, 5))
      .to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount")
      .withArgs(f.stranger.address, id("EXTERNAL_CREDITOR_ROLE"));
    await (await f.hub.creditBridgedDeposit(id("deposit-1"), f.alice.address, 7)).wait();
    expect(await f.vault.userCrossChainCredit(f.alice.address)).to.equal(7n);
    await expect(f.hub.creditBridgedDeposit(id("deposit-1"), f.alice.address, 7)).to.be.revertedWith("processed");
  });

  it("the vault delegates liquidations to the LiquidationManager; called directly, the manager sees no position", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const marketId = f.books[0].marketId;
    await (await trade(f, 0, PRICE, ONE)).wait();
    await (await (f.vault.connect(f.settler) as Contract).updateMarkPrice(marketId, parseUnits("850", 6))).wait();
    const book = f.books[0].book.connect(f.liquidator) as Contract;
    await expect(book.liquidate(f.bob.address)).to.be.revertedWith("not liquidatable");
    await expect(book.liquidate(f.alice.address))
      .to.emit(f.vault, "LiquidationExecuted")
      .withArgs(f.alice.address, marketId, f.liquidator.address, parseUnits("850", 6), parseUnits("4.25", 6));
    expect(await f.vault.getUserPositions(f.alice.address)).to.have.length(0);
    expect(await f.vault.userCollateral(f.liquidator.address)).to.equal(parseUnits("4.25", 6));
    const manager = new Contract(
      f.system.record.contracts.LIQUIDATION_MANAGER,
      await abiOf("DexetraLiquidationManager"),
      f.stranger,
    );
    await expect(manager.liquidateShort(f.bob.address, marketId, f.stranger.address, PRICE)).to.be.revertedWith(
      "no position",
    );
  });
});
