// The dual-vault period: which markets a run moves to the new vault and which stay on the old one. Parsed and resolved
// here only. A plan carries its split in `scope.markets`, where cutover:verify and cutover:status read it back.
import { getAddress } from "ethers";
import { CutoverInputError } from "../errors.js";
import type { Plan, Value } from "../engine/types.js";

export interface MarketRef {
  marketId: string;
  orderBook: string;
  symbol: string;
}

export interface MarketSelection {
  input: "--markets" | "--except-markets";
  values: string[];
}

export interface MarketSplit {
  /** The vault the kept markets stay on. */
  oldVault: string;
  moved: MarketRef[];
  kept: MarketRef[];
}

const LIST_HINT = "`npx hardhat cutover:status --markets` lists every market with its id, symbol, OrderBook and vault";

function items(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** --markets / --except-markets (mutually exclusive); undefined when neither is given: every market moves. */
export function parseMarketSelection(markets?: string, exceptMarkets?: string): MarketSelection | undefined {
  const only = items(markets);
  const except = items(exceptMarkets);
  if (only.length > 0 && except.length > 0)
    throw new CutoverInputError(
      "--markets / --except-markets",
      `${markets} / ${exceptMarkets}`,
      "give one of them: --markets names the markets to move to the new vault, --except-markets those to leave on the old one",
    );
  for (const [input, raw, list] of [
    ["--markets", markets, only],
    ["--except-markets", exceptMarkets, except],
  ] as const)
    if ((raw ?? "").trim() !== "" && list.length === 0)
      throw new CutoverInputError(
        input,
        raw,
        `give comma-separated market ids, symbols or OrderBook addresses; ${LIST_HINT}`,
      );
  if (only.length > 0) return { input: "--markets", values: only };
  if (except.length > 0) return { input: "--except-markets", values: except };
  return undefined;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** A market named by its id, its symbol (any case) or its OrderBook's address. */
export const names = (market: MarketRef, value: string): boolean =>
  same(value, market.marketId) || same(value, market.orderBook) || same(value, market.symbol);

/** Every named market must be one of `universe` (the markets of `where`), else an input error before anything is sent. */
export function requireKnown(universe: MarketRef[], selection: MarketSelection, where: string): void {
  for (const value of selection.values) {
    if (universe.some((m) => names(m, value))) continue;
    const known = universe.slice(0, 12).map((m) => (m.symbol === m.marketId ? m.marketId.slice(0, 10) : m.symbol));
    throw new CutoverInputError(
      selection.input,
      value,
      `no market of ${where} has that id, symbol or OrderBook address (it has ${universe.length}: ${known.join(", ")}${universe.length > known.length ? ", …" : ""}); ${LIST_HINT}`,
    );
  }
}

/** The split of `universe` a selection asks for. */
export function splitMarkets(universe: MarketRef[], selection: MarketSelection, oldVault: string): MarketSplit {
  requireKnown(universe, selection, `the old vault ${oldVault}`);
  const named = (m: MarketRef) => selection.values.some((v) => names(m, v));
  const moves = (m: MarketRef) => (selection.input === "--markets" ? named(m) : !named(m));
  return { oldVault: getAddress(oldVault), moved: universe.filter(moves), kept: universe.filter((m) => !moves(m)) };
}

const refValue = (m: MarketRef): Value => ({ marketId: m.marketId, orderBook: m.orderBook, symbol: m.symbol });

/** The plan's `scope` for a split (part of the plan, so of its id). */
export function splitScope(split: MarketSplit): Record<string, Value> {
  return { markets: { oldVault: split.oldVault, moved: split.moved.map(refValue), kept: split.kept.map(refValue) } };
}

/** The split a stored plan recorded, if it has one. */
export function planSplit(plan: Plan): MarketSplit | undefined {
  const markets = plan.scope?.markets as { oldVault?: string; moved?: MarketRef[]; kept?: MarketRef[] } | undefined;
  if (!markets?.moved) return undefined;
  return { oldVault: markets.oldVault ?? "", moved: markets.moved, kept: markets.kept ?? [] };
}

/**
 * Where each market is meant to be after a sequence of runs (oldest first): the first split's kept markets, less any
 * a later run moved. Undefined when no run split the markets (every market moved at once).
 */
export function combinedSplit(plans: Plan[]): MarketSplit | undefined {
  const splits = plans.map(planSplit).filter((s): s is MarketSplit => s !== undefined);
  if (splits.length === 0) return undefined;
  const moved = new Map<string, MarketRef>();
  for (const split of splits) for (const m of split.moved) moved.set(m.marketId.toLowerCase(), m);
  const first = splits.find((s) => s.kept.length > 0 || s.oldVault !== "") ?? splits[0];
  const kept = first.kept.filter((m) => !moved.has(m.marketId.toLowerCase()));
  return { oldVault: first.oldVault, moved: [...moved.values()], kept };
}
