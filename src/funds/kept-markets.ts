// withdraw-only halts every OrderBook of the old vault. In a dual-vault period (a cutover that moved some markets and
// kept others on the old vault) that would stop markets still meant to trade there: refused before anything is sent.
import { CutoverInputError } from "../errors.js";
import { combinedSplit, type MarketRef } from "../orderbook/market-split.js";
import { readSystemRecordIfAny } from "../records/records.js";
import { cutoverEntry, cutoverRuns } from "../verify/desired.js";

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The markets the recorded cutover runs keep on `oldVault`; [] when no cutover of it is recorded or none is kept. */
export async function marketsKeptOn(root: string, network: string, oldVault: string): Promise<MarketRef[]> {
  const records = await readSystemRecordIfAny(root, network);
  const entry = records?.superseded?.some((e) => typeof e.CORE_VAULT === "string" && same(e.CORE_VAULT, oldVault))
    ? cutoverEntry(records, oldVault)
    : undefined;
  if (!entry) return [];
  const split = combinedSplit(
    (await cutoverRuns(root, records!.network, entry.oldVault, entry.newVault)).map((r) => r.plan),
  );
  return split?.kept ?? [];
}

export function refuseKeptMarkets(snapshotFile: string, oldVault: string, kept: MarketRef[]): void {
  if (kept.length === 0) return;
  const names = kept.map((m) => `${m.symbol} (${m.orderBook})`).join(", ");
  throw new CutoverInputError(
    "--snapshot",
    snapshotFile,
    `its vault ${oldVault} still runs ${kept.length} market(s) kept there by the dual-vault split: ${names}; withdraw-only would halt them too. Move them first (npx hardhat orderbook:rewire --markets ${kept.map((m) => m.symbol).join(",")}), or migrate the moved markets' users with --mode credit or --mode claim`,
  );
}
