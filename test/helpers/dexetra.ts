// The Dexetra v5 stand-in (what `mocks:deploy-system --profile dexetra-v5` stands up) on a connection, with its
// contracts bound to their artifacts' ABIs, and traders of the test accounts funded and deposited.
import { Contract, keccak256, parseUnits, toUtf8Bytes, type InterfaceAbi } from "ethers";
import hre from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import { loadArtifact } from "../../src/artifacts.js";
import { deployDexetraSystem } from "../../src/mocks/deploy-dexetra.js";
import type { DeploySystemOptions } from "../../src/mocks/deploy-system.js";

export const ORDERBOOK_SLOT = BigInt(keccak256(toUtf8Bytes("hyperliquid.orderbook.storage.v1")));
export const DIAMOND_SLOT = BigInt(keccak256(toUtf8Bytes("diamond.standard.diamond.storage")));
export const ROLE_NAMES = ["ORDERBOOK_ROLE", "SETTLEMENT_ROLE", "FACTORY_ROLE", "EXTERNAL_CREDITOR_ROLE"] as const;

/** The ABI of an OrderBook diamond: the Diamond's own functions and every facet's. */
export async function orderBookAbi(): Promise<InterfaceAbi> {
  const names = ["DexetraDiamond", "OrderBookInitFacet", "OBOrderPlacementFacet", "OBLiquidationFacet", "OBViewFacet"];
  const abis = await Promise.all([...names, "OBAdminFacet"].map(async (n) => (await loadArtifact(hre, n)).abi));
  return abis.flat() as InterfaceAbi;
}

export async function abiOf(name: string): Promise<InterfaceAbi> {
  return (await loadArtifact(hre, name)).abi as InterfaceAbi;
}

/** A fresh stand-in on `conn` (2 markets, no seeded users unless told), and the test accounts as traders with deposits. */
export async function dexetraFixture(conn: NetworkConnection, options: Partial<DeploySystemOptions> = {}) {
  const { ethers } = conn;
  const system = await deployDexetraSystem(hre, conn, {
    markets: 2,
    users: 0,
    factory: "immutable",
    seed: "dexetra-test",
    ...options,
  });
  const [admin, alice, bob, liquidator, settler, stranger] = await ethers.getSigners();
  const c = system.record.contracts;
  const vault = new Contract(c.CORE_VAULT, await abiOf("DexetraCoreVault"), admin);
  const usdc = new Contract(c.MOCK_USDC, await abiOf("MockUSDC"), admin);
  const factoryArtifact =
    system.factoryKind === "immutable" ? "DexetraFuturesMarketFactory" : "DexetraFuturesMarketFactoryUpdatable";
  const factory = new Contract(c.FUTURES_MARKET_FACTORY, await abiOf(factoryArtifact), admin);
  const hub = new Contract(c.COLLATERAL_HUB, await abiOf("DexetraCollateralHub"), admin);
  const abi = await orderBookAbi();
  const books = system.markets.map((m) => ({ ...m, book: new Contract(m.orderBook, abi, admin) }));
  await (await vault.grantRole(await vault.SETTLEMENT_ROLE(), settler.address)).wait();
  for (const trader of [alice, bob]) {
    await (await usdc.mint(trader.address, parseUnits("100000", 6))).wait();
    await (await (usdc.connect(trader) as Contract).approve(c.CORE_VAULT, parseUnits("100000", 6))).wait();
    await (await (vault.connect(trader) as Contract).depositCollateral(parseUnits("10000", 6))).wait();
  }
  return { system, vault, usdc, factory, hub, books, admin, alice, bob, liquidator, settler, stranger };
}

export type DexetraFixture = Awaited<ReturnType<typeof dexetraFixture>>;

/** alice buys `size` from bob at the market's price through the OrderBook (bob's sell rests, alice's buy matches it). */
export async function trade(f: DexetraFixture, market: number, price: bigint, size: bigint) {
  const book = f.books[market].book;
  await (await (book.connect(f.bob) as Contract).placeLimitOrder(price, size, false)).wait();
  return (book.connect(f.alice) as Contract).placeLimitOrder(price, size, true);
}

/** The dexetra-v5 profile for the stand-in, as a user's config would override it (one definition, in src/mocks). */
export { standInProtocol } from "../../src/mocks/stand-in-profile.js";
