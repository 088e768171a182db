// What the chain holds for a cutover, read through the Reader at one block: a handful of requests however many
// OrderBooks (one getLogs for role candidates, batched views, one request for every contract's code).
import { getAddress, isAddress } from "ethers";
import { MULTICALL3_ADDRESS, type Reader, type ReadCall } from "../engine/reader.js";
import {
  confirmHolders,
  linkedLibraries,
  roleCandidates,
  roleId,
  VAULT_ROLES,
  VAULT_VIEW_GAS,
  type VaultRole,
} from "../corevault/observe.js";
import { REFERENCE } from "../profile/builtins.js";
import { fnName, readSources } from "../profile/interpret.js";
import type { Profile, ReadSource } from "../profile/schema.js";
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
    /** Runtime code of the libraries the plan and the records name, by address (read with the vault's code). */
    libraryCode: Record<string, string>;
  };
  /** `haltedOrderBooks`: hasRole(ORDERBOOK_ROLE, book) on the old vault, for each OrderBook a plan halted there. */
  oldVault: {
    paused?: boolean;
    liquidationManager?: string;
    mmrParams?: string[];
    haltedOrderBooks: Record<string, boolean | undefined>;
  };
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
  /**
   * What the profile has no getter for: an immutable is still in the runtime code (the new vault's collateral, a new
   * factory's vault), as a 32-byte word; an internal variable (dexetra-v5's liquidation manager) is not readable.
   */
  withoutGetter: {
    collateralInCode?: boolean;
    liquidationManager?: true;
    /** By pointer address: whether its runtime code carries the plan's vault. */
    pointerInCode: Record<string, boolean>;
  };
}

/** Whether `address` is one of the 32-byte words of `code`, as an immutable address is. */
const inCode = (code: string | undefined, address: string) =>
  !!code && code.toLowerCase().includes(address.toLowerCase().slice(2).padStart(64, "0"));

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

/** A view call of the profile (`signature` on `to`), with a batching hint. */
const view = (to: string, signature: string, args: unknown[] = [], gas: number = GAS.vaultView): ReadCall => ({
  to,
  contract: signature,
  fn: fnName(signature),
  args,
  gas,
});

/** The first source of a read that is a plain view call (what can be read of a contract other than the old one). */
function callOf(sources: ReadSource | ReadSource[] | undefined): string | undefined {
  return [sources ?? []].flat().find((s): s is { call: string } => "call" in s && s.pick === undefined)?.call;
}

/** The view calls of one observation, in the order `decodeReads` takes their results. */
function cutoverReads(desired: DesiredState, books: string[], profile: Profile): ReadCall[] {
  const { newVault, oldVault } = desired;
  const v = profile.vault;
  const collateral = callOf(v.collateral);
  const manager = callOf(v.liquidationManager.read);
  const optional = (to: string, signature: string | undefined) => (signature ? [view(to, signature)] : []);
  return [
    { to: MULTICALL3_ADDRESS, contract: "Multicall3", fn: "getChainId", args: [], gas: 1_000 },
    view(newVault, v.pause.read),
    ...optional(newVault, collateral),
    ...optional(newVault, manager),
    ...v.mmrParams.read.map((sig) => view(newVault, sig)),
    ...optional(newVault, v.orderBooks.list),
    view(oldVault, v.pause.read),
    ...optional(oldVault, manager),
    ...v.mmrParams.read.map((sig) => view(oldVault, sig)),
    ...(desired.collateral ? [view(desired.collateral, v.collateralDecimals, [], GAS.pointer)] : []),
    ...desired.markets.map((m) => view(newVault, v.markets.orderBookOf, [m.marketId])),
    // without an enumerator, the registry is what the vault confirms of the OrderBooks in question
    ...(v.orderBooks.list ? [] : books.map((book) => view(newVault, v.orderBooks.isRegistered, [book]))),
    ...books.map((book) => ({
      to: book,
      contract: "DiamondLoupeFacet",
      fn: "facetAddresses",
      args: [],
      gas: GAS.facetAddresses,
    })),
    ...desired.haltedOnOld.map((book) => view(oldVault, v.roles.hasRole, [roleId("ORDERBOOK_ROLE"), book])),
  ];
}

/** The results of `cutoverReads`, by what they are. */
function decodeReads(values: unknown[], desired: DesiredState, books: string[], profile: Profile) {
  const v = profile.vault;
  let at = 0;
  const next = () => values[at++];
  const maybe = (present: unknown) => (present ? next() : undefined);
  const mmr = () => {
    const read = v.mmrParams.read.map(() => next());
    return read.some((r) => r === undefined) ? undefined : read.flat().map(String);
  };
  const chainId = next() as bigint | undefined;
  const paused = next() as boolean | undefined;
  const collateral = maybe(callOf(v.collateral)) as string | undefined;
  const liquidationManager = maybe(callOf(v.liquidationManager.read)) as string | undefined;
  const mmrParams = mmr();
  const listed = maybe(v.orderBooks.list) as string[] | undefined;
  const oldPaused = next() as boolean | undefined;
  const oldManager = maybe(callOf(v.liquidationManager.read)) as string | undefined;
  const oldMmr = mmr();
  const decimals = maybe(desired.collateral);
  const mapping: Record<string, string | undefined> = {};
  for (const m of desired.markets) mapping[m.marketId] = next() as string | undefined;
  const registered = v.orderBooks.list ? listed : books.filter(() => next() === true);
  const facets: Record<string, string[] | undefined> = {};
  for (const book of books) facets[book] = (next() as string[] | undefined)?.map((f) => getAddress(f));
  const halted = Object.fromEntries(desired.haltedOnOld.map((book) => [book, next() as boolean | undefined]));
  return {
    halted,
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
    mapping,
    facets,
  };
}

/** A value the profile reads (a view call, a storage slot…), or undefined where none of its sources answers. */
async function profileRead(reader: Reader, sources: ReadSource | ReadSource[] | undefined, target: string) {
  if (!sources) return undefined;
  const outcome = await readSources(reader, sources, { target }).catch(() => ({ missing: [] }));
  return "value" in outcome ? String(outcome.value) : undefined;
}

/** The OrderBooks' vault and market, and the factory's and the hub's vault pointers, as the profile reads them. */
async function profileReads(reader: Reader, desired: DesiredState, books: string[], profile: Profile) {
  const [bookValues, pointerValues] = await Promise.all([
    Promise.all(
      books.map((book) =>
        Promise.all([
          profileRead(reader, profile.orderBook.vault, book),
          profileRead(reader, profile.orderBook.marketId, book),
        ]),
      ),
    ),
    Promise.all(
      desired.pointers.map((p) =>
        profileRead(reader, p.kind === "hub" ? profile.hub.vault.read : profile.factory.vault.read, p.address),
      ),
    ),
  ]);
  const asAddress = (word: string | undefined) => (word === undefined ? undefined : getAddress(`0x${word.slice(-40)}`));
  const pointers: Record<string, string | undefined> = {};
  desired.pointers.forEach((p, i) => (pointers[p.address] = asAddress(pointerValues[i])));
  return { books: bookValues.map(([vault, marketId]) => ({ vault: asAddress(vault), marketId })), pointers };
}

export async function observeCutover(
  reader: Reader,
  desired: DesiredState,
  fromBlock: number,
  profile: Profile = REFERENCE,
): Promise<ObservedState> {
  const { newVault } = desired;
  const books = [...new Set([...desired.markets.map((m) => m.orderBook), ...desired.registered])];
  const candidates = await candidateHolders(reader, desired, fromBlock);
  // The view calls and the role confirmations in one batch: a few aggregate3 requests.
  const [values, roles, read] = await Promise.all([
    reader.tryCallMany(cutoverReads(desired, books, profile)),
    confirmHolders(reader, newVault, candidates, profile),
    profileReads(reader, desired, books, profile),
  ]);
  const decoded = decodeReads(values, desired, books, profile);
  const orderBooks: Record<string, ObservedOrderBook> = {};
  books.forEach((book, i) => (orderBooks[book] = { ...read.books[i], facets: decoded.facets[book] }));

  // One request for the code of the new vault (its linked libraries) and of every facet in use or known.
  const facetAddresses = new Set<string>(desired.knownFacets.map((f) => getAddress(f.address)));
  for (const book of Object.values(orderBooks)) for (const f of book.facets ?? []) facetAddresses.add(f);
  const unreadPointers = desired.pointers.filter((p) => !(p.kind === "hub" ? profile.hub : profile.factory).vault.read);
  const libraries = [
    ...Object.values(desired.libraries),
    ...Object.values(desired.libraryRecords).flatMap((r) => (r.address && isAddress(r.address) ? [r.address] : [])),
  ].map((a) => getAddress(a));
  const codes = await reader.codes([
    newVault,
    ...facetAddresses,
    ...unreadPointers.map((p) => p.address),
    ...libraries,
  ]);
  const vaultCode = codes[getAddress(newVault)] ?? "0x";
  const artifact = await reader.catalog.artifact(profile.vault.artifact);
  const { collateral, liquidationManager, registered, oldManager, decimals } = decoded;

  return {
    block: reader.block,
    chainId: decoded.chainId === undefined ? undefined : Number(decoded.chainId),
    newVault: {
      hasCode: vaultCode !== "0x",
      paused: decoded.paused,
      collateral: collateral && getAddress(collateral),
      liquidationManager: liquidationManager && getAddress(liquidationManager),
      mmrParams: decoded.mmrParams,
      registered: (registered ?? []).map((a) => getAddress(a)),
      libraries: vaultCode === "0x" ? {} : linkedLibraries(vaultCode, artifact.deployedLinkReferences ?? {}),
      libraryCode: Object.fromEntries(libraries.map((a) => [a, codes[a] ?? "0x"])),
    },
    oldVault: {
      paused: decoded.oldPaused,
      liquidationManager: oldManager && getAddress(oldManager),
      mmrParams: decoded.oldMmr,
      haltedOrderBooks: decoded.halted,
    },
    collateralDecimals: decimals === undefined ? undefined : Number(decimals),
    roles,
    mapping: Object.fromEntries(Object.entries(decoded.mapping).map(([k, v]) => [k, v && getAddress(v)])),
    orderBooks,
    pointers: read.pointers,
    facetCode: Object.fromEntries([...facetAddresses].map((a) => [a, codes[a] ?? "0x"])),
    withoutGetter: {
      ...(callOf(profile.vault.collateral) ? {} : { collateralInCode: inCode(vaultCode, desired.collateral) }),
      ...(callOf(profile.vault.liquidationManager.read) ? {} : { liquidationManager: true as const }),
      pointerInCode: Object.fromEntries(
        unreadPointers.map((p) => [p.address, inCode(codes[getAddress(p.address)], p.vault)]),
      ),
    },
  };
}
