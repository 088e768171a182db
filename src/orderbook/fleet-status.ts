// orderbook:rewire's (and corevault:redeploy --rewire's) result per OrderBook: what happened to it, from the plan's
// steps for it and the receipts, and the table printed from it.
import type { NetworkConnection } from "hardhat/types/network";
import { predictDiamondCutEvent, receiptHasDiamondCut, type FacetCut } from "../diamond/cut.js";
import { Addresses, type ApplyReport } from "../engine/apply.js";
import type { ContractCatalog } from "../engine/contracts.js";
import type { CallStep, Plan, Value } from "../engine/types.js";
import { renderTable } from "../report/table.js";
import type { OrderBookState } from "./rewire.js";

export interface OrderBookStatus {
  symbol: string;
  orderBook: string;
  owner: string;
  status: "already done" | "rewired" | "redeployed" | "failed" | "blocked" | "awaiting";
  /** The new OrderBook that replaces this one (strategy redeploy). */
  replacedBy?: string;
  txHash?: string;
  gasUsed?: string;
  reason?: string;
}

/**
 * One row per OrderBook, from the plan's steps for it (`rewire:<address>`, or `redeploy:`/`register:<address>`). For
 * every cut this invocation sent, the receipt must hold exactly the DiamondCut event predicted from the plan; a cut
 * without it is reported failed.
 */
export async function fleetStatus(
  conn: NetworkConnection,
  catalog: ContractCatalog,
  plan: Plan,
  report: ApplyReport,
  fleet: OrderBookState[],
): Promise<OrderBookStatus[]> {
  const results = new Map(report.results.map((r) => [r.id, r]));
  const addresses = new Addresses(report.deployed, catalog);
  const rows: OrderBookStatus[] = [];
  for (const book of fleet) {
    const key = `:${book.address.toLowerCase()}`;
    const steps = plan.steps.filter((s) => s.id.endsWith(key));
    const base: OrderBookStatus = {
      symbol: book.symbol,
      orderBook: book.address,
      owner: book.owner,
      status: "already done",
    };
    const redeployed = steps.find((s) => s.kind === "deploy");
    if (redeployed?.kind === "deploy") base.replacedBy = report.deployed[redeployed.record];
    const stepResults = steps.map((s) => results.get(s.id)!).filter(Boolean);
    const unfinished = stepResults.find((r) => r.status === "failed" || r.status === "blocked");
    if (unfinished) {
      rows.push({ ...base, status: unfinished.status === "blocked" ? "blocked" : "failed", reason: unfinished.reason });
      continue;
    }
    const awaiting = stepResults.find((r) => r.status === "awaiting");
    if (awaiting) {
      rows.push({ ...base, status: "awaiting", reason: awaiting.reason });
      continue;
    }
    const sent = stepResults.filter((r) => r.sentNow);
    if (sent.length === 0) {
      rows.push(base);
      continue;
    }
    const last = sent.at(-1)!;
    const cut = steps.find((s): s is CallStep => s.kind === "call" && s.actions[0].call.fn === "diamondCut");
    const cutResult = cut && results.get(cut.id);
    if (cut && cutResult?.sentNow && cutResult.txHash) {
      if (!(await cutConfirmed(conn, addresses, cut, cutResult.txHash, book.address))) {
        const reason = "the receipt lacks the predicted DiamondCut event";
        rows.push({ ...base, status: "failed", txHash: cutResult.txHash, reason });
        continue;
      }
    }
    rows.push({ ...base, status: redeployed ? "redeployed" : "rewired", txHash: last.txHash, gasUsed: last.gasUsed });
  }
  return rows;
}

/** Whether the receipt of a cut sent now holds exactly the DiamondCut event predicted from the plan's call. */
async function cutConfirmed(
  conn: NetworkConnection,
  addresses: Addresses,
  cut: CallStep,
  txHash: string,
  diamond: string,
): Promise<boolean> {
  const call = cut.actions[0].call;
  await addresses.prepare(call.args);
  const [facetCuts, init, calldata] = call.args.map((a: Value) => addresses.resolve(a)) as [FacetCut[], string, string];
  const receipt = await conn.ethers.provider.getTransactionReceipt(txHash);
  return !!receipt && receiptHasDiamondCut(receipt.logs, diamond, predictDiamondCutEvent(facetCuts, init, calldata));
}

export function renderFleet(rows: OrderBookStatus[]): string {
  const count = (status: string) => rows.filter((r) => r.status === status).length;
  const replaced = rows.some((r) => r.replacedBy);
  return [
    renderTable(
      ["market", "orderBook", ...(replaced ? ["replaced by"] : []), "owner", "status", "tx", "reason"],
      rows.map((r) => [
        r.symbol,
        r.orderBook,
        ...(replaced ? [r.replacedBy ?? ""] : []),
        r.owner,
        r.status,
        r.txHash ?? "",
        r.reason ?? "",
      ]),
    ),
    `${rows.length} OrderBooks: ${count("rewired") + count("redeployed")} ${replaced ? "redeployed" : "rewired"}, ${count("already done")} already done, ${count("failed")} failed, ${count("blocked")} blocked${count("awaiting") > 0 ? `, ${count("awaiting")} awaiting their owner` : ""}`,
  ].join("\n");
}
