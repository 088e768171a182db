import { Contract, formatUnits } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { loadArtifact } from "../artifacts.js";
import type { SystemRecord } from "../records/records.js";
import { renderTable } from "../report/table.js";
import "../type-extensions.js";

export interface MarketInventory {
  symbol: string;
  marketId: string;
  orderBook: string;
  orderBookVault: string;
  vaultMapsMarketTo: string;
  hasOrderBookRole: boolean;
  markPrice: string;
}

export interface SystemInventory {
  network: string;
  chainId: number;
  block: number;
  contracts: Record<string, string>;
  vault: {
    collateralDecimals: number;
    paused: boolean;
    liquidationManager: string;
    mmrParams: { baseMmrBps: bigint; penaltyMmrBps: bigint; maxMmrBps: bigint; scalingSlopeBps: bigint };
    registeredOrderBooks: number;
    assignedMarkets: number;
  };
  factory: { vault: string; vaultUpdatable: boolean };
  hubVault: string;
  markets: MarketInventory[];
  users: { address: string; availableCollateral: string; openPositions: number }[];
}

/** Reads what the system record describes back from the chain, at one block. */
export async function readInventory(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  system: SystemRecord,
): Promise<SystemInventory> {
  const provider = conn.ethers.provider;
  const block = await provider.getBlockNumber();
  const at = { blockTag: block };
  const contract = async (name: string, address: string) =>
    new Contract(address, (await loadArtifact(hre, name)).abi, provider);
  const vault = await contract("CoreVault", system.contracts.CORE_VAULT);
  const usdc = await contract("MockUSDC", system.contracts.USDC);
  const factory = await contract("FuturesMarketFactory", system.contracts.FUTURES_MARKET_FACTORY);
  const hub = await contract("CollateralHub", system.contracts.COLLATERAL_HUB);
  const view = (await loadArtifact(hre, "OrderBookViewFacet")).abi;
  const orderBookRole = await vault.ORDERBOOK_ROLE(at);
  const mmr = await vault.mmrParams(at);

  const markets: MarketInventory[] = [];
  for (const market of system.markets) {
    const book = new Contract(market.orderBook, view, provider);
    markets.push({
      ...market,
      orderBookVault: await book.vault(at),
      vaultMapsMarketTo: await vault.marketToOrderBook(market.marketId, at),
      hasOrderBookRole: await vault.hasRole(orderBookRole, market.orderBook, at),
      markPrice: formatUnits(await vault.markPrice(market.marketId, at), 6),
    });
  }
  const users = [];
  for (const address of (system.users as string[] | undefined) ?? []) {
    let openPositions = 0;
    for (const market of system.markets) {
      const [size] = await vault.getPosition(address, market.marketId, at);
      if (size !== 0n) openPositions++;
    }
    users.push({
      address,
      availableCollateral: formatUnits(await vault.availableCollateral(address, at), 6),
      openPositions,
    });
  }
  return {
    network: system.network,
    chainId: system.chainId,
    block,
    contracts: system.contracts,
    vault: {
      collateralDecimals: Number(await usdc.decimals(at)),
      paused: await vault.paused(at),
      liquidationManager: await vault.liquidationManager(at),
      mmrParams: { baseMmrBps: mmr[0], penaltyMmrBps: mmr[1], maxMmrBps: mmr[2], scalingSlopeBps: mmr[3] },
      registeredOrderBooks: Number(await vault.registeredOrderBookCount(at)),
      assignedMarkets: (await vault.getMarketIds(at)).length,
    },
    factory: { vault: await factory.vault(at), vaultUpdatable: await factory.isVaultUpdatable(at) },
    hubVault: await hub.vault(at),
    markets,
    users,
  };
}

const SHOWN_MARKETS = 10;

export function renderInventory(inventory: SystemInventory): string {
  const vaultAddress = inventory.contracts.CORE_VAULT;
  const wired = inventory.markets.filter(
    (m) => m.orderBookVault === vaultAddress && m.vaultMapsMarketTo === m.orderBook && m.hasOrderBookRole,
  ).length;
  const mmr = inventory.vault.mmrParams;
  const lines = [
    `System on ${inventory.network} (chain ${inventory.chainId}) at block ${inventory.block}`,
    "",
    renderTable(["contract", "address"], Object.entries(inventory.contracts)),
    "",
    `CoreVault: collateral decimals ${inventory.vault.collateralDecimals}, paused ${inventory.vault.paused}, ` +
      `liquidation manager ${inventory.vault.liquidationManager}`,
    `  MMR params: base ${mmr.baseMmrBps} bps, penalty ${mmr.penaltyMmrBps} bps, max ${mmr.maxMmrBps} bps, slope ${mmr.scalingSlopeBps} bps`,
    `  ${inventory.vault.registeredOrderBooks} OrderBooks registered, ${inventory.vault.assignedMarkets} markets assigned`,
    `Factory: vault ${inventory.factory.vault} (${inventory.factory.vaultUpdatable ? "updatable" : "immutable"})`,
    `CollateralHub: vault ${inventory.hubVault}`,
    `Markets wired to the vault (OrderBook.vault(), marketToOrderBook, ORDERBOOK_ROLE): ${wired}/${inventory.markets.length}`,
    "",
    renderTable(
      ["symbol", "orderBook", "vault()", "mapped", "role", "mark"],
      inventory.markets
        .slice(0, SHOWN_MARKETS)
        .map((m) => [
          m.symbol,
          m.orderBook,
          m.orderBookVault === vaultAddress ? "vault" : m.orderBookVault,
          m.vaultMapsMarketTo === m.orderBook ? "yes" : "NO",
          m.hasOrderBookRole ? "yes" : "NO",
          m.markPrice,
        ]),
    ),
  ];
  if (inventory.markets.length > SHOWN_MARKETS)
    lines.push(`... and ${inventory.markets.length - SHOWN_MARKETS} more markets`);
  if (inventory.users.length > 0) {
    lines.push(
      "",
      renderTable(
        ["user", "free USDC", "open positions"],
        inventory.users.map((u) => [u.address, u.availableCollateral, u.openPositions]),
      ),
    );
  }
  return lines.join("\n");
}
