import { getAddress, ZeroAddress } from "ethers";
import type { Artifact } from "hardhat/types/artifacts";
import type { ContractCatalog } from "../engine/contracts.js";
import { normalize, type Reader } from "../engine/reader.js";
import type { Value } from "../engine/types.js";
import { fnName, readConcept, scanDiscovery, type Concept, type ReadContext } from "./interpret.js";
import type { Profile } from "./schema.js";
import type { SystemRecord } from "../records/records.js";
import type { FacetCutTemplate, LegacySystem } from "../corevault/system.js";

/** The artifact the new vault is deployed from (and whose link references locate the libraries): the project's own. */
export function vaultArtifact(catalog: ContractCatalog, profile: Profile): Promise<Artifact> {
  return catalog.projectArtifact(profile.vault.artifact, "cutover.protocol.vault.artifact");
}

const view = (to: string, signature: string, args: unknown[] = []) => ({
  to,
  contract: signature,
  fn: fnName(signature),
  args,
});

/** Values the profile keeps from a contract (its `keep` reads), normalized to plan values. */
async function readKept(
  reader: Reader,
  profile: Profile,
  section: "factory" | "hub",
  ctx: ReadContext,
): Promise<Record<string, Value>> {
  const kept: Record<string, Value> = {};
  for (const name of Object.keys(profile[section].keep ?? {}))
    kept[name] = normalize(await readConcept(reader, profile, `${section}.keep.${name}` as Concept, ctx)) as Value;
  return kept;
}

const candidatesOf = (records: SystemRecord | undefined, key: string, holders: string[]) =>
  [records?.contracts[key], ...holders].filter((a): a is string => !!a);

/** The factory: the records' FUTURES_MARKET_FACTORY, else the FACTORY_ROLE holder that answers the profile's `detect`. */
export async function observeFactory(
  reader: Reader,
  profile: Profile,
  records: SystemRecord | undefined,
  holders: string[],
): Promise<LegacySystem["factory"]> {
  const spec = profile.factory;
  for (const candidate of candidatesOf(records, "FUTURES_MARKET_FACTORY", holders)) {
    if ((await reader.tryCall(view(candidate, spec.detect))) === undefined) continue;
    const ctx = { target: candidate, records: records?.contracts, address: true };
    const updatable =
      typeof spec.vault.updatable === "boolean"
        ? spec.vault.updatable
        : ((await reader.call(view(candidate, spec.vault.updatable))) as boolean);
    const vault = spec.vault.read
      ? ((await readConcept(reader, profile, "factory.vault.read", ctx)) as string)
      : undefined;
    // Kept values feed the replacement of an immutable factory: only needed (and required) then.
    const keep = updatable ? {} : await readKept(reader, profile, "factory", { ...ctx, address: false });
    const template = keep.facetTemplate as [string, string, string[]][] | undefined;
    return {
      address: getAddress(candidate),
      ...(vault ? { vault: getAddress(vault) } : {}),
      updatable,
      ...(typeof keep.orderBookInit === "string" ? { orderBookInit: getAddress(keep.orderBookInit) } : {}),
      ...(template
        ? {
            facetTemplate: template.map(([facetAddress, action, functionSelectors]): FacetCutTemplate => ({
              facetAddress: getAddress(facetAddress),
              action: Number(action),
              functionSelectors: [...functionSelectors],
            })),
          }
        : {}),
      keep,
    };
  }
  return undefined;
}

/** The hub: the records' COLLATERAL_HUB, else the EXTERNAL_CREDITOR_ROLE holder that answers the profile's `detect`. */
export async function observeHub(
  reader: Reader,
  profile: Profile,
  records: SystemRecord | undefined,
  holders: string[],
): Promise<LegacySystem["hub"]> {
  for (const candidate of candidatesOf(records, "COLLATERAL_HUB", holders)) {
    if ((await reader.tryCall(view(candidate, profile.hub.detect))) === undefined) continue;
    const ctx = { target: candidate, records: records?.contracts };
    const vault = (await readConcept(reader, profile, "hub.vault.read", { ...ctx, address: true })) as string;
    return {
      address: getAddress(candidate),
      vault: getAddress(vault),
      keep: await readKept(reader, profile, "hub", ctx),
    };
  }
  return undefined;
}

const unique = (values: (string | undefined)[]) => [
  ...new Set(values.filter((v): v is string => !!v).map((v) => v.toLowerCase())),
];

/**
 * The vault's OrderBooks and markets: from its enumerator getters where the profile has them; else every OrderBook and
 * market named by the profile's event scans and the records, kept only where the vault confirms it at the pinned block
 * (`isRegistered`, `orderBookOf`).
 */
export async function discoverMarkets(
  reader: Reader,
  profile: Profile,
  contracts: { vault: string; factory?: string },
  records: SystemRecord | undefined,
  fromBlock: number,
): Promise<Pick<LegacySystem, "orderBooks" | "markets">> {
  const { vault } = contracts;
  const { orderBooks: books, markets } = profile.vault;
  if (books.list && markets.list) {
    const [listed, ids] = (await reader.callMany([view(vault, books.list), view(vault, markets.list)])) as string[][];
    const mapped = await reader.callMany(ids.map((id) => view(vault, markets.orderBookOf, [id])));
    return {
      orderBooks: listed.map((a) => getAddress(a)),
      markets: ids.map((marketId, i) => ({ marketId, orderBook: getAddress(mapped[i] as string) })),
    };
  }
  const found = await scanDiscovery(reader, profile, contracts, profile.discovery.fromBlock ?? fromBlock);
  for (const market of records?.markets ?? []) found.push(market);
  for (const key of profile.discovery.recordOrderBooks) found.push({ orderBook: records?.contracts[key] });
  const candidates = unique(found.map((f) => f.orderBook));
  const ids = unique(found.map((f) => f.marketId));
  const [registered, mapped] = await Promise.all([
    reader.callMany(candidates.map((b) => view(vault, books.isRegistered, [b]))),
    reader.callMany(ids.map((id) => view(vault, markets.orderBookOf, [id]))),
  ]);
  const orderBooks = candidates.filter((_, i) => registered[i] === true).map((b) => getAddress(b));
  const known = new Set(orderBooks.map((b) => b.toLowerCase()));
  return {
    orderBooks,
    markets: ids
      .map((marketId, i) => ({ marketId, orderBook: getAddress(mapped[i] as string) }))
      .filter((m) => m.orderBook !== ZeroAddress && known.has(m.orderBook.toLowerCase())),
  };
}

/**
 * Market symbols by OrderBook (lowercase), from the profile's factory events that name a symbol, on the records'
 * factory and every factory a cutover replaced (the markets were created on the old one).
 */
export async function marketSymbols(
  reader: Reader,
  profile: Profile,
  records: SystemRecord | undefined,
): Promise<Map<string, string>> {
  const symbols = new Map<string, string>();
  if (!profile.discovery.events.some((e) => e.on === "factory" && e.symbol)) return symbols;
  const factories = unique([
    records?.contracts.FUTURES_MARKET_FACTORY,
    ...(records?.superseded ?? []).map((e) => e.FUTURES_MARKET_FACTORY),
  ]);
  for (const factory of factories)
    for (const found of await scanDiscovery(reader, profile, { vault: "", factory }, profile.discovery.fromBlock ?? 0))
      if (found.orderBook && found.symbol) symbols.set(found.orderBook.toLowerCase(), found.symbol);
  return symbols;
}
