// cutover:status in a dual-vault period: every market of the split the runs recorded, the vault it is meant to be on
// and what both vaults and its OrderBook say now (the same reads as cutover:verify's split checks).
import { getAddress } from "ethers";
import type { Profile } from "../profile/schema.js";
import type { Reader } from "../engine/reader.js";
import { discoverMarkets } from "../profile/discover.js";
import { readSources } from "../profile/interpret.js";
import { deploymentBlock, type SystemRecord } from "../records/records.js";
import { combinedSplit } from "../orderbook/market-split.js";
import { renderTable } from "../report/table.js";
import { observeSplit } from "../verify/checks-dual.js";
import { cutoverEntry, cutoverRuns } from "../verify/desired.js";

export interface MarketPlacement {
  symbol: string;
  marketId: string;
  orderBook: string;
  meantFor: "old vault" | "new vault";
  /** The vault its OrderBook calls: "old vault", "new vault", another address, or "unreadable". */
  calls: string;
  /** On the old vault: mapped to its OrderBook, registered, ORDERBOOK_ROLE held. */
  onOld: { mapped: boolean; registered: boolean; role: boolean };
  /** The new vault maps the market to its OrderBook. */
  mappedOnNew: boolean;
  asMeant: boolean;
}

/** Undefined when no cutover split the markets (or none ran yet). */
export async function splitPlacement(
  reader: Reader,
  root: string,
  records: SystemRecord,
  profile: Profile,
): Promise<MarketPlacement[] | undefined> {
  let entry: ReturnType<typeof cutoverEntry>;
  let runs: Awaited<ReturnType<typeof cutoverRuns>>;
  try {
    entry = cutoverEntry(records, undefined);
    runs = await cutoverRuns(root, records.network, entry.oldVault, entry.newVault);
  } catch {
    return undefined;
  }
  const split = combinedSplit(runs.map((r) => r.plan));
  if (!split) return undefined;
  const oldVault = split.oldVault || entry.oldVault;
  const observed = await observeSplit(reader, { split, oldVault, newVault: entry.newVault }, profile);
  const same = (a: string | undefined, b: string) => a?.toLowerCase() === b.toLowerCase();
  const rows = (markets: typeof split.kept, meantFor: MarketPlacement["meantFor"]) =>
    markets.map((m): MarketPlacement => {
      const place = observed?.[m.marketId.toLowerCase()];
      const calls = same(place?.bookVault, oldVault)
        ? "old vault"
        : same(place?.bookVault, entry.newVault)
          ? "new vault"
          : (place?.bookVault ?? "unreadable");
      const onOld = {
        mapped: same(place?.old.orderBookOf, m.orderBook),
        registered: place?.old.registered === true,
        role: place?.old.role === true,
      };
      const mappedOnNew = same(place?.newOrderBookOf, m.orderBook);
      const asMeant =
        meantFor === "old vault"
          ? calls === "old vault" && onOld.mapped && onOld.registered && onOld.role && !mappedOnNew
          : calls === "new vault" && mappedOnNew;
      return {
        symbol: m.symbol,
        marketId: m.marketId,
        orderBook: m.orderBook,
        meantFor,
        calls,
        onOld,
        mappedOnNew,
        asMeant,
      };
    });
  return [...rows(split.moved, "new vault"), ...rows(split.kept, "old vault")];
}

export function renderPlacement(rows: MarketPlacement[]): string {
  const yes = (b: boolean) => (b ? "yes" : "no");
  const kept = rows.filter((r) => r.meantFor === "old vault").length;
  const off = rows.filter((r) => !r.asMeant).length;
  return [
    `Dual-vault period: ${rows.length - kept} market(s) meant for the new vault, ${kept} meant to stay on the old vault; ${off === 0 ? "every market is where it is meant to be" : `${off} NOT where meant`}`,
    renderTable(
      ["market", "orderBook", "meant for", "calls", "old: mapped", "registered", "ORDERBOOK_ROLE", "new: mapped", ""],
      rows.map((r) => [
        r.symbol.length > 20 ? `${r.symbol.slice(0, 10)}…` : r.symbol,
        r.orderBook,
        r.meantFor,
        r.calls,
        yes(r.onOld.mapped),
        yes(r.onOld.registered),
        yes(r.onOld.role),
        yes(r.mappedOnNew),
        r.asMeant ? "ok" : "NOT AS MEANT",
      ]),
    ),
  ].join("\n");
}

export interface MarketListing {
  symbol: string;
  marketId: string;
  orderBook: string;
  /** "current vault", "replaced vault", another address, or "unreadable". */
  calls: string;
}

/**
 * `cutover:status --markets`: every market the current and the replaced vaults map (found as the profile says: an
 * enumerator, or events confirmed by the vault), with the vault its OrderBook calls; what --markets can name.
 */
export async function listMarkets(
  reader: Reader,
  root: string,
  records: SystemRecord,
  profile: Profile,
  vaults: { address: string; role: "current" | "replaced" }[],
): Promise<MarketListing[]> {
  const symbols = new Map(records.markets.map((m) => [m.marketId.toLowerCase(), m.symbol]));
  const seen = new Map<string, { marketId: string; orderBook: string }>();
  for (const { address } of vaults) {
    const from = await deploymentBlock(root, records.network, "CoreVault", address);
    const found = await discoverMarkets(reader, profile, { vault: address }, records, from).catch(() => undefined);
    for (const m of found?.markets ?? [])
      if (!seen.has(m.marketId.toLowerCase())) seen.set(m.marketId.toLowerCase(), m);
  }
  const markets = [...seen.values()];
  const called = await Promise.all(
    markets.map((m) =>
      readSources(reader, profile.orderBook.vault, { target: m.orderBook, address: true }).catch(() => ({})),
    ),
  );
  return markets.map((m, i) => {
    const outcome = called[i];
    const vault = "value" in outcome ? getAddress(`0x${String(outcome.value).slice(-40)}`) : undefined;
    const role = vaults.find((v) => vault && v.address.toLowerCase() === vault.toLowerCase())?.role;
    return {
      symbol: symbols.get(m.marketId.toLowerCase()) ?? m.marketId,
      marketId: m.marketId,
      orderBook: getAddress(m.orderBook),
      calls: role ? `${role} vault` : (vault ?? "unreadable"),
    };
  });
}

export function renderMarkets(rows: MarketListing[]): string {
  return [
    `Markets (${rows.length}): name them to --markets / --except-markets by id, symbol or OrderBook`,
    renderTable(
      ["market", "marketId", "orderBook", "calls"],
      rows.map((r) => [r.symbol === r.marketId ? "" : r.symbol, r.marketId, r.orderBook, r.calls]),
    ),
  ].join("\n");
}
