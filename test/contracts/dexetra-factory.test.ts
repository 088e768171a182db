// The Dexetra v5 stand-in's FuturesMarketFactory (immutable vault, and the later updatable version) and CollateralHub
// against the facts file.
import { expect } from "chai";
import { Contract, Interface, ZeroHash, id, parseUnits, solidityPackedKeccak256 } from "ethers";
import { network } from "hardhat";
import { abiOf, dexetraFixture } from "../helpers/dexetra.js";

const conn = await network.create();
const { ethers, networkHelpers } = conn;
const immutableFixture = () => dexetraFixture(conn);
const updatableFixture = () => dexetraFixture(conn, { factory: "updatable", seed: "dexetra-updatable" });
const CREATE =
  "createFuturesMarketDiamond(string,string,uint256,uint256,string,string[],address,(address,uint8,bytes4[])[],address,bytes)";

/** A market created by `creator` through the factory with the deployed facets; the receipt and parsed event. */
async function create(f: Awaited<ReturnType<typeof immutableFixture>>, creator = f.admin, symbol = "XAU-USD") {
  const c = f.system.record.contracts;
  const cut = [];
  for (const [name, key] of [
    ["OrderBookInitFacet", "ORDER_BOOK_INIT_FACET"],
    ["OBViewFacet", "OB_VIEW_FACET"],
  ]) {
    const iface = new Interface(await abiOf(name));
    const selectors: string[] = [];
    iface.forEachFunction((fn) => void selectors.push(fn.selector));
    cut.push({ facetAddress: c[key], action: 0, functionSelectors: selectors });
  }
  const factory = f.factory.connect(creator) as Contract;
  const args = [symbol, "https://m/x", 2_000_000_000n, parseUnits("2300", 6), "src", ["metal"], f.bob.address, cut];
  const receipt = await (await factory.createFuturesMarketDiamond(...args, c.ORDER_BOOK_INIT_FACET, "0x")).wait();
  const event = receipt.logs.map((log: never) => f.factory.interface.parseLog(log)).find(Boolean);
  return { receipt, event, args };
}

describe("Dexetra v5 stand-in: FuturesMarketFactory and CollateralHub", () => {
  it("createFuturesMarketDiamond: exact signature, marketId formula, event, registered and assigned with its start price", async () => {
    const f = await networkHelpers.loadFixture(immutableFixture);
    expect(f.factory.interface.getFunction(CREATE)).to.not.equal(null);
    const { receipt, event } = await create(f, f.stranger);
    const block = await ethers.provider.getBlock(receipt.blockNumber);
    const marketId = solidityPackedKeccak256(
      ["string", "string", "address", "uint256", "uint256"],
      ["XAU-USD", "https://m/x", f.stranger.address, block!.timestamp, receipt.blockNumber],
    );
    const { orderBook } = event.args;
    expect(event.signature).to.equal(
      "FuturesMarketCreated(address,bytes32,string,address,uint256,string,uint256,uint256)",
    );
    expect([...event.args]).to.deep.equal([
      orderBook,
      marketId,
      "XAU-USD",
      f.stranger.address,
      0n,
      "https://m/x",
      2_000_000_000n,
      parseUnits("2300", 6),
    ]);
    expect(await f.vault.registeredOrderBooks(orderBook)).to.equal(true);
    expect(await f.vault.marketToOrderBook(marketId)).to.equal(orderBook);
    expect(await f.vault.getMarkPrice(marketId)).to.equal(parseUnits("2300", 6));
    expect(await f.factory.getOrderBookForMarket(marketId)).to.equal(orderBook);
    expect(await f.factory.getMarketSymbol(marketId)).to.equal("XAU-USD");
    expect(await f.factory.getAllMarkets()).to.deep.equal([...f.books.map((b) => b.marketId), marketId]);
    // The factory does not grant ORDERBOOK_ROLE: the deployer does, separately.
    expect(await f.vault.hasRole(id("ORDERBOOK_ROLE"), orderBook)).to.equal(false);
    const book = new Contract(orderBook, await abiOf("OBViewFacet"), ethers.provider);
    expect(await book.marketStatic()).to.deep.equal([f.system.record.contracts.CORE_VAULT, marketId, true, 3600n]);
    const diamond = new Contract(orderBook, await abiOf("DexetraDiamond"), ethers.provider);
    expect(await diamond.owner()).to.equal(f.bob.address);
  });

  it("needs FACTORY_ROLE and SETTLEMENT_ROLE on the vault to create a market", async () => {
    const f = await networkHelpers.loadFixture(immutableFixture);
    await (await f.vault.revokeRole(id("SETTLEMENT_ROLE"), await f.factory.getAddress())).wait();
    await expect(create(f)).to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount");
  });

  it("the runbook's version: immutable vault with no getter, single admin with updateAdmin and OnlyAdmin()", async () => {
    const f = await networkHelpers.loadFixture(immutableFixture);
    const iface = f.factory.interface;
    for (const absent of ["vault()", "updateVault(address)", "setVault(address)"]) {
      expect(iface.getFunction(absent), absent).to.equal(null);
      const call = ethers.provider.call({ to: await f.factory.getAddress(), data: id(absent).slice(0, 10) });
      await expect(call, absent).to.be.revert(ethers);
    }
    expect(iface.getFunction("hasRole(bytes32,address)")).to.equal(null);
    const code = (await ethers.provider.getCode(await f.factory.getAddress())).toLowerCase();
    expect(code).to.include(f.system.record.contracts.CORE_VAULT.slice(2).toLowerCase());
    await expect(
      (f.factory.connect(f.stranger) as Contract).updateAdmin(f.stranger.address),
    ).to.be.revertedWithCustomError(f.factory, "OnlyAdmin");
    await (await f.factory.updateAdmin(f.alice.address)).wait();
    expect(await f.factory.admin()).to.equal(f.alice.address);
    await expect(f.factory.updateAdmin(f.admin.address)).to.be.revertedWithCustomError(f.factory, "OnlyAdmin");
  });

  it("the later version: updateVault(address) is admin-only and vault() is public", async () => {
    const f = await networkHelpers.loadFixture(updatableFixture);
    expect(await f.factory.vault()).to.equal(f.system.record.contracts.CORE_VAULT);
    await expect(
      (f.factory.connect(f.stranger) as Contract).updateVault(f.stranger.address),
    ).to.be.revertedWithCustomError(f.factory, "OnlyAdmin");
    await (await f.factory.updateVault(f.stranger.address)).wait();
    expect(await f.factory.vault()).to.equal(f.stranger.address);
  });

  it("CollateralHub: coreVault() and coreVaultOperator(), setCoreVaultParams admin-only with its event, pause", async () => {
    const f = await networkHelpers.loadFixture(immutableFixture);
    expect(await f.hub.coreVault()).to.equal(f.system.record.contracts.CORE_VAULT);
    expect(await f.hub.coreVaultOperator()).to.equal(f.admin.address);
    expect(f.hub.interface.getFunction("setCoreVaultParams(address,address)")).to.not.equal(null);
    await expect((f.hub.connect(f.stranger) as Contract).setCoreVaultParams(f.stranger.address, f.stranger.address))
      .to.be.revertedWithCustomError(f.hub, "AccessControlUnauthorizedAccount")
      .withArgs(f.stranger.address, ZeroHash);
    await expect(f.hub.setCoreVaultParams(f.alice.address, f.bob.address))
      .to.emit(f.hub, "CoreVaultParamsUpdated")
      .withArgs(f.alice.address, f.bob.address);
    expect([await f.hub.coreVault(), await f.hub.coreVaultOperator()]).to.deep.equal([f.alice.address, f.bob.address]);
    await (await f.hub.pause()).wait();
    await expect(f.hub.creditBridgedDeposit(id("d"), f.alice.address, 1)).to.be.revertedWithCustomError(
      f.hub,
      "EnforcedPause",
    );
    await (await f.hub.unpause()).wait();
    expect(await f.hub.paused()).to.equal(false);
  });
});
