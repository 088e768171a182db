// The Dexetra v5 stand-in's OrderBook diamond against the facts file: owner at diamond storage + 3, market storage at
// keccak256("hyperliquid.orderbook.storage.v1") (vault, marketId, feeRecipient), marketStatic(), obInitialize once,
// diamondCut / loupe / ERC-173 on the diamond itself, an empty cut list with an init accepted.
import { expect } from "chai";
import { Contract, Interface, ZeroAddress, id, toBeHex, zeroPadValue } from "ethers";
import { network } from "hardhat";
import { abiOf, DIAMOND_SLOT, dexetraFixture, ORDERBOOK_SLOT } from "../helpers/dexetra.js";

const conn = await network.create();
const { ethers, networkHelpers } = conn;
const fixture = () => dexetraFixture(conn);
const word = (slot: bigint) => toBeHex(slot, 32);
const asWord = (address: string) => zeroPadValue(address, 32).toLowerCase();

describe("Dexetra v5 stand-in: OrderBook diamond", () => {
  it("keeps the owner at diamond storage + 3; ERC-173 is one-step and owner-only", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { orderBook, book } = f.books[0];
    expect(await ethers.provider.getStorage(orderBook, word(DIAMOND_SLOT + 3n))).to.equal(asWord(f.admin.address));
    expect(await book.owner()).to.equal(f.admin.address);
    await expect((book.connect(f.stranger) as Contract).transferOwnership(f.stranger.address))
      .to.be.revertedWithCustomError(book, "NotContractOwner")
      .withArgs(f.stranger.address, f.admin.address);
    await expect(book.transferOwnership(f.alice.address))
      .to.emit(book, "OwnershipTransferred")
      .withArgs(f.admin.address, f.alice.address);
    expect(await ethers.provider.getStorage(orderBook, word(DIAMOND_SLOT + 3n))).to.equal(asWord(f.alice.address));
  });

  it("stores vault, marketId and feeRecipient in words 0, 1, 2 of the market storage; marketStatic() reads them", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const vault = f.system.record.contracts.CORE_VAULT;
    for (const { orderBook, marketId, book } of f.books) {
      const at = (offset: bigint) => ethers.provider.getStorage(orderBook, word(ORDERBOOK_SLOT + offset));
      expect(await at(0n)).to.equal(asWord(vault));
      expect(await at(1n)).to.equal(marketId);
      expect(await at(2n)).to.equal(asWord(f.admin.address));
      expect(await book.marketStatic()).to.deep.equal([vault, marketId, true, 3600n]);
    }
  });

  it('has no vault() or marketId(), and obInitialize reverts "OB: already initialized"', async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { orderBook, book } = f.books[0];
    for (const signature of ["vault()", "marketId()"]) {
      await expect(ethers.provider.call({ to: orderBook, data: id(signature).slice(0, 10) }))
        .to.be.revertedWithCustomError(book, "FunctionNotFound")
        .withArgs(id(signature).slice(0, 10));
    }
    await expect(book.obInitialize(f.stranger.address, id("other"), f.stranger.address)).to.be.revertedWith(
      "OB: already initialized",
    );
  });

  it("has diamondCut, the loupe and ERC-173 as its own functions, not facets; the loupe lists the facets", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const book = f.books[0].book;
    const own = new Interface(await abiOf("DexetraDiamond"));
    for (const signature of [
      "diamondCut((address,uint8,bytes4[])[],address,bytes)",
      "facets()",
      "facetFunctionSelectors(address)",
      "facetAddresses()",
      "facetAddress(bytes4)",
      "owner()",
      "transferOwnership(address)",
      "supportsInterface(bytes4)",
    ]) {
      expect(own.getFunction(signature), signature).to.not.equal(null);
      expect(await book.facetAddress(id(signature).slice(0, 10)), signature).to.equal(ZeroAddress);
    }
    const c = f.system.record.contracts;
    const facetAddresses = [
      c.ORDER_BOOK_INIT_FACET,
      c.OB_ORDER_PLACEMENT_FACET,
      c.OB_LIQUIDATION_FACET,
      c.OB_VIEW_FACET,
      c.OB_ADMIN_FACET,
    ];
    expect(await book.facetAddresses()).to.deep.equal(facetAddresses);
    const marketStatic = id("marketStatic()").slice(0, 10);
    expect(await book.facetAddress(marketStatic)).to.equal(c.OB_VIEW_FACET);
    expect(await book.facetFunctionSelectors(c.ORDER_BOOK_INIT_FACET)).to.deep.equal([
      id("obInitialize(address,bytes32,address)").slice(0, 10),
    ]);
    expect((await book.facets()).map((facet: { facetAddress: string }) => facet.facetAddress)).to.deep.equal(
      facetAddresses,
    );
    expect(await book.supportsInterface("0x1f931c1c")).to.equal(true);
  });

  it("diamondCut is owner-only (NotContractOwner); an empty cut list with an init runs the init on the diamond's storage", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const book = f.books[0].book;
    const admin = new Interface(await abiOf("OBAdminFacet"));
    const init = f.system.record.contracts.OB_ADMIN_FACET;
    const data = admin.encodeFunctionData("updateTradingParameters", [2_000, 7, f.bob.address]);
    await expect((book.connect(f.stranger) as Contract).diamondCut([], init, data))
      .to.be.revertedWithCustomError(book, "NotContractOwner")
      .withArgs(f.stranger.address, f.admin.address);
    await expect(book.diamondCut([], init, data))
      .to.emit(book, "DiamondCut")
      .withArgs([], init, data);
    expect(await book.getTradingParameters()).to.deep.equal([2_000n, 7n, f.bob.address]);
    const feeWord = await ethers.provider.getStorage(f.books[0].orderBook, word(ORDERBOOK_SLOT + 2n));
    expect(feeWord).to.equal(asWord(f.bob.address));
    // The vault word is untouched: nothing but obInitialize writes it.
    expect(await ethers.provider.getStorage(f.books[0].orderBook, word(ORDERBOOK_SLOT))).to.equal(
      asWord(f.system.record.contracts.CORE_VAULT),
    );
  });

  it("diamondCut adds, replaces and removes selectors; a reverting init bubbles its reason", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const book = f.books[0].book;
    const c = f.system.record.contracts;
    const lastTradePrice = id("lastTradePrice()").slice(0, 10);
    await (
      await book.diamondCut(
        [{ facetAddress: ZeroAddress, action: 2, functionSelectors: [lastTradePrice] }],
        ZeroAddress,
        "0x",
      )
    ).wait();
    expect(await book.facetAddress(lastTradePrice)).to.equal(ZeroAddress);
    await expect(book.lastTradePrice()).to.be.revertedWithCustomError(book, "FunctionNotFound");
    await (
      await book.diamondCut(
        [{ facetAddress: c.OB_ADMIN_FACET, action: 0, functionSelectors: [lastTradePrice] }],
        ZeroAddress,
        "0x",
      )
    ).wait();
    expect(await book.facetAddress(lastTradePrice)).to.equal(c.OB_ADMIN_FACET);
    await (
      await book.diamondCut(
        [{ facetAddress: c.OB_VIEW_FACET, action: 1, functionSelectors: [lastTradePrice] }],
        ZeroAddress,
        "0x",
      )
    ).wait();
    expect(await book.lastTradePrice()).to.equal(0n);
    const reinit = book.interface.encodeFunctionData("obInitialize", [f.stranger.address, id("x"), f.stranger.address]);
    await expect(book.diamondCut([], c.ORDER_BOOK_INIT_FACET, reinit)).to.be.revertedWith("OB: already initialized");
  });

  it("OBAdminFacet's trading parameters are owner-only; the facet has no pause", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const book = f.books[0].book;
    await expect((book.connect(f.stranger) as Contract).updateTradingParameters(1, 1, f.stranger.address))
      .to.be.revertedWithCustomError(book, "NotContractOwner")
      .withArgs(f.stranger.address, f.admin.address);
    const names = new Interface(await abiOf("OBAdminFacet")).fragments.map((fragment) => fragment.format());
    expect(names.filter((name) => /pause/i.test(name))).to.deep.equal([]);
  });
});
