// What the chain holds for a cutover, read through the Reader at one block: a handful of requests however many
// OrderBooks (one getLogs for role candidates, batched views, one request for every contract's code).
import { getAddress } from "ethers";
import { MULTICALL3_ADDRESS, type Reader, type ReadCall } from "../engine/reader.js";
import {
  confirmHolders,
  linkedLibraries,
  roleCandidates,
  VAULT_ROLES,
  VAULT_VIEW_GAS,
  type VaultRole,
} from "../corevault/observe.js";
import type { DesiredState } from "./desired.js";

export interface ObservedOrderBook {
  /** undefined where the call reverted (not an OrderBook, no code). */
  vault?: string;
  marketId?: string;
  facets?: string[];
}

export interface ObservedState {
  block: number;
  /** From Multicall3's getChainId in the same batch; undefined where there is no Multicall3. */
  chainId?: number;
  newVault: {
    hasCode: boolean;
    paused?: boolean;
    collateral?: string;
    liquidationManager?: string;
    mmrParams?: string[];
    registered: string[];
    libraries: Record<string, string>;
  };
  oldVault: { paused?: boolean; liquidationManager?: string; mmrParams?: string[] };
  collateralDecimals?: number;
  /** Holders of each role on the new vault: every account a RoleGranted event or the desired graph names, confirmed with hasRole. */
  roles: Record<VaultRole, string[]>;
  /** marketToOrderBook on the new vault, for every desired market. */
  mapping: Record<string, string | undefined>;
  orderBooks: Record<string, ObservedOrderBook>;
  /** vault() of the factory and the hub, by address. */
  pointers: Record<string, string | undefined>;
  /** Runtime code of every facet the OrderBooks run or the desired state knows, by checksummed address. */
  facetCode: Record<string, string>;
}

/**
 * Gas hints for batching (measured with eth_estimateGas on a 1 000-market system: cold accounts and slots). A read
 * through an OrderBook diamond pays for the selector lookup and the delegatecall (less once the diamond is warm);
 * facetAddresses() reads every facet.
 */
export const GAS = {
  vaultView: VAULT_VIEW_GAS,
  diamondView: 10_500,
  diamondViewWarm: 7_500,
  facetAddresses: 23_000,
  pointer: 8_000,
} as const;

/** Who may hold a role on the new vault: holders seen in its role events, the desired holders, and the deployer. */
async function candidateHolders(reader: Reader, desired: DesiredState, fromBlock: number) {
  const candidates = await roleCandidates(reader, desired.newVault, fromBlock);
  for (const role of VAULT_ROLES)
    for (const holder of desired.roles[role]) candidates.get(role)!.add(getAddress(holder));
  for (const role of ["DEFAULT_ADMIN_ROLE", "FACTORY_ROLE"] as const)
    if (desired.deployer) candidates.get(role)!.add(desired.deployer);
  return candidates;
}

/** The view calls of one observation, in the order `decodeReads` takes their results. */
function cutoverReads(desired: DesiredState, books: string[]): ReadCall[] {
  const { newVault, oldVault } = desired;
  const vault = (fn: string, args: unknown[] = []): ReadCall => ({
    to: newVault,
    contract: "CoreVault",
    fn,
    args,
    gas: GAS.vaultView,
  });
  const old = (fn: string): ReadCall => ({ to: oldVault, contract: "CoreVault", fn, args: [], gas: GAS.vaultView });
  const single: ReadCall[] = [
    { to: MULTICALL3_ADDRESS, contract: "Multicall3", fn: "getChainId", args: [], gas: 1_000 },
    vault("paused"),
    vault("collateralToken"),
    vault("liquidationManager"),
    vault("mmrParams"),
    vault("getRegisteredOrderBooks"),
    old("paused"),
    old("liquidationManager"),
    old("mmrParams"),
    ...(desired.collateral
      ? [{ to: desired.collateral, contract: "MockUSDC", fn: "decimals", args: [], gas: GAS.pointer }]
      : []),
  ];
  const pointerReads = desired.pointers.map((p) => ({
    to: p.address,
    contract: "FuturesMarketFactory",
    fn: "vault",
    args: [],
    gas: GAS.pointer,
  }));
  const mappingReads = desired.markets.map((m) => vault("marketToOrderBook", [m.marketId]));
  const bookReads = books.flatMap((book) => [
    { to: book, contract: "OrderBookViewFacet", fn: "vault", args: [], gas: GAS.diamondView },
    { to: book, contract: "OrderBookViewFacet", fn: "marketId", args: [], gas: GAS.diamondViewWarm },
    { to: book, contract: "DiamondLoupeFacet", fn: "facetAddresses", args: [], gas: GAS.facetAddresses },
  ]);
  return [...single, ...pointerReads, ...mappingReads, ...bookReads];
}

/** The results of `cutoverReads`, by what they are. */
function decodeReads(values: unknown[], desired: DesiredState, books: string[]) {
  const [chainId, paused, collateral, liquidationManager, mmrParams, registered, oldPaused, oldManager, oldMmr] =
    values as [bigint?, boolean?, string?, string?, bigint[]?, string[]?, boolean?, string?, bigint[]?];
  let at = 9;
  const decimals = desired.collateral ? values[at++] : undefined;
  const pointers: Record<string, string | undefined> = {};
  for (const p of desired.pointers) pointers[p.address] = values[at++] as string | undefined;
  const mapping: Record<string, string | undefined> = {};
  for (const m of desired.markets) mapping[m.marketId] = values[at++] as string | undefined;
  const orderBooks: Record<string, ObservedOrderBook> = {};
  for (const book of books) {
    const [bookVault, marketId, facets] = values.slice(at, at + 3) as [string?, string?, string[]?];
    at += 3;
    orderBooks[book] = { vault: bookVault, marketId, facets: facets?.map((f) => getAddress(f)) };
  }
  return {
    chainId,
    paused,
    collateral,
    liquidationManager,
    mmrParams,
    registered,
    oldPaused,
    oldManager,
    oldMmr,
    decimals,
    pointers,
    mapping,
    orderBooks,
  };
}

export async function observeCutover(reader: Reader, desired: DesiredState, fromBlock: number): Promise<ObservedState> {
  const { newVault } = desired;
  const books = [...new Set([...desired.markets.map((m) => m.orderBook), ...desired.registered])];
  const candidates = await candidateHolders(reader, desired, fromBlock);
  // The view calls and the role confirmations in one batch: a few aggregate3 requests.
  const [values, roles] = await Promise.all([
    reader.tryCallMany(cutoverReads(desired, books)),
    confirmHolders(reader, newVault, candidates),
  ]);
  const {
    chainId,
    paused,
    collateral,
    liquidationManager,
    mmrParams,
    registered,
    oldPaused,
    oldManager,
    oldMmr,
    decimals,
    pointers,
    mapping,
    orderBooks,
  } = decodeReads(values, desired, books);

  // One request for the code of the new vault (its linked libraries) and of every facet in use or known.
  const facetAddresses = new Set<string>(desired.knownFacets.map((f) => getAddress(f.address)));
  for (const book of Object.values(orderBooks)) for (const f of book.facets ?? []) facetAddresses.add(f);
  const codes = await reader.codes([newVault, ...facetAddresses]);
  const vaultCode = codes[getAddress(newVault)] ?? "0x";
  const artifact = await reader.catalog.artifact("CoreVault");

  return {
    block: reader.block,
    chainId: chainId === undefined ? undefined : Number(chainId),
    newVault: {
      hasCode: vaultCode !== "0x",
      paused,
      collateral: collateral && getAddress(collateral),
      liquidationManager: liquidationManager && getAddress(liquidationManager),
      mmrParams: mmrParams?.map(String),
      registered: (registered ?? []).map((a) => getAddress(a)),
      libraries: vaultCode === "0x" ? {} : linkedLibraries(vaultCode, artifact.deployedLinkReferences ?? {}),
    },
    oldVault: {
      paused: oldPaused,
      liquidationManager: oldManager && getAddress(oldManager),
      mmrParams: oldMmr?.map(String),
    },
    collateralDecimals: decimals === undefined ? undefined : Number(decimals),
    roles,
    mapping: Object.fromEntries(Object.entries(mapping).map(([k, v]) => [k, v && getAddress(v)])),
    orderBooks,
    pointers: Object.fromEntries(Object.entries(pointers).map(([k, v]) => [k, v && getAddress(v)])),
    facetCode: Object.fromEntries([...facetAddresses].map((a) => [a, codes[a] ?? "0x"])),
  };
}
