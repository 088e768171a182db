import { renderFleet, type OrderBookStatus } from "./fleet-status.js";

const FINE = new Set(["rewired", "redeployed", "already done"]);

/**
 * The fleet for people: by default only the OrderBooks that need attention (failed, blocked, awaiting), then the
 * counts over the whole fleet; `verbose` lists every OrderBook.
 */
export function renderFleetView(rows: OrderBookStatus[], verbose: boolean): string {
  if (verbose) return renderFleet(rows);
  const counts = renderFleet(rows).split("\n").at(-1)!;
  const attention = rows.filter((r) => !FINE.has(r.status));
  if (attention.length === 0) return `${counts} (--verbose lists each one)`;
  return [renderFleet(attention).split("\n").slice(0, -1).join("\n"), counts].join("\n");
}
