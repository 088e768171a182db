import type { ApplyReport, StepResult } from "../engine/apply.js";
import { alikeLabels, runLabel, runNumber, runsOf } from "./plan-summary.js";
import { renderTable, terminalWidth } from "./table.js";

/** Statuses a run of alike steps may share on one line; any other (failed, blocked) is always its own line. */
const SUMMABLE = new Set(["done", "already done", "not needed", "awaiting"]);

/** The results table; by default runs of alike finished steps on one line (`verbose`: every step, nothing cut). */
export function renderResults(report: ApplyReport, verbose = true): string {
  const header = ["#", "step", "status", "tx", "block", "note"];
  if (verbose) {
    const rows = report.results.map((r, i) => [
      String(i + 1),
      r.label,
      r.status,
      r.txHash ?? "",
      block(r),
      r.reason ?? "",
    ]);
    return renderTable(header, rows);
  }
  const runs = runsOf(
    report.results,
    (a, b) =>
      a.status === b.status && SUMMABLE.has(a.status) && alikeLabels(a.label, b.label) && !a.reason && !b.reason,
  );
  const rows = runs.map((run) => {
    const results = report.results.slice(run[0], run[1] + 1);
    if (results.length === 1) {
      const [r] = results;
      return [runNumber(run), r.label, r.status, shortHash(r.txHash), block(r), r.reason ?? ""];
    }
    const blocks = results.flatMap((r) => (r.block === undefined ? [] : [r.block]));
    const sent = results.filter((r) => r.txHash).length;
    return [
      runNumber(run),
      runLabel(results.map((r) => r.label)),
      results[0].status,
      sent > 0 ? `${sent} transactions` : "",
      blocks.length > 0 ? `${Math.min(...blocks)}-${Math.max(...blocks)}` : "",
      "",
    ];
  });
  return renderTable(header, rows, { width: terminalWidth(), shrink: [1, 5] });
}

/** A transaction hash cut in the middle to fit a summary (--verbose and --json keep it whole). */
function shortHash(hash: string | undefined): string {
  return hash ? `${hash.slice(0, 10)}…${hash.slice(-6)}` : "";
}

function block(r: StepResult): string {
  return r.block !== undefined ? String(r.block) : "";
}

/** Transactions this invocation sent, and the distinct blocks they landed in. */
export function sendSummary(report: ApplyReport, seconds: number): string {
  const blocks = new Set(report.results.filter((r) => r.sentNow && r.block !== undefined).map((r) => r.block));
  return `${report.complete ? "complete" : report.awaiting ? "AWAITING" : "INCOMPLETE"}: sent ${report.transactionsSent} transaction(s) in ${blocks.size} block(s), ${seconds.toFixed(1)} s`;
}
