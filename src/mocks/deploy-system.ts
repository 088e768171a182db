import { Contract, ContractFactory, Wallet, type InterfaceAbi, keccak256, parseEther, parseUnits, toUtf8Bytes, type Signer, type TransactionReceipt } from "ethers";
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
import { CutoverInputError } from "../errors.js";
import "../type-extensions.js";

export type FactoryKind = "updatable" | "immutable";

export interface DeploySystemOptions {
  markets: number;
  users: number;
  factory: FactoryKind;
  seed: string;
  /** Called after each step with a short description, for a progress line. */
  onProgress?: (message: string) => void;
}

const ORDERBOOK_FACETS = ["DiamondCutFacet", "DiamondLoupeFacet", "OwnershipFacet", "OrderBookTradingFacet", "OrderBookViewFacet"] as const;
const SYMBOLS = ["BTC", "ETH", "SOL", "ARB", "OP", "AVAX", "LINK", "DOGE", "MATIC", "ATOM", "NEAR", "APT", "SUI", "INJ", "TIA", "SEI", "LTC", "XRP", "ADA", "DOT"];
const SETTLEMENT_OPERATORS = 2;
const POSITIONS_PER_USER = 3;
const FACET_CUT_ADD = 0;
const MMR_PARAMS = { baseMmrBps: 400n, penaltyMmrBps: 150n, maxMmrBps: 2_500n, scalingSlopeBps: 25n };
const LIQUIDATOR_REWARD_BPS = 250n;

/** A deterministic number in [0, n) for this seed and label. */
function draw(seed: string, label: string, n: number): number {
  return Number(BigInt(keccak256(toUtf8Bytes(`${seed}:${label}`))) % BigInt(n));
}

/** A deterministic key for a mock actor. These accounts only ever exist on test chains. */
function mockWallet(seed: string, role: string, index: number, conn: NetworkConnection): Wallet {
  return new Wallet(keccak256(toUtf8Bytes(`hardhat-cutover mock ${role}:${seed}:${index}`)), conn.ethers.provider);
}

export function marketSymbol(index: number): string {
  const base = SYMBOLS[index % SYMBOLS.length];
  const round = Math.floor(index / SYMBOLS.length);
  return round === 0 ? `${base}-USD` : `${base}${round + 1}-USD`;
}

export function validateDeploySystemOptions(options: DeploySystemOptions): void {
  if (!Number.isInteger(options.markets) || options.markets < 1 || options.markets > 5_000) {
    throw new CutoverInputError("--markets", options.markets, "give a whole number of markets from 1 to 5000, e.g. --markets 20");
  }
  if (!Number.isInteger(options.users) || options.users < 0 || options.users === 1 || options.users > 500) {
    throw new CutoverInputError("--users", options.users, "give 0, or 2 to 500 users: every trade needs a counterparty, e.g. --users 6");
  }
  if (options.factory !== "updatable" && options.factory !== "immutable") {
    throw new CutoverInputError("--factory", options.factory, "use --factory updatable or --factory immutable");
  }
  if (options.seed.length === 0) {
    throw new CutoverInputError("--seed", options.seed, "give a non-empty seed, e.g. --seed demo-1");
  }
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
  const progress = options.onProgress ?? (() => {});
  const root = hre.config.paths.root;
  const network = conn.networkName;
  const chainId = Number((await conn.ethers.provider.getNetwork()).chainId);
  const [admin] = await conn.ethers.getSigners();
  const adminAddress = await admin.getAddress();
  const records: Record<string, DeploymentRecord> = {};

  async function confirm(sent: Promise<{ wait: () => Promise<TransactionReceipt | null> }>, what: string): Promise<TransactionReceipt> {
    const receipt = await (await sent).wait();
    if (receipt === null || receipt.status !== 1) throw new Error(`Transaction failed: ${what}`);
    return receipt;
  }

  async function deploy(recordName: string, artifactName: string, args: unknown[], libraries: Record<string, string> = {}): Promise<Contract> {
    const artifact = await loadArtifact(hre, artifactName);
    const factory = await conn.ethers.getContractFactoryFromArtifact(artifact, { signer: admin, libraries });
    const contract = (await factory.deploy(...args)) as unknown as Contract;
    const receipt = await confirm(Promise.resolve(contract.deploymentTransaction()!), `deploy ${artifactName}`);
    const address = await contract.getAddress();
    records[recordName] = {
      address,
      abi: artifact.abi,
      transactionHash: receipt.hash,
      receipt: receiptRecord(receipt),
      args,
      numDeployments: 1,
      libraries,
      bytecode: (factory as ContractFactory).bytecode,
      deployedBytecode: await conn.ethers.provider.getCode(address),
    };
    progress(`deployed ${recordName} at ${address}`);
    return contract;
  }

  const usdc = await deploy("USDC", "MockUSDC", []);
  const vaultAnalytics = await deploy("VaultAnalytics", "VaultAnalytics", []);
  const positionManager = await deploy("PositionManager", "PositionManager", []);
  const vault = await deploy("CoreVault", "CoreVault", [await usdc.getAddress(), adminAddress], {
    VaultAnalytics: await vaultAnalytics.getAddress(),
    PositionManager: await positionManager.getAddress(),
  });
  const vaultAddress = await vault.getAddress();
  const liquidationManager = await deploy("LiquidationManager", "LiquidationManager", [adminAddress, LIQUIDATOR_REWARD_BPS]);
  const hub = await deploy("CollateralHub", "CollateralHub", [adminAddress, vaultAddress]);

  const facetCuts = [];
  const combinedAbi: unknown[] = [];
  for (const name of ORDERBOOK_FACETS) {
    const facet = await deploy(name, name, []);
    const abi = records[name].abi as InterfaceAbi;
    facetCuts.push({ facetAddress: await facet.getAddress(), action: FACET_CUT_ADD, functionSelectors: selectorsOf(abi).map((s) => s.selector) });
    combinedAbi.push(...abi);
  }
  const orderBookInit = await deploy("OrderBookInit", "OrderBookInit", []);
  const factoryArtifact = options.factory === "updatable" ? "FuturesMarketFactory" : "FuturesMarketFactoryImmutable";
  const factory = await deploy("FuturesMarketFactory", factoryArtifact, [vaultAddress, adminAddress, await orderBookInit.getAddress(), facetCuts]);

  const settlementOperators = Array.from({ length: SETTLEMENT_OPERATORS }, (_, i) => mockWallet(options.seed, "settlement", i, conn));
  const users = Array.from({ length: options.users }, (_, i) => mockWallet(options.seed, "user", i, conn));

  await confirm(vault.setLiquidationManager(await liquidationManager.getAddress()), "setLiquidationManager");
  await confirm(vault.setMmrParams(MMR_PARAMS.baseMmrBps, MMR_PARAMS.penaltyMmrBps, MMR_PARAMS.maxMmrBps, MMR_PARAMS.scalingSlopeBps), "setMmrParams");
  await confirm(vault.grantRole(await vault.FACTORY_ROLE(), await factory.getAddress()), "grant FACTORY_ROLE to the factory");
  await confirm(vault.grantRole(await vault.EXTERNAL_CREDITOR_ROLE(), await hub.getAddress()), "grant EXTERNAL_CREDITOR_ROLE to the hub");
  for (const operator of settlementOperators) {
    await confirm(vault.grantRole(await vault.SETTLEMENT_ROLE(), operator.address), "grant SETTLEMENT_ROLE to an operator");
    await confirm(admin.sendTransaction({ to: operator.address, value: parseEther("10") }), "fund a settlement operator");
  }
  progress("vault configured: liquidation manager, MMR params, factory, hub and settlement roles");

  const markets: MarketRecord[] = [];
  const marketPrices: bigint[] = [];
  const keeper = settlementOperators[0];
  for (let i = 0; i < options.markets; i++) {
    const symbol = marketSymbol(i);
    const receipt = await confirm(factory.createMarket(symbol), `createMarket ${symbol}`);
    const created = receipt.logs
      .map((log) => { try { return factory.interface.parseLog(log); } catch { return null; } })
      .find((parsed) => parsed?.name === "MarketCreated");
    if (!created) throw new Error(`createMarket ${symbol}: no MarketCreated event in the receipt`);
    const market: MarketRecord = { marketId: created.args.marketId, symbol, orderBook: created.args.orderBook };
    markets.push(market);
    records[`OrderBook_${symbol}`] = {
      address: market.orderBook,
      abi: combinedAbi,
      transactionHash: receipt.hash,
      receipt: receiptRecord(receipt),
      args: [adminAddress, market.marketId, vaultAddress],
      numDeployments: 1,
    };
    const price = parseUnits(String(100 + draw(options.seed, `price:${symbol}`, 50_000)), 6);
    marketPrices.push(price);
    await confirm((vault.connect(keeper) as Contract).updateMarkPrice(market.marketId, price), `updateMarkPrice ${symbol}`);
    progress(`market ${i + 1}/${options.markets}: ${symbol} -> ${market.orderBook}`);
  }

  const deposit = parseUnits("1000000", 6);
  for (const [i, user] of users.entries()) {
    await confirm(admin.sendTransaction({ to: user.address, value: parseEther("10") }), `fund user ${i}`);
    await confirm(usdc.mint(user.address, deposit), `mint USDC for user ${i}`);
    await confirm((usdc.connect(user) as Contract).approve(vaultAddress, deposit), `approve for user ${i}`);
    await confirm((vault.connect(user) as Contract).deposit(deposit), `deposit for user ${i}`);
    progress(`user ${i + 1}/${options.users} deposited`);
  }
  const tradingFacet = await loadArtifact(hre, "OrderBookTradingFacet");
  for (const [i, buyer] of users.entries()) {
    const seller = users[(i + 1) % users.length];
    const chosen = new Set<number>();
    for (let n = 0; chosen.size < Math.min(POSITIONS_PER_USER, markets.length); n++) chosen.add(draw(options.seed, `user${i}:market${n}`, markets.length));
    for (const m of chosen) {
      const book = new Contract(markets[m].orderBook, tradingFacet.abi, conn.ethers.provider);
      const size = parseEther(String(1 + draw(options.seed, `user${i}:size${m}`, 5)));
      const buyId = await placeOrder(book, buyer, true, marketPrices[m], size);
      const sellId = await placeOrder(book, seller, false, marketPrices[m], size);
      await confirm((book.connect(keeper) as Contract).matchOrders(buyId, sellId), `match in ${markets[m].symbol}`);
    }
    progress(`user ${i + 1}/${options.users} holds positions in ${chosen.size} markets`);
  }
  if (users.length > 0) {
    await confirm(hub.creditFromChain(keccak256(toUtf8Bytes(`${options.seed}:bridge:0`)), 42161, users[0].address, parseUnits("2500", 6)), "cross-chain credit");
  }

  async function placeOrder(book: Contract, trader: Signer, isBuy: boolean, price: bigint, size: bigint): Promise<bigint> {
    const receipt = await confirm((book.connect(trader) as Contract).placeOrder(isBuy, price, size), "placeOrder");
    const placed = receipt.logs
      .map((log) => { try { return book.interface.parseLog(log); } catch { return null; } })
      .find((parsed) => parsed?.name === "OrderPlaced");
    if (!placed) throw new Error("placeOrder: no OrderPlaced event in the receipt");
    return placed.args.orderId as bigint;
  }

  const archived = await retireNetworkRecords(root, network, conn.networkConfig.type === "edr-simulated");
  if (archived) progress(`records of the previous system on ${network} moved to ${path.relative(root, archived)}`);
  for (const [name, record] of Object.entries(records)) await writeDeploymentRecord(root, network, name, record);
  await writeChainId(root, network, chainId);
  const system: SystemRecord = {
    network,
    chainId,
    contracts: {
      USDC: records.USDC.address,
      CORE_VAULT: vaultAddress,
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
  await writeSystemRecord(root, system);
  progress(`records written to deployments/${network}/ and deployments/${network}-deployment.json`);
  return system;
}
