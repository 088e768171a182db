// What `mocks:deploy-system --profile dexetra-v5` prints: the stand-in read back from the chain at one block, through
// the protocol's real getters and raw storage (an OrderBook's vault is word 0 of its market storage).
import { Contract, formatUnits, getAddress, keccak256, toUtf8Bytes, zeroPadValue } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";
import { renderTable } from "../report/table.js";
import type { DexetraSystem } from "./deploy-dexetra.js";

/** keccak256("hyperliquid.orderbook.storage.v1"): the OrderBook's market storage; word 0 is the vault. */
export const ORDERBOOK_STORAGE_SLOT = keccak256(toUtf8Bytes("hyperliquid.orderbook.storage.v1"));
/** keccak256("diamond.standard.diamond.storage"): the diamond storage; the owner is at + 3. */
export const DIAMOND_STORAGE_SLOT = keccak256(toUtf8Bytes("diamond.standard.diamond.storage"));

const VAULT_ABI = [
  "function hasRole(bytes32, address) view returns (bool)",
  "function ORDERBOOK_ROLE() view returns (bytes32)",
  "function marketToOrderBook(bytes32) view returns (address)",
  "function registeredOrderBooks(address) view returns (bool)",
  "function marketMarkPrices(bytes32) view returns (uint256)",
  "function paused() view returns (bool)",
  "function getAvailableCollateral(address) view returns (uint256)",
  "function getUserPositions(address) view returns ((bytes32,int256,uint256,uint256,uint256,uint256,uint256)[])",
];

export interface DexetraMarketInventory {
  symbol: string;
  marketId: string;
  orderBook: string;
  /** Word 0 of the OrderBook's market storage, read with eth_getStorageAt. */
  storedVault: string;
  registered: boolean;
  vaultMapsMarketTo: string;
  hasOrderBookRole: boolean;
  markPrice: string;
}

export interface DexetraInventory {
  network: string;
  chainId: number;
  block: number;
  factoryKind: string;
  contracts: Record<string, string>;
  vaultPaused: boolean;
  hubVault: string;
  markets: DexetraMarketInventory[];
  users: { address: string; availableCollateral: string; openPositions: number }[];
}

/** The address in a storage word (its low 20 bytes). */
export function addressInWord(word: string): string {
  return getAddress(`0x${zeroPadValue(word, 32).slice(-40)}`);
}

export async function readDexetraInventory(conn: NetworkConnection, system: DexetraSystem): Promise<DexetraInventory> {
  const provider = conn.ethers.provider;
  const block = await provider.getBlockNumber();
  const { contracts } = system.record;
  const vault = new Contract(contracts.CORE_VAULT, VAULT_ABI, provider);
  const role = await vault.ORDERBOOK_ROLE({ blockTag: block });
  const markets = [];
  for (const m of system.markets) {
    const word = await provider.getStorage(m.orderBook, ORDERBOOK_STORAGE_SLOT, block);
    markets.push({
      ...m,
      storedVault: addressInWord(word),
      registered: await vault.registeredOrderBooks(m.orderBook, { blockTag: block }),
      vaultMapsMarketTo: await vault.marketToOrderBook(m.marketId, { blockTag: block }),
      hasOrderBookRole: await vault.hasRole(role, m.orderBook, { blockTag: block }),
      markPrice: formatUnits(await vault.marketMarkPrices(m.marketId, { blockTag: block }), 6),
    });
  }
  const users = [];
  for (const address of system.users) {
    users.push({
      address,
      availableCollateral: formatUnits(await vault.getAvailableCollateral(address, { blockTag: block }), 6),
      openPositions: (await vault.getUserPositions(address, { blockTag: block })).length,
    });
  }
  const hub = new Contract(contracts.COLLATERAL_HUB, ["function coreVault() view returns (address)"], provider);
  const hubVault = (await hub.coreVault({ blockTag: block })) as string;
  return {
    network: system.record.network,
    chainId: system.record.chainId,
    block,
    factoryKind: system.factoryKind,
    contracts,
    vaultPaused: await vault.paused({ blockTag: block }),
    hubVault,
    markets,
    users,
  };
}

export function renderDexetraInventory(inv: DexetraInventory): string {
  const vault = inv.contracts.CORE_VAULT;
  const wired = inv.markets.filter(
    (m) => m.storedVault === vault && m.vaultMapsMarketTo === m.orderBook && m.hasOrderBookRole,
  ).length;
  const name = (address: string) => (address === vault ? "vault" : address);
  return [
    `Dexetra v5 stand-in on ${inv.network} (chain ${inv.chainId}) at block ${inv.block}`,
    `CoreVault ${vault} (paused ${inv.vaultPaused}); factory ${inv.contracts.FUTURES_MARKET_FACTORY} (${inv.factoryKind} vault)`,
    `CollateralHub ${inv.contracts.COLLATERAL_HUB}: coreVault ${name(inv.hubVault)}`,
    `Markets wired to the vault (stored vault word, marketToOrderBook, ORDERBOOK_ROLE): ${wired}/${inv.markets.length}`,
    "",
    renderTable(
      ["symbol", "orderBook", "stored vault", "mapped", "role", "mark"],
      inv.markets.map((m) => [
        m.symbol,
        m.orderBook,
        name(m.storedVault),
        m.vaultMapsMarketTo === m.orderBook ? "yes" : "no",
        m.hasOrderBookRole ? "yes" : "no",
        m.markPrice,
      ]),
    ),
    "",
    renderTable(
      ["user", "free USDC", "open positions"],
      inv.users.map((u) => [u.address, u.availableCollateral, u.openPositions]),
    ),
  ].join("\n");
}
