import type { ApplyReport } from "../engine/apply.js";
import { renderTable } from "./table.js";

export function renderResults(report: ApplyReport): string {
  const rows = report.results.map((r, i) => [
    String(i + 1),
    r.label,
    r.status,
    r.txHash ?? "",
    r.block !== undefined ? String(r.block) : "",
    r.reason ?? "",
  ]);
  return renderTable(["#", "step", "status", "tx", "block", "note"], rows);
}

/** Transactions this invocation sent, and the distinct blocks they landed in. */
export function sendSummary(report: ApplyReport, seconds: number): string {
  const blocks = new Set(report.results.filter((r) => r.sentNow && r.block !== undefined).map((r) => r.block));
  return `${report.complete ? "complete" : report.awaiting ? "AWAITING" : "INCOMPLETE"}: sent ${report.transactionsSent} transaction(s) in ${blocks.size} block(s), ${seconds.toFixed(1)} s`;
}
