// `mocks:deploy-system --profile dexetra-v5`: a stand-in of the production protocol (contracts/dexetra/, written from
// shared/protocol/dexetra-v5.md), deployed the way its own scripts do, with records in its own layout.
import {
  Contract,
  Interface,
  type InterfaceAbi,
  type Wallet,
  keccak256,
  parseEther,
  parseUnits,
  toUtf8Bytes,
} from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { loadArtifact } from "../artifacts.js";
import { installCreate2Proxy } from "../engine/create2.js";
import { isLocalNetwork } from "../engine/local-chain.js";
import { selectorsOf } from "../diamond/selectors.js";
import { writeDexetraRecord, type DexetraDeploymentRecord } from "../records/dexetra-records.js";
import { receiptRecord, type MarketRecord } from "../records/records.js";
import { deploymentTransaction, hardhatDeployFields } from "../records/hardhat-deploy.js";
import {
  draw,
  marketSymbol,
  mockWallet,
  SystemDeployer,
  writeSystemFiles,
  validateDeploySystemOptions,
  type DeploySystemOptions,
} from "./deploy-system.js";
import "../type-extensions.js";

/** The OrderBook facets every market's diamond gets (diamondCut, loupe and ownership are the diamond's own). */
export const DEXETRA_FACETS = [
  "OrderBookInitFacet",
  "OBOrderPlacementFacet",
  "OBLiquidationFacet",
  "OBViewFacet",
  "OBAdminFacet",
] as const;
/** Record keys of the facets in the `contracts` map. */
const FACET_KEYS: Record<(typeof DEXETRA_FACETS)[number], string> = {
  OrderBookInitFacet: "ORDER_BOOK_INIT_FACET",
  OBOrderPlacementFacet: "OB_ORDER_PLACEMENT_FACET",
  OBLiquidationFacet: "OB_LIQUIDATION_FACET",
  OBViewFacet: "OB_VIEW_FACET",
  OBAdminFacet: "OB_ADMIN_FACET",
};
const SETTLEMENT_OPERATORS = 2;
const POSITIONS_PER_USER = 3;
const FACET_CUT_ADD = 0;
/** base, penalty, max, slope (bps), liquidity depth levels: the five-argument setMmrParams. */
const MMR_PARAMS = [1_000n, 1_000n, 2_000n, 1_000n, 5n] as const;
const SETTLEMENT_DATE = 2_000_000_000n;
/** The first market is the one the protocol's records name (`aluminumMarket`, ALUMINUM_ORDERBOOK). */
const FIRST_SYMBOL = "ALU-USD";
const OB_INIT = new Interface(["function obInitialize(address vault, bytes32 marketId, address feeRecipient)"]);

export function dexetraMarketSymbol(index: number): string {
  return index === 0 ? FIRST_SYMBOL : marketSymbol(index - 1);
}

export interface DexetraContracts {
  usdc: Contract;
  vault: Contract;
  vaultAddress: string;
  hub: Contract;
  factory: Contract;
  /** The facet cut every market's diamond is created with, and the init facet. */
  cut: { facetAddress: string; action: number; functionSelectors: string[] }[];
  initFacet: string;
  /** The ABI of an OrderBook diamond: the Diamond's own functions and its facets'. */
  orderBookAbi: unknown[];
}

export interface DexetraSystem {
  record: DexetraDeploymentRecord;
  /** Every market created (the record itself names only the first, as the protocol's records do). */
  markets: MarketRecord[];
  settlementOperators: string[];
  users: string[];
  factoryKind: DeploySystemOptions["factory"];
}

/** USDC, the libraries, CoreVault and LiquidationManager linked against them, the hub, the facets, the factory. */
async function deployContracts(d: SystemDeployer, admin: string, factoryKind: string): Promise<DexetraContracts> {
  const usdc = await d.deploy("MockUSDC", "MockUSDC", []);
  const usdcAddress = await usdc.getAddress();
  const libraries = {
    DexetraVaultAnalytics: await (await d.deploy("VaultAnalytics", "DexetraVaultAnalytics", [])).getAddress(),
    DexetraPositionManager: await (await d.deploy("PositionManager", "DexetraPositionManager", [])).getAddress(),
  };
  const vault = await d.deploy("CoreVault", "DexetraCoreVault", [usdcAddress, admin], libraries);
  const vaultAddress = await vault.getAddress();
  await d.deploy("LiquidationManager", "DexetraLiquidationManager", [usdcAddress, admin], libraries);
  const hub = await d.deploy("CollateralHub", "DexetraCollateralHub", [admin, vaultAddress, admin]);
  const cut = [];
  const orderBookAbi: unknown[] = [...(await loadArtifact(d.hre, "DexetraDiamond")).abi];
  for (const name of DEXETRA_FACETS) {
    const facet = await d.deploy(name, name, []);
    const abi = d.records[name].abi as InterfaceAbi;
    cut.push({
      facetAddress: await facet.getAddress(),
      action: FACET_CUT_ADD,
      functionSelectors: selectorsOf(abi).map((s) => s.selector),
    });
    orderBookAbi.push(...abi);
  }
  const artifact = factoryKind === "immutable" ? "DexetraFuturesMarketFactory" : "DexetraFuturesMarketFactoryUpdatable";
  const factory = await d.deploy("FuturesMarketFactory", artifact, [vaultAddress, admin, admin]);
  const initFacet = d.records.OrderBookInitFacet.address;
  return { usdc, vault, vaultAddress, hub, factory, cut, initFacet, orderBookAbi };
}

/** Liquidation manager, the five MMR params, the factory's FACTORY + SETTLEMENT roles, the hub's creditor role, operators. */
async function configureVault(d: SystemDeployer, c: DexetraContracts, operators: Wallet[]): Promise<void> {
  const { vault } = c;
  await d.confirm(vault.setLiquidationManager(d.records.LiquidationManager.address), "setLiquidationManager");
  await d.confirm(vault.setMmrParams(...MMR_PARAMS), "setMmrParams");
  const factory = await c.factory.getAddress();
  await d.confirm(vault.grantRole(await vault.FACTORY_ROLE(), factory), "grant FACTORY_ROLE to the factory");
  await d.confirm(vault.grantRole(await vault.SETTLEMENT_ROLE(), factory), "grant SETTLEMENT_ROLE to the factory");
  await d.confirm(
    vault.grantRole(await vault.EXTERNAL_CREDITOR_ROLE(), await c.hub.getAddress()),
    "grant EXTERNAL_CREDITOR_ROLE to the hub",
  );
  for (const operator of operators) {
    await d.confirm(vault.grantRole(await vault.SETTLEMENT_ROLE(), operator.address), "grant SETTLEMENT_ROLE");
    await d.confirm(d.admin.sendTransaction({ to: operator.address, value: parseEther("10") }), "fund an operator");
  }
  d.progress("vault configured: liquidation manager, MMR params, factory, hub and settlement roles");
}

/** One market through `createFuturesMarketDiamond`; the deployer then grants its OrderBook ORDERBOOK_ROLE. */
async function createMarket(d: SystemDeployer, c: DexetraContracts, symbol: string, startPrice: bigint) {
  const admin = await d.admin.getAddress();
  const args = [
    symbol,
    `https://metrics.dexetra.example/${symbol}`,
    SETTLEMENT_DATE,
    startPrice,
    "stand-in",
    ["futures", symbol.split("-")[0]],
    admin,
    c.cut,
    c.initFacet,
    "0x",
  ];
  const receipt = await d.confirm(
    c.factory.createFuturesMarketDiamond(...args),
    `createFuturesMarketDiamond ${symbol}`,
  );
  const created = receipt.logs
    .map((log) =>
      log.address.toLowerCase() === String(c.factory.target).toLowerCase() ? c.factory.interface.parseLog(log) : null,
    )
    .find((parsed) => parsed?.name === "FuturesMarketCreated");
  if (!created) throw new Error(`createFuturesMarketDiamond ${symbol}: no FuturesMarketCreated event in the receipt`);
  const market: MarketRecord = { marketId: created.args.marketId, symbol, orderBook: created.args.orderBook };
  await d.confirm(c.vault.grantRole(await c.vault.ORDERBOOK_ROLE(), market.orderBook), `ORDERBOOK_ROLE ${symbol}`);
  // The Diamond's constructor arguments, as the factory passed them (the factory's fee recipient is the admin).
  const diamondArgs = [
    admin,
    c.cut,
    c.initFacet,
    OB_INIT.encodeFunctionData("obInitialize", [c.vaultAddress, market.marketId, admin]),
  ];
  const tx = await deploymentTransaction(d.conn.ethers.provider, receipt.hash);
  d.records[`OrderBook_${symbol}`] = {
    address: market.orderBook,
    abi: c.orderBookAbi,
    transactionHash: receipt.hash,
    receipt: receiptRecord(receipt),
    args: diamondArgs,
    numDeployments: 1,
    ...(await hardhatDeployFields(d.hre, await loadArtifact(d.hre, "DexetraDiamond"), { args: diamondArgs, tx })),
    deployedBytecode: await d.conn.ethers.provider.getCode(market.orderBook),
  };
  return market;
}

/** Every market, each with a start price drawn from the seed. */
async function createMarkets(d: SystemDeployer, c: DexetraContracts, options: DeploySystemOptions) {
  const markets: MarketRecord[] = [];
  const prices: bigint[] = [];
  for (let i = 0; i < options.markets; i++) {
    const symbol = dexetraMarketSymbol(i);
    const price = parseUnits(String(100 + draw(options.seed, `price:${symbol}`, 50_000)), 6);
    markets.push(await createMarket(d, c, symbol, price));
    prices.push(price);
    d.progress(`market ${i + 1}/${options.markets}: ${symbol} -> ${markets[i].orderBook}`);
  }
  return { markets, prices };
}

/** Deposits for every user, then matched limit orders (each user buys from the next) in a few markets; a bridged credit. */
async function openPositions(
  d: SystemDeployer,
  c: DexetraContracts,
  users: Wallet[],
  created: { markets: MarketRecord[]; prices: bigint[] },
  seed: string,
): Promise<void> {
  const deposit = parseUnits("1000000", 6);
  for (const [i, user] of users.entries()) {
    await d.confirm(d.admin.sendTransaction({ to: user.address, value: parseEther("1") }), `fund user ${i}`);
    await d.confirm(c.usdc.mint(user.address, deposit), `mint USDC for user ${i}`);
    await d.confirm((c.usdc.connect(user) as Contract).approve(c.vaultAddress, deposit), `approve for user ${i}`);
    await d.confirm((c.vault.connect(user) as Contract).depositCollateral(deposit), `deposit for user ${i}`);
    d.progress(`user ${i + 1}/${users.length} deposited`);
  }
  const { markets, prices } = created;
  for (const [i, buyer] of users.entries()) {
    const seller = users[(i + 1) % users.length];
    const chosen = new Set<number>();
    for (let n = 0; chosen.size < Math.min(POSITIONS_PER_USER, markets.length); n++)
      chosen.add(draw(seed, `user${i}:market${n}`, markets.length));
    for (const m of chosen) {
      const book = new Contract(markets[m].orderBook, c.orderBookAbi as InterfaceAbi, d.conn.ethers.provider);
      const size = parseEther(String(1 + draw(seed, `user${i}:size${m}`, 5)));
      await d.confirm((book.connect(seller) as Contract).placeLimitOrder(prices[m], size, false), "sell order");
      await d.confirm((book.connect(buyer) as Contract).placeLimitOrder(prices[m], size, true), "buy order");
    }
    d.progress(`user ${i + 1}/${users.length} holds positions in ${chosen.size} markets`);
  }
  if (users.length > 0) {
    const depositId = keccak256(toUtf8Bytes(`${seed}:bridge:0`));
    await d.confirm(c.hub.creditBridgedDeposit(depositId, users[0].address, parseUnits("2500", 6)), "bridged credit");
  }
}

/** The aggregated record in the protocol's own layout: a contracts map, `allUsers`, the first market; no market list. */
function protocolRecord(
  d: SystemDeployer,
  network: { name: string; chainId: number },
  first: MarketRecord,
  actors: { admin: string; operators: string[]; users: string[] },
): DexetraDeploymentRecord {
  const at = (name: string) => d.records[name].address;
  const contracts: Record<string, string> = {
    CORE_VAULT: at("CoreVault"),
    MOCK_USDC: at("MockUSDC"),
    VAULT_ANALYTICS: at("VaultAnalytics"),
    POSITION_MANAGER: at("PositionManager"),
    LIQUIDATION_MANAGER: at("LiquidationManager"),
    COLLATERAL_HUB: at("CollateralHub"),
    FUTURES_MARKET_FACTORY: at("FuturesMarketFactory"),
    ALUMINUM_ORDERBOOK: first.orderBook,
    ALUMINUM_MARKET_ID: first.marketId,
  };
  for (const facet of DEXETRA_FACETS) contracts[FACET_KEYS[facet]] = at(facet);
  const allUsers = [
    { address: actors.admin, role: "deployer" },
    ...actors.operators.map((address) => ({ address, role: "settlement-operator" })),
    ...actors.users.map((address) => ({ address, role: "trader" })),
  ].map((user, index) => ({ index, ...user }));
  return {
    network: network.name,
    chainId: network.chainId,
    timestamp: new Date().toISOString(),
    deployer: actors.admin,
    contracts,
    allUsers,
    aluminumMarket: { marketId: first.marketId, symbol: first.symbol, orderBook: first.orderBook },
  };
}

/**
 * Stands up the Dexetra v5 stand-in: USDC, linked libraries, CoreVault, LiquidationManager, CollateralHub, the facets, a
 * factory (immutable vault unless `factory: "updatable"`) creating every market through `createFuturesMarketDiamond`,
 * ORDERBOOK_ROLE granted by the deployer to each OrderBook, settlement operators, and users with deposits and open
 * positions. Records are written from confirmed receipts only, in the protocol's own layout.
 */
export async function deployDexetraSystem(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  options: DeploySystemOptions,
): Promise<DexetraSystem> {
  validateDeploySystemOptions(options);
  const chainId = Number((await conn.ethers.provider.getNetwork()).chainId);
  const [admin] = await conn.ethers.getSigners();
  const d = new SystemDeployer(hre, conn, admin, options.onProgress ?? (() => {}));
  const contracts = await deployContracts(d, admin.address, options.factory);
  const operators = Array.from({ length: SETTLEMENT_OPERATORS }, (_, i) =>
    mockWallet(options.seed, "dexetra-settlement", i, conn),
  );
  const users = Array.from({ length: options.users }, (_, i) => mockWallet(options.seed, "dexetra-user", i, conn));
  await configureVault(d, contracts, operators);
  const created = await createMarkets(d, contracts, options);
  await openPositions(d, contracts, users, created, options.seed);
  const actors = {
    admin: admin.address,
    operators: operators.map((w) => w.address),
    users: users.map((w) => w.address),
  };
  if (!options.withoutCreate2Proxy) await installCreate2Proxy(conn, await isLocalNetwork(conn), d.admin);
  const record = protocolRecord(d, { name: conn.networkName, chainId }, created.markets[0], actors);
  await writeSystemFiles(d, record.network, record.chainId, (root) => writeDexetraRecord(root, record));
  return {
    record,
    markets: created.markets,
    settlementOperators: actors.operators,
    users: actors.users,
    factoryKind: options.factory,
  };
}
