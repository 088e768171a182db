import {
  Contract,
  Interface,
  Wallet,
  type InterfaceAbi,
  keccak256,
  parseEther,
  parseUnits,
  toUtf8Bytes,
  type Signer,
  type TransactionReceipt,
} from "ethers";
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { loadArtifact } from "../artifacts.js";
import { selectorsOf } from "../diamond/selectors.js";
import {
  retireNetworkRecords,
  receiptRecord,
  writeChainId,
  writeDeploymentRecord,
  writeSystemRecord,
  type DeploymentRecord,
  type MarketRecord,
  type SystemRecord,
} from "../records/records.js";
import { installCreate2Proxy } from "../engine/create2.js";
import { isLocalNetwork } from "../engine/local-chain.js";
import { CutoverInputError } from "../errors.js";
import { deploymentTransaction, genesisHash, hardhatDeployFields } from "../records/hardhat-deploy.js";
import "../type-extensions.js";

export type FactoryKind = "updatable" | "immutable";

export interface DeploySystemOptions {
  markets: number;
  users: number;
  factory: FactoryKind;
  seed: string;
  /** Leave the chain without the standard CREATE2 proxy when it lacks it (tests of a plan's install step); default: install it. */
  withoutCreate2Proxy?: boolean;
  /** Called after each step with a short description, for a progress line. */
  onProgress?: (message: string) => void;
}

const ORDERBOOK_FACETS = [
  "DiamondCutFacet",
  "DiamondLoupeFacet",
  "OwnershipFacet",
  "OrderBookTradingFacet",
  "OrderBookViewFacet",
] as const;
const SYMBOLS = [
  "BTC",
  "ETH",
  "SOL",
  "ARB",
  "OP",
  "AVAX",
  "LINK",
  "DOGE",
  "MATIC",
  "ATOM",
  "NEAR",
  "APT",
  "SUI",
  "INJ",
  "TIA",
  "SEI",
  "LTC",
  "XRP",
  "ADA",
  "DOT",
];
const SETTLEMENT_OPERATORS = 2;
const POSITIONS_PER_USER = 3;
const FACET_CUT_ADD = 0;
const MMR_PARAMS = { baseMmrBps: 400n, penaltyMmrBps: 150n, maxMmrBps: 2_500n, scalingSlopeBps: 25n };
const LIQUIDATOR_REWARD_BPS = 250n;

/** A deterministic number in [0, n) for this seed and label. */
export function draw(seed: string, label: string, n: number): number {
  return Number(BigInt(keccak256(toUtf8Bytes(`${seed}:${label}`))) % BigInt(n));
}

/** A deterministic key for a mock actor. These accounts only ever exist on test chains. */
export function mockWallet(seed: string, role: string, index: number, conn: NetworkConnection): Wallet {
  return new Wallet(keccak256(toUtf8Bytes(`hardhat-cutover mock ${role}:${seed}:${index}`)), conn.ethers.provider);
}

export function marketSymbol(index: number): string {
  const base = SYMBOLS[index % SYMBOLS.length];
  const round = Math.floor(index / SYMBOLS.length);
  return round === 0 ? `${base}-USD` : `${base}${round + 1}-USD`;
}

export function validateDeploySystemOptions(options: DeploySystemOptions): void {
  if (!Number.isInteger(options.markets) || options.markets < 1 || options.markets > 5_000) {
    throw new CutoverInputError(
      "--markets",
      options.markets,
      "give a whole number of markets from 1 to 5000, e.g. --markets 20",
    );
  }
  if (!Number.isInteger(options.users) || options.users < 0 || options.users === 1 || options.users > 500) {
    throw new CutoverInputError(
      "--users",
      options.users,
      "give 0, or 2 to 500 users: every trade needs a counterparty, e.g. --users 6",
    );
  }
  if (options.factory !== "updatable" && options.factory !== "immutable") {
    throw new CutoverInputError("--factory", options.factory, "use --factory updatable or --factory immutable");
  }
  if (options.seed.length === 0) {
    throw new CutoverInputError("--seed", options.seed, "give a non-empty seed, e.g. --seed demo-1");
  }
}

const OB_INIT = new Interface(["function obInitialize(address vault, bytes32 marketId)"]);

export type Admin = Awaited<ReturnType<NetworkConnection["ethers"]["getSigners"]>>[number];

/** Sends the mock system's transactions from the admin, and keeps a hardhat-deploy record of every deployment. */
export class SystemDeployer {
  readonly records: Record<string, DeploymentRecord> = {};

  constructor(
    readonly hre: HardhatRuntimeEnvironment,
    readonly conn: NetworkConnection,
    readonly admin: Admin,
    readonly progress: (message: string) => void,
  ) {}

  async confirm(
    sent: Promise<{ wait: () => Promise<TransactionReceipt | null> }>,
    what: string,
  ): Promise<TransactionReceipt> {
    const receipt = await (await sent).wait();
    if (receipt === null || receipt.status !== 1) throw new Error(`Transaction failed: ${what}`);
    return receipt;
  }

  async deploy(
    recordName: string,
    artifactName: string,
    args: unknown[],
    libraries: Record<string, string> = {},
  ): Promise<Contract> {
    const artifact = await loadArtifact(this.hre, artifactName);
    const factory = await this.conn.ethers.getContractFactoryFromArtifact(artifact, { signer: this.admin, libraries });
    const contract = (await factory.deploy(...args)) as unknown as Contract;
    const receipt = await this.confirm(Promise.resolve(contract.deploymentTransaction()!), `deploy ${artifactName}`);
    const address = await contract.getAddress();
    const tx = contract.deploymentTransaction()!;
    this.records[recordName] = {
      address,
      abi: artifact.abi,
      transactionHash: receipt.hash,
      receipt: receiptRecord(receipt),
      args,
      numDeployments: 1,
      ...(await hardhatDeployFields(this.hre, artifact, { args, libraries, tx })),
      deployedBytecode: await this.conn.ethers.provider.getCode(address),
    };
    this.progress(`deployed ${recordName} at ${address}`);
    return contract;
  }

  /** The id of the order a placeOrder by `trader` made. */
  async placeOrder(book: Contract, trader: Signer, isBuy: boolean, price: bigint, size: bigint): Promise<bigint> {
    const receipt = await this.confirm((book.connect(trader) as Contract).placeOrder(isBuy, price, size), "placeOrder");
    const placed = receipt.logs
      .map((log) => {
        try {
          return book.interface.parseLog(log);
        } catch {
          return null;
        }
      })
      .find((parsed) => parsed?.name === "OrderPlaced");
    if (!placed) throw new Error("placeOrder: no OrderPlaced event in the receipt");
    return placed.args.orderId as bigint;
  }
}

interface CoreContracts {
  usdc: Contract;
  vault: Contract;
  vaultAddress: string;
  liquidationManager: Contract;
  hub: Contract;
  factory: Contract;
  /** The ABI of an OrderBook diamond: its facets' ABIs together. */
  orderBookAbi: unknown[];
  /** What the factory gives every OrderBook's constructor: the facet cuts and the init contract. */
  facetCuts: { facetAddress: string; action: number; functionSelectors: string[] }[];
  orderBookInit: string;
}

/** USDC, the vault's libraries, CoreVault, LiquidationManager, CollateralHub, the OrderBook facets and init, the factory. */
async function deployContracts(
  d: SystemDeployer,
  adminAddress: string,
  factoryKind: FactoryKind,
): Promise<CoreContracts> {
  const usdc = await d.deploy("USDC", "MockUSDC", []);
  const vaultAnalytics = await d.deploy("VaultAnalytics", "VaultAnalytics", []);
  const positionManager = await d.deploy("PositionManager", "PositionManager", []);
  const vault = await d.deploy("CoreVault", "CoreVault", [await usdc.getAddress(), adminAddress], {
    VaultAnalytics: await vaultAnalytics.getAddress(),
    PositionManager: await positionManager.getAddress(),
  });
  const vaultAddress = await vault.getAddress();
  const liquidationManager = await d.deploy("LiquidationManager", "LiquidationManager", [
    adminAddress,
    LIQUIDATOR_REWARD_BPS,
  ]);
  const hub = await d.deploy("CollateralHub", "CollateralHub", [adminAddress, vaultAddress]);

  const facetCuts = [];
  const orderBookAbi: unknown[] = [];
  for (const name of ORDERBOOK_FACETS) {
    const facet = await d.deploy(name, name, []);
    const abi = d.records[name].abi as InterfaceAbi;
    facetCuts.push({
      facetAddress: await facet.getAddress(),
      action: FACET_CUT_ADD,
      functionSelectors: selectorsOf(abi).map((s) => s.selector),
    });
    orderBookAbi.push(...abi);
  }
  const orderBookInit = await d.deploy("OrderBookInit", "OrderBookInit", []);
  const factoryArtifact = factoryKind === "updatable" ? "FuturesMarketFactory" : "FuturesMarketFactoryImmutable";
  const factory = await d.deploy("FuturesMarketFactory", factoryArtifact, [
    vaultAddress,
    adminAddress,
    await orderBookInit.getAddress(),
    facetCuts,
  ]);
  return {
    usdc,
    vault,
    vaultAddress,
    liquidationManager,
    hub,
    factory,
    orderBookAbi,
    facetCuts,
    orderBookInit: await orderBookInit.getAddress(),
  };
}

/** The vault's liquidation manager and MMR params; its roles for the factory, the hub and the (funded) settlement operators. */
async function configureVault(d: SystemDeployer, c: CoreContracts, settlementOperators: Wallet[]): Promise<void> {
  const { vault } = c;
  await d.confirm(vault.setLiquidationManager(await c.liquidationManager.getAddress()), "setLiquidationManager");
  await d.confirm(
    vault.setMmrParams(
      MMR_PARAMS.baseMmrBps,
      MMR_PARAMS.penaltyMmrBps,
      MMR_PARAMS.maxMmrBps,
      MMR_PARAMS.scalingSlopeBps,
    ),
    "setMmrParams",
  );
  await d.confirm(
    vault.grantRole(await vault.FACTORY_ROLE(), await c.factory.getAddress()),
    "grant FACTORY_ROLE to the factory",
  );
  await d.confirm(
    vault.grantRole(await vault.EXTERNAL_CREDITOR_ROLE(), await c.hub.getAddress()),
    "grant EXTERNAL_CREDITOR_ROLE to the hub",
  );
  for (const operator of settlementOperators) {
    await d.confirm(
      vault.grantRole(await vault.SETTLEMENT_ROLE(), operator.address),
      "grant SETTLEMENT_ROLE to an operator",
    );
    await d.confirm(
      d.admin.sendTransaction({ to: operator.address, value: parseEther("10") }),
      "fund a settlement operator",
    );
  }
  d.progress("vault configured: liquidation manager, MMR params, factory, hub and settlement roles");
}

/** The markets created through the factory, each with a mark price the keeper set; records of their OrderBooks. */
async function createMarkets(
  d: SystemDeployer,
  c: CoreContracts,
  keeper: Wallet,
  adminAddress: string,
  options: DeploySystemOptions,
): Promise<{ markets: MarketRecord[]; prices: bigint[] }> {
  const { factory } = c;
  const markets: MarketRecord[] = [];
  const prices: bigint[] = [];
  for (let i = 0; i < options.markets; i++) {
    const symbol = marketSymbol(i);
    const receipt = await d.confirm(factory.createMarket(symbol), `createMarket ${symbol}`);
    const created = receipt.logs
      .map((log) => {
        try {
          return factory.interface.parseLog(log);
        } catch {
          return null;
        }
      })
      .find((parsed) => parsed?.name === "MarketCreated");
    if (!created) throw new Error(`createMarket ${symbol}: no MarketCreated event in the receipt`);
    const market: MarketRecord = { marketId: created.args.marketId, symbol, orderBook: created.args.orderBook };
    markets.push(market);
    // The diamond's constructor arguments, as the factory passed them.
    const args = [
      adminAddress,
      c.facetCuts,
      c.orderBookInit,
      OB_INIT.encodeFunctionData("obInitialize", [c.vaultAddress, market.marketId]),
    ];
    d.records[`OrderBook_${symbol}`] = {
      address: market.orderBook,
      abi: c.orderBookAbi,
      transactionHash: receipt.hash,
      receipt: receiptRecord(receipt),
      args,
      numDeployments: 1,
      ...(await hardhatDeployFields(d.hre, await loadArtifact(d.hre, "OrderBookDiamond"), {
        args,
        tx: await deploymentTransaction(d.conn.ethers.provider, receipt.hash),
      })),
      deployedBytecode: await d.conn.ethers.provider.getCode(market.orderBook),
    };
    const price = parseUnits(String(100 + draw(options.seed, `price:${symbol}`, 50_000)), 6);
    prices.push(price);
    await d.confirm(
      (c.vault.connect(keeper) as Contract).updateMarkPrice(market.marketId, price),
      `updateMarkPrice ${symbol}`,
    );
    d.progress(`market ${i + 1}/${options.markets}: ${symbol} -> ${market.orderBook}`);
  }
  return { markets, prices };
}

/** Funds and deposits for every user, matched positions (each user buys from the next) in a few markets, a cross-chain credit. */
async function openPositions(
  d: SystemDeployer,
  c: CoreContracts,
  users: Wallet[],
  keeper: Wallet,
  markets: MarketRecord[],
  prices: bigint[],
  seed: string,
): Promise<void> {
  const deposit = parseUnits("1000000", 6);
  for (const [i, user] of users.entries()) {
    await d.confirm(d.admin.sendTransaction({ to: user.address, value: parseEther("1") }), `fund user ${i}`);
    await d.confirm(c.usdc.mint(user.address, deposit), `mint USDC for user ${i}`);
    await d.confirm((c.usdc.connect(user) as Contract).approve(c.vaultAddress, deposit), `approve for user ${i}`);
    await d.confirm((c.vault.connect(user) as Contract).deposit(deposit), `deposit for user ${i}`);
    d.progress(`user ${i + 1}/${users.length} deposited`);
  }
  const tradingFacet = await loadArtifact(d.hre, "OrderBookTradingFacet");
  for (const [i, buyer] of users.entries()) {
    const seller = users[(i + 1) % users.length];
    const chosen = new Set<number>();
    for (let n = 0; chosen.size < Math.min(POSITIONS_PER_USER, markets.length); n++)
      chosen.add(draw(seed, `user${i}:market${n}`, markets.length));
    for (const m of chosen) {
      const book = new Contract(markets[m].orderBook, tradingFacet.abi, d.conn.ethers.provider);
      const size = parseEther(String(1 + draw(seed, `user${i}:size${m}`, 5)));
      const buyId = await d.placeOrder(book, buyer, true, prices[m], size);
      const sellId = await d.placeOrder(book, seller, false, prices[m], size);
      await d.confirm((book.connect(keeper) as Contract).matchOrders(buyId, sellId), `match in ${markets[m].symbol}`);
    }
    d.progress(`user ${i + 1}/${users.length} holds positions in ${chosen.size} markets`);
  }
  if (users.length > 0) {
    await d.confirm(
      c.hub.creditFromChain(keccak256(toUtf8Bytes(`${seed}:bridge:0`)), 42161, users[0].address, parseUnits("2500", 6)),
      "cross-chain credit",
    );
  }
}

/**
 * Retires the previous system's records on this network, then writes every deployment record and, last, the aggregate
 * (`writeAggregate`: the system record in this plugin's layout, or a protocol's own).
 */
export async function writeSystemFiles(
  d: SystemDeployer,
  network: string,
  chainId: number,
  writeAggregate: (root: string) => Promise<void>,
): Promise<void> {
  const root = d.hre.config.paths.root;
  const archived = await retireNetworkRecords(root, network, d.conn.networkConfig.type === "edr-simulated");
  if (archived) d.progress(`records of the previous system on ${network} moved to ${path.relative(root, archived)}`);
  for (const [name, record] of Object.entries(d.records)) await writeDeploymentRecord(root, network, name, record);
  await writeChainId(root, network, chainId, await genesisHash(d.conn.ethers.provider));
  await writeAggregate(root);
  d.progress(`records written to deployments/${network}/ and deployments/${network}-deployment.json`);
}

/**
 * Stands up a production-like legacy system: USDC, the vault's libraries, CoreVault, LiquidationManager,
 * CollateralHub, the OrderBook facets, a factory, `markets` OrderBook diamonds created through the factory,
 * settlement operators holding their role, and `users` users with deposits and open positions. Everything derives
 * from the seed. Records are written from confirmed receipts only.
 */
export async function deploySystem(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  options: DeploySystemOptions,
): Promise<SystemRecord> {
  validateDeploySystemOptions(options);
  const network = conn.networkName;
  const chainId = Number((await conn.ethers.provider.getNetwork()).chainId);
  const [admin] = await conn.ethers.getSigners();
  const adminAddress = await admin.getAddress();
  const d = new SystemDeployer(hre, conn, admin, options.onProgress ?? (() => {}));

  const contracts = await deployContracts(d, adminAddress, options.factory);
  const settlementOperators = Array.from({ length: SETTLEMENT_OPERATORS }, (_, i) =>
    mockWallet(options.seed, "settlement", i, conn),
  );
  const users = Array.from({ length: options.users }, (_, i) => mockWallet(options.seed, "user", i, conn));
  await configureVault(d, contracts, settlementOperators);
  const keeper = settlementOperators[0];
  const { markets, prices } = await createMarkets(d, contracts, keeper, adminAddress, options);
  await openPositions(d, contracts, users, keeper, markets, prices, options.seed);

  // Most chains have the standard CREATE2 proxy; so does the mock system's (a plan installs it where it is absent).
  if (!options.withoutCreate2Proxy) await installCreate2Proxy(conn, await isLocalNetwork(conn), d.admin);
  const { records } = d;
  const system: SystemRecord = {
    network,
    chainId,
    contracts: {
      USDC: records.USDC.address,
      CORE_VAULT: contracts.vaultAddress,
      VAULT_ANALYTICS: records.VaultAnalytics.address,
      POSITION_MANAGER: records.PositionManager.address,
      LIQUIDATION_MANAGER: records.LiquidationManager.address,
      COLLATERAL_HUB: records.CollateralHub.address,
      FUTURES_MARKET_FACTORY: records.FuturesMarketFactory.address,
      ORDERBOOK_INIT: records.OrderBookInit.address,
      DIAMOND_CUT_FACET: records.DiamondCutFacet.address,
      DIAMOND_LOUPE_FACET: records.DiamondLoupeFacet.address,
      OWNERSHIP_FACET: records.OwnershipFacet.address,
      ORDERBOOK_TRADING_FACET: records.OrderBookTradingFacet.address,
      ORDERBOOK_VIEW_FACET: records.OrderBookViewFacet.address,
    },
    markets,
    admin: adminAddress,
    factoryKind: options.factory,
    settlementOperators: settlementOperators.map((w) => w.address),
    users: users.map((w) => w.address),
    seed: options.seed,
    deployedAtBlock: await conn.ethers.provider.getBlockNumber(),
  };
  await writeSystemFiles(d, system.network, system.chainId, (root) => writeSystemRecord(root, system));
  return system;
}
