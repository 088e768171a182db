// corevault:redeploy --markets / --except-markets (the dual-vault period): the old vault's markets split, and the old
// system narrowed to what moves, so the redeploy's planner plans only that.
import { getAddress } from "ethers";
import { CutoverInputError } from "../errors.js";
import { splitMarkets, type MarketSelection, type MarketSplit } from "../orderbook/market-split.js";
import type { SystemRecord } from "../records/records.js";
import type { LegacySystem } from "./system.js";

/** The markets of the old vault (symbols from the records) split as --markets / --except-markets ask. */
export function splitOf(
  system: LegacySystem,
  records: SystemRecord | undefined,
  selection: MarketSelection,
  pauseOld: boolean,
): MarketSplit {
  const symbols = new Map((records?.markets ?? []).map((m) => [m.marketId.toLowerCase(), m.symbol]));
  const universe = system.markets.map((m) => ({
    marketId: m.marketId,
    orderBook: getAddress(m.orderBook),
    symbol: symbols.get(m.marketId.toLowerCase()) ?? m.marketId,
  }));
  const split = splitMarkets(universe, selection, system.vault);
  // Pausing a vault that still serves markets would stop its users' deposits and withdrawals (and, on the reference
  // mock, their trading): refused rather than done with a warning.
  if (pauseOld && split.kept.length > 0)
    throw new CutoverInputError(
      "--pause-old",
      true,
      `${split.kept.length} market(s) stay on the old vault ${system.vault} (${split.kept.map((m) => m.symbol).join(", ")}) and pausing it would stop their users' deposits and withdrawals there; run without --pause-old, and pause the old vault once its last market has moved (orderbook:rewire --markets …)`,
    );
  return split;
}

/** The old system as far as this run moves it: only the moved markets, their OrderBooks and those books' role. */
export function movingSystem(system: LegacySystem, split: MarketSplit | undefined): LegacySystem {
  if (!split) return system;
  const moved = new Set(split.moved.map((m) => m.marketId.toLowerCase()));
  const books = new Set(split.moved.map((m) => m.orderBook.toLowerCase()));
  const stays = (account: string) =>
    system.orderBooks.some((b) => b.toLowerCase() === account.toLowerCase()) && !books.has(account.toLowerCase());
  const role = system.roles.ORDERBOOK_ROLE;
  return {
    ...system,
    orderBooks: system.orderBooks.filter((b) => books.has(b.toLowerCase())),
    markets: system.markets.filter((m) => moved.has(m.marketId.toLowerCase())),
    roles: { ...system.roles, ORDERBOOK_ROLE: { ...role, holders: role.holders.filter((h) => !stays(h)) } },
  };
}

export function splitNote(split: MarketSplit, rewire: boolean): string {
  const list = (markets: { symbol: string }[]) => markets.map((m) => m.symbol).join(", ") || "none";
  return `Dual-vault period: ${split.moved.length} market(s) move to the new vault (${list(split.moved)})${rewire ? "" : " once orderbook:rewire points their OrderBooks at it"}; ${split.kept.length} stay on the old vault ${split.oldVault} with their OrderBooks, roles and wiring (${list(split.kept)}). Move more later with orderbook:rewire --markets <ids|symbols|OrderBooks>.`;
}
