// CoreVault and its neighbours (libraries, LiquidationManager, CollateralHub, factory, OrderBook diamonds), driven
// through the production-like system that `mocks:deploy-system` stands up.
import { expect } from "chai";
import { Contract, parseEther, parseUnits } from "ethers";
import hre, { network } from "hardhat";
import { loadArtifact } from "../../src/artifacts.js";
import { contractAt } from "../helpers/contracts.js";
import { freshSystem } from "../helpers/system.js";

const conn = await network.create();
const { ethers, networkHelpers } = conn;
const PRICE = parseUnits("1000", 6);
const ONE = parseEther("1");

const at = contractAt(ethers.provider);

async function systemFixture() {
  const system = await freshSystem({ markets: 2, seed: "vault-test" }, conn);
  const [admin, alice, bob, liquidator, settler, stranger] = await ethers.getSigners();
  const vault = (await at("CoreVault", system.contracts.CORE_VAULT)).connect(admin) as Contract;
  const usdc = (await at("MockUSDC", system.contracts.USDC)).connect(admin) as Contract;
  const hub = (await at("CollateralHub", system.contracts.COLLATERAL_HUB)).connect(admin) as Contract;
  const tradingAbi = (await loadArtifact(hre, "OrderBookTradingFacet")).abi;
  const [btc, eth] = system.markets.map((m) => ({
    ...m,
    book: new Contract(m.orderBook, tradingAbi, ethers.provider),
  }));
  await (await vault.grantRole(await vault.SETTLEMENT_ROLE(), settler.address)).wait();
  for (const trader of [alice, bob]) {
    await (await usdc.mint(trader.address, parseUnits("100000", 6))).wait();
    await (
      await (usdc.connect(trader) as Contract).approve(system.contracts.CORE_VAULT, parseUnits("100000", 6))
    ).wait();
    await (await (vault.connect(trader) as Contract).deposit(parseUnits("10000", 6))).wait();
  }
  await (await (vault.connect(settler) as Contract).updateMarkPrice(btc.marketId, PRICE)).wait();
  return { system, vault, usdc, hub, btc, eth, admin, alice, bob, liquidator, settler, stranger };
}

/** alice long 1 BTC-USD, bob short 1, both at PRICE; returns the order ids. */
async function openPositions(f: Awaited<ReturnType<typeof systemFixture>>) {
  const book = f.btc.book;
  await (await (book.connect(f.alice) as Contract).placeOrder(true, PRICE, ONE)).wait();
  await (await (book.connect(f.bob) as Contract).placeOrder(false, PRICE, ONE)).wait();
  return (book.connect(f.liquidator) as Contract).matchOrders(1n, 2n);
}

describe("CoreVault", () => {
  describe("deployment", () => {
    it("refuses a collateral token whose decimals are not 6", async () => {
      const wrong = await ethers.deployContract("WrongDecimalsToken");
      const f = await networkHelpers.loadFixture(systemFixture);
      const factory = await ethers.getContractFactory("CoreVault", {
        libraries: {
          VaultAnalytics: f.system.contracts.VAULT_ANALYTICS,
          PositionManager: f.system.contracts.POSITION_MANAGER,
        },
      });
      await expect(factory.deploy(await wrong.getAddress(), f.admin.address))
        .to.be.revertedWithCustomError(f.vault, "InvalidCollateralDecimals")
        .withArgs(await wrong.getAddress(), 18);
    });

    it("must be linked against VaultAnalytics and PositionManager, and carries their addresses in its code", async () => {
      const f = await networkHelpers.loadFixture(systemFixture);
      const artifact = await loadArtifact(hre, "CoreVault");
      const linked = Object.values(artifact.linkReferences)
        .flatMap((refs) => Object.keys(refs))
        .sort();
      expect(linked).to.deep.equal(["PositionManager", "VaultAnalytics"]);
      const unlinked = await ethers.getContractFactory("CoreVault").then(
        () => "linked",
        (error: Error) => error.message,
      );
      expect(unlinked).to.match(/link/i);
      const code = (await ethers.provider.getCode(f.system.contracts.CORE_VAULT)).toLowerCase();
      expect(code).to.include(f.system.contracts.VAULT_ANALYTICS.slice(2).toLowerCase());
      expect(code).to.include(f.system.contracts.POSITION_MANAGER.slice(2).toLowerCase());
    });
  });

  describe("roles", () => {
    it("ORDERBOOK_ROLE is administered by FACTORY_ROLE: a factory can grant it, the admin alone cannot", async () => {
      const f = await networkHelpers.loadFixture(systemFixture);
      const orderBookRole = await f.vault.ORDERBOOK_ROLE();
      expect(await f.vault.getRoleAdmin(orderBookRole)).to.equal(await f.vault.FACTORY_ROLE());
      await expect(f.vault.grantRole(orderBookRole, f.stranger.address))
        .to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount")
        .withArgs(f.admin.address, await f.vault.FACTORY_ROLE());
      await (await f.vault.grantRole(await f.vault.FACTORY_ROLE(), f.settler.address)).wait();
      await expect((f.vault.connect(f.settler) as Contract).grantRole(orderBookRole, f.stranger.address))
        .to.emit(f.vault, "RoleGranted")
        .withArgs(orderBookRole, f.stranger.address, f.settler.address);
    });

    it("admin-only setters refuse other callers", async () => {
      const f = await networkHelpers.loadFixture(systemFixture);
      const asStranger = f.vault.connect(f.stranger) as Contract;
      const adminRole = await f.vault.DEFAULT_ADMIN_ROLE();
      for (const call of [
        asStranger.pause(),
        asStranger.setLiquidationManager(f.stranger.address),
        asStranger.setMmrParams(100, 0, 1000, 0),
      ]) {
        await expect(call)
          .to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount")
          .withArgs(f.stranger.address, adminRole);
      }
    });

    it("registration is for FACTORY_ROLE or the admin; market assignment needs a registered OrderBook", async () => {
      const f = await networkHelpers.loadFixture(systemFixture);
      await expect((f.vault.connect(f.stranger) as Contract).registerOrderBook(f.stranger.address))
        .to.be.revertedWithCustomError(f.vault, "UnauthorizedRegistrar")
        .withArgs(f.stranger.address);
      await expect(f.vault.registerOrderBook(f.btc.orderBook)).to.be.revertedWithCustomError(
        f.vault,
        "OrderBookAlreadyRegistered",
      );
      await expect(f.vault.assignMarketToOrderBook(f.btc.marketId, f.stranger.address))
        .to.be.revertedWithCustomError(f.vault, "OrderBookNotRegistered")
        .withArgs(f.stranger.address);
      await expect(f.vault.registerOrderBook(f.stranger.address))
        .to.emit(f.vault, "OrderBookRegistered")
        .withArgs(f.stranger.address);
      await expect(f.vault.assignMarketToOrderBook(f.btc.marketId, f.stranger.address))
        .to.emit(f.vault, "MarketAssigned")
        .withArgs(f.btc.marketId, f.stranger.address, f.btc.orderBook);
      expect(await f.vault.getRegisteredOrderBooks()).to.deep.equal([
        f.btc.orderBook,
        f.eth.orderBook,
        f.stranger.address,
      ]);
      expect(await f.vault.getMarketIds()).to.deep.equal([f.btc.marketId, f.eth.marketId]);
      expect(await f.vault.marketToOrderBook(f.btc.marketId)).to.equal(f.stranger.address);
    });
  });

  describe("parameters", () => {
    it("setMmrParams enforces its bounds and emits the new values", async () => {
      const f = await networkHelpers.loadFixture(systemFixture);
      const invalid: [number, number, number, number, string][] = [
        [0, 0, 1000, 0, "baseMmrBps must be > 0"],
        [100, 0, 5001, 0, "maxMmrBps must be <= 5000"],
        [1200, 0, 1000, 0, "baseMmrBps must be <= maxMmrBps"],
        [100, 2001, 1000, 0, "penaltyMmrBps must be <= 2000"],
        [100, 0, 1000, 1001, "scalingSlopeBps must be <= maxMmrBps"],
      ];
      for (const [base, penalty, max, slope, reason] of invalid) {
        await expect(f.vault.setMmrParams(base, penalty, max, slope))
          .to.be.revertedWithCustomError(f.vault, "InvalidMmrParams")
          .withArgs(reason);
      }
      await expect(f.vault.setMmrParams(300, 50, 4000, 5))
        .to.emit(f.vault, "MmrParamsUpdated")
        .withArgs(300, 50, 4000, 5);
      expect(await f.vault.mmrParams()).to.deep.equal([300n, 50n, 4000n, 5n]);
    });

    it("setLiquidationManager refuses zero and emits previous and current", async () => {
      const f = await networkHelpers.loadFixture(systemFixture);
      await expect(f.vault.setLiquidationManager(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.vault,
        "ZeroAddress",
      );
      await expect(f.vault.setLiquidationManager(f.stranger.address))
        .to.emit(f.vault, "LiquidationManagerUpdated")
        .withArgs(f.system.contracts.LIQUIDATION_MANAGER, f.stranger.address);
    });

    it("batches admin calls through Multicall", async () => {
      const f = await networkHelpers.loadFixture(systemFixture);
      const calls = [
        f.vault.interface.encodeFunctionData("setMmrParams", [250, 25, 3000, 2]),
        f.vault.interface.encodeFunctionData("grantRole", [await f.vault.SETTLEMENT_ROLE(), f.stranger.address]),
      ];
      await (await f.vault.multicall(calls)).wait();
      expect((await f.vault.mmrParams())[0]).to.equal(250n);
      expect(await f.vault.hasRole(await f.vault.SETTLEMENT_ROLE(), f.stranger.address)).to.equal(true);
    });
  });

  describe("collateral and margin", () => {
    it("deposit and withdraw move USDC and emit events; over-withdrawal is refused", async () => {
      const f = await networkHelpers.loadFixture(systemFixture);
      const asAlice = f.vault.connect(f.alice) as Contract;
      await expect(asAlice.deposit(parseUnits("5", 6)))
        .to.emit(f.vault, "Deposited")
        .withArgs(f.alice.address, parseUnits("5", 6));
      await expect(asAlice.withdraw(parseUnits("3", 6))).to.changeTokenBalances(
        ethers,
        f.usdc,
        [f.alice, f.vault],
        [parseUnits("3", 6), -parseUnits("3", 6)],
      );
      await expect(asAlice.withdraw(parseUnits("20000", 6)))
        .to.be.revertedWithCustomError(f.vault, "InsufficientCollateral")
        .withArgs(f.alice.address, parseUnits("10002", 6), parseUnits("20000", 6));
    });

    it("an order locks margin on the vault and cancelling releases it", async () => {
      const f = await networkHelpers.loadFixture(systemFixture);
      const book = f.btc.book.connect(f.alice) as Contract;
      const margin = PRICE / 10n;
      await expect(book.placeOrder(true, PRICE, ONE))
        .to.emit(f.vault, "MarginLocked")
        .withArgs(f.alice.address, f.btc.marketId, margin);
      expect(await f.vault.lockedMargin(f.alice.address, f.btc.marketId)).to.equal(margin);
      expect(await f.vault.availableCollateral(f.alice.address)).to.equal(parseUnits("10000", 6) - margin);
      await expect(book.cancelOrder(1n))
        .to.emit(f.vault, "MarginReleased")
        .withArgs(f.alice.address, f.btc.marketId, margin);
      expect(await f.vault.availableCollateral(f.alice.address)).to.equal(parseUnits("10000", 6));
    });

    it("only the OrderBook assigned to the market may move margin or positions", async () => {
      const f = await networkHelpers.loadFixture(systemFixture);
      await expect((f.vault.connect(f.stranger) as Contract).lockMargin(f.alice.address, f.btc.marketId, 1n))
        .to.be.revertedWithCustomError(f.vault, "UnauthorizedOrderBook")
        .withArgs(f.stranger.address, f.btc.marketId);
      // The ETH-USD book holds ORDERBOOK_ROLE but is not BTC-USD's book.
      await networkHelpers.impersonateAccount(f.eth.orderBook);
      await networkHelpers.setBalance(f.eth.orderBook, parseEther("1"));
      const asEthBook = f.vault.connect(await ethers.getSigner(f.eth.orderBook)) as Contract;
      await expect(asEthBook.updatePosition(f.alice.address, f.btc.marketId, 1n, PRICE))
        .to.be.revertedWithCustomError(f.vault, "UnauthorizedOrderBook")
        .withArgs(f.eth.orderBook, f.btc.marketId);
    });

    it("matching updates both positions on the vault", async () => {
      const f = await networkHelpers.loadFixture(systemFixture);
      await expect(openPositions(f))
        .to.emit(f.vault, "PositionUpdated")
        .withArgs(f.alice.address, f.btc.marketId, ONE, PRICE, 0n);
      expect(await f.vault.getPosition(f.alice.address, f.btc.marketId)).to.deep.equal([ONE, PRICE]);
      expect(await f.vault.getPosition(f.bob.address, f.btc.marketId)).to.deep.equal([-ONE, PRICE]);
    });
  });

  describe("pause", () => {
    it("blocks deposits, withdrawals and trading while paused, and unpause restores them", async () => {
      const f = await networkHelpers.loadFixture(systemFixture);
      await expect(f.vault.pause()).to.emit(f.vault, "Paused").withArgs(f.admin.address);
      const asAlice = f.vault.connect(f.alice) as Contract;
      await expect(asAlice.deposit(1n)).to.be.revertedWithCustomError(f.vault, "EnforcedPause");
      await expect(asAlice.withdraw(1n)).to.be.revertedWithCustomError(f.vault, "EnforcedPause");
      await expect(
        (f.btc.book.connect(f.alice) as Contract).placeOrder(true, PRICE, ONE),
      ).to.be.revertedWithCustomError(f.vault, "EnforcedPause");
      await expect(f.vault.unpause()).to.emit(f.vault, "Unpaused");
      await expect(asAlice.deposit(1n)).to.emit(f.vault, "Deposited");
    });
  });

  describe("liquidation", () => {
    it("a position below maintenance is liquidatable and the liquidator is paid through the LiquidationManager's rule", async () => {
      const f = await networkHelpers.loadFixture(systemFixture);
      await (await openPositions(f)).wait();
      const asSettler = f.vault.connect(f.settler) as Contract;
      await (await asSettler.updateMarkPrice(f.btc.marketId, parseUnits("960", 6))).wait();
      expect(await f.vault.isLiquidatable(f.alice.address, f.btc.marketId)).to.equal(false);
      await expect((f.btc.book.connect(f.liquidator) as Contract).liquidate(f.alice.address))
        .to.be.revertedWithCustomError(f.vault, "NotLiquidatable")
        .withArgs(f.alice.address, f.btc.marketId);

      const mark = parseUnits("950", 6);
      await (await asSettler.updateMarkPrice(f.btc.marketId, mark)).wait();
      expect(await f.vault.isLiquidatable(f.alice.address, f.btc.marketId)).to.equal(true);
      // equity = 100 margin - 50 loss = 50 USDC; reward = 950 notional * 250 bps = 23.75 USDC.
      const reward = parseUnits("23.75", 6);
      const aliceFreeBefore = await f.vault.availableCollateral(f.alice.address);
      await expect((f.btc.book.connect(f.liquidator) as Contract).liquidate(f.alice.address))
        .to.emit(f.vault, "LiquidationExecuted")
        .withArgs(f.alice.address, f.btc.marketId, f.liquidator.address, mark, reward);
      expect(await f.vault.availableCollateral(f.liquidator.address)).to.equal(reward);
      expect(await f.vault.availableCollateral(f.alice.address)).to.equal(
        aliceFreeBefore + parseUnits("50", 6) - reward,
      );
      expect(await f.vault.getPosition(f.alice.address, f.btc.marketId)).to.deep.equal([0n, 0n]);
      expect(await f.vault.lockedMargin(f.alice.address, f.btc.marketId)).to.equal(0n);
      await (await (f.vault.connect(f.liquidator) as Contract).withdraw(reward)).wait();
      expect(await f.usdc.balanceOf(f.liquidator.address)).to.equal(reward);
    });

    it("the LiquidationManager caps the reward at the remaining margin and bounds its rate", async () => {
      const f = await networkHelpers.loadFixture(systemFixture);
      const manager = (await at("LiquidationManager", f.system.contracts.LIQUIDATION_MANAGER)).connect(
        f.admin,
      ) as Contract;
      expect(await manager.liquidatorReward(parseUnits("1000", 6), parseUnits("100", 6))).to.equal(parseUnits("25", 6));
      expect(await manager.liquidatorReward(parseUnits("1000", 6), parseUnits("10", 6))).to.equal(parseUnits("10", 6));
      await expect(manager.setRewardBps(1001))
        .to.be.revertedWithCustomError(manager, "RewardTooHigh")
        .withArgs(1001, 1000);
    });
  });

  describe("settlement", () => {
    it("mark prices and settlement are for SETTLEMENT_ROLE; a settled market stops trading and positions settle at the final price", async () => {
      const f = await networkHelpers.loadFixture(systemFixture);
      await (await openPositions(f)).wait();
      const settlementRole = await f.vault.SETTLEMENT_ROLE();
      await expect((f.vault.connect(f.stranger) as Contract).updateMarkPrice(f.btc.marketId, PRICE))
        .to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount")
        .withArgs(f.stranger.address, settlementRole);
      await expect((f.vault.connect(f.stranger) as Contract).settleMarket(f.btc.marketId, PRICE))
        .to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount")
        .withArgs(f.stranger.address, settlementRole);
      const finalPrice = parseUnits("1100", 6);
      await expect((f.vault.connect(f.settler) as Contract).settleMarket(f.btc.marketId, finalPrice))
        .to.emit(f.vault, "VaultMarketSettled")
        .withArgs(f.btc.marketId, finalPrice);
      await expect((f.btc.book.connect(f.alice) as Contract).placeOrder(true, PRICE, ONE))
        .to.be.revertedWithCustomError(f.vault, "MarketIsSettled")
        .withArgs(f.btc.marketId);
      const before = await f.vault.availableCollateral(f.alice.address);
      await expect(f.vault.settlePosition(f.alice.address, f.btc.marketId))
        .to.emit(f.vault, "PositionSettled")
        .withArgs(f.alice.address, f.btc.marketId, parseUnits("100", 6));
      // margin 100 + profit 100 come back to alice's free collateral.
      expect(await f.vault.availableCollateral(f.alice.address)).to.equal(before + parseUnits("200", 6));
    });
  });

  describe("external credit", () => {
    it("the CollateralHub credits users through EXTERNAL_CREDITOR_ROLE, once per message; others are refused", async () => {
      const f = await networkHelpers.loadFixture(systemFixture);
      const messageId = ethers.id("bridge message 1");
      await expect(f.hub.creditFromChain(messageId, 10, f.alice.address, parseUnits("7", 6)))
        .to.emit(f.vault, "ExternalCredited")
        .withArgs(f.alice.address, parseUnits("7", 6), f.system.contracts.COLLATERAL_HUB);
      await expect(f.hub.creditFromChain(messageId, 10, f.alice.address, parseUnits("7", 6)))
        .to.be.revertedWithCustomError(f.hub, "MessageAlreadyProcessed")
        .withArgs(messageId);
      await expect((f.vault.connect(f.stranger) as Contract).creditExternal(f.alice.address, 1n))
        .to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount")
        .withArgs(f.stranger.address, await f.vault.EXTERNAL_CREDITOR_ROLE());
      await expect(f.hub.debitToChain(ethers.id("bridge message 2"), f.alice.address, parseUnits("2", 6)))
        .to.emit(f.vault, "ExternalDebited")
        .withArgs(f.alice.address, parseUnits("2", 6), f.system.contracts.COLLATERAL_HUB);
      expect(await f.vault.availableCollateral(f.alice.address)).to.equal(parseUnits("10005", 6));
    });

    it("the hub's vault pointer is admin-updatable", async () => {
      const f = await networkHelpers.loadFixture(systemFixture);
      await expect((f.hub.connect(f.stranger) as Contract).setVault(f.stranger.address)).to.be.revertedWithCustomError(
        f.hub,
        "AccessControlUnauthorizedAccount",
      );
      await expect(f.hub.setVault(f.stranger.address))
        .to.emit(f.hub, "VaultUpdated")
        .withArgs(f.system.contracts.CORE_VAULT, f.stranger.address);
    });
  });
});
