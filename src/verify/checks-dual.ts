// The dual-vault period's checks: each market against the vault the runs' recorded split says it is meant to be on.
// Markets kept on the old vault must still be registered, mapped and wired there and not halted, and not assigned on
// the new vault; moved markets' OrderBooks must call the new vault. Pure: observed by observe-dual.ts.
import { getAddress } from "ethers";
import { REFERENCE } from "../profile/builtins.js";
import { fnName, readSources } from "../profile/interpret.js";
import type { Profile } from "../profile/schema.js";
import { roleId } from "../corevault/system.js";
import type { Reader } from "../engine/reader.js";
import type { MarketRef } from "../orderbook/market-split.js";
import type { CheckResult, Failure, VerifyInput } from "./checks.js";
import type { DesiredState } from "./desired.js";

/** What the chain says of one market of the split. */
export interface MarketPlace {
  /** The vault its OrderBook calls (undefined: unreadable). */
  bookVault?: string;
  old: { orderBookOf?: string; registered?: boolean; role?: boolean };
  newOrderBookOf?: string;
}

export type ObservedSplit = Record<string, MarketPlace>;

const same = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

const view = (to: string, signature: string, args: unknown[]) => ({
  to,
  contract: signature,
  fn: fnName(signature),
  args,
});

/** Both vaults' view of every market of the split, and the vault each OrderBook calls, by market id (lowercase). */
export async function observeSplit(
  reader: Reader,
  desired: Pick<DesiredState, "split" | "oldVault" | "newVault">,
  profile: Profile = REFERENCE,
): Promise<ObservedSplit | undefined> {
  const split = desired.split;
  if (!split) return undefined;
  const markets = [...split.kept, ...split.moved];
  const oldVault = split.oldVault || desired.oldVault;
  const v = profile.vault;
  const values = await reader.tryCallMany(
    markets.flatMap((m) => [
      view(oldVault, v.markets.orderBookOf, [m.marketId]),
      view(oldVault, v.orderBooks.isRegistered, [m.orderBook]),
      view(oldVault, v.roles.hasRole, [roleId("ORDERBOOK_ROLE"), m.orderBook]),
      view(desired.newVault, v.markets.orderBookOf, [m.marketId]),
    ]),
  );
  const vaults = await Promise.all(
    markets.map((m) =>
      readSources(reader, profile.orderBook.vault, { target: m.orderBook, address: true }).catch(() => ({})),
    ),
  );
  const address = (value: unknown) => (typeof value === "string" ? getAddress(`0x${value.slice(-40)}`) : undefined);
  return Object.fromEntries(
    markets.map((m, i) => {
      const [orderBookOf, registered, role, newOrderBookOf] = values.slice(i * 4, i * 4 + 4);
      const vault = vaults[i];
      return [
        m.marketId.toLowerCase(),
        {
          bookVault: "value" in vault ? address(vault.value) : undefined,
          old: { orderBookOf: address(orderBookOf), registered: registered as boolean, role: role as boolean },
          newOrderBookOf: address(newOrderBookOf),
        },
      ];
    }),
  );
}

function result(name: string, title: string, failures: Failure[], evidence: string, na = false): CheckResult {
  return { name, title, status: na ? "n/a" : failures.length === 0 ? "pass" : "fail", evidence, failures };
}

function keptFailures(m: MarketRef, place: MarketPlace | undefined, oldVault: string, newVault: string): Failure[] {
  const subject = `market ${m.symbol} (${m.marketId.slice(0, 10)}…), OrderBook ${m.orderBook}`;
  const failures: Failure[] = [];
  const fail = (expected: string, found: string, fix: string) => failures.push({ subject, expected, found, fix });
  if (!same(place?.bookVault, oldVault))
    fail(
      `its OrderBook calls the old vault ${oldVault} (it stays there)`,
      same(place?.bookVault, newVault) ? `it calls the NEW vault ${newVault}` : (place?.bookVault ?? "unreadable"),
      `a market moved outside the plan: move it with orderbook:rewire --markets ${m.symbol} (which registers it on the new vault), or point it back at the old vault`,
    );
  if (!same(place?.old.orderBookOf, m.orderBook))
    fail(
      "the old vault maps the market to its OrderBook",
      place?.old.orderBookOf ?? "(the call reverted)",
      "oldVault.assignMarketToOrderBook from its FACTORY_ROLE holder",
    );
  if (place?.old.registered !== true)
    fail(
      "registered on the old vault",
      String(place?.old.registered ?? "(the call reverted)"),
      "oldVault.registerOrderBook from its FACTORY_ROLE holder",
    );
  if (place?.old.role !== true)
    fail(
      "ORDERBOOK_ROLE on the old vault (trading there goes on)",
      place?.old.role === false ? "no ORDERBOOK_ROLE: halted" : "(hasRole reverted)",
      "oldVault.grantRole(ORDERBOOK_ROLE, <its OrderBook>) from the role's admin, or move the market (orderbook:rewire --markets)",
    );
  if (same(place?.newOrderBookOf, m.orderBook))
    fail(
      "not assigned on the new vault",
      `the new vault maps it to ${m.orderBook}`,
      `finish the move with orderbook:rewire --markets ${m.symbol}, or unassign it on the new vault`,
    );
  return failures;
}

/** The split's checks; none when no run split the markets. */
export function runDualChecks({ desired }: VerifyInput, observed: ObservedSplit | undefined): CheckResult[] {
  const split = desired.split;
  const keptName = "markets.kept-on-old-vault";
  const keptTitle = "every market meant to stay on the old vault is registered, mapped and wired there, not halted";
  const movedName = "markets.moved-to-new-vault";
  const movedTitle = "every market a run moved has its OrderBook calling the new vault";
  // Without a split every market moved at once: the checks of checks.ts cover them all.
  if (!split || !observed) return [];
  const oldVault = split.oldVault || desired.oldVault;
  const kept = split.kept.flatMap((m) =>
    keptFailures(m, observed[m.marketId.toLowerCase()], oldVault, desired.newVault),
  );
  const moved: Failure[] = split.moved
    .filter((m) => !same(observed[m.marketId.toLowerCase()]?.bookVault, desired.newVault))
    .map((m) => ({
      subject: `market ${m.symbol} (${m.marketId.slice(0, 10)}…), OrderBook ${m.orderBook}`,
      expected: `its OrderBook calls the new vault ${desired.newVault}`,
      found: same(observed[m.marketId.toLowerCase()]?.bookVault, oldVault)
        ? `it was left behind on the old vault ${oldVault}`
        : (observed[m.marketId.toLowerCase()]?.bookVault ?? "unreadable"),
      fix: `orderbook:rewire --markets ${m.symbol}`,
    }));
  const count = (list: MarketRef[], failures: Failure[]) =>
    `${list.length - new Set(failures.map((f) => f.subject)).size}/${list.length}`;
  return [
    result(
      keptName,
      keptTitle,
      kept,
      `${count(split.kept, kept)} markets kept on the old vault ${oldVault} as planned`,
      split.kept.length === 0,
    ),
    result(movedName, movedTitle, moved, `${count(split.moved, moved)} moved markets call the new vault`),
  ];
}
