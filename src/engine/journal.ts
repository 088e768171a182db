import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import path from "node:path";
import type { ProposedEntry } from "./proposal.js";
import type { Plan } from "./types.js";
import { toJson } from "../util/json.js";

/** The transaction exactly as sent (hex quantities), so the same signed transaction can be broadcast again. */
export interface TxFields {
  from: string;
  to?: string;
  data: string;
  value: string;
  nonce: string;
  gas: string;
  maxFeePerGas: string;
  maxPriorityFeePerGas: string;
  chainId: string;
  type: "0x2";
}

export type JournalEntry =
  | { type: "plan"; planId: string; at: string }
  | { type: "send"; stepId: string; tx: TxFields; at: string }
  | { type: "sent"; stepId: string; nonce: string; hash: string }
  | { type: "receipt"; stepId: string; hash: string; status: number; blockNumber: number; contractAddress: string | null; gasUsed: string }
  | { type: "failed"; stepId: string; reason: string }
  | ProposedEntry
  | { type: "complete"; planId: string; at: string };

/**
 * Append-only JSONL write-ahead log of one run. Each entry is flushed to disk (fsync) before `append` returns, so an
 * entry written before a send survives a crash right after it.
 */
export class Journal {
  constructor(readonly file: string) {}

  entries(): JournalEntry[] {
    if (!existsSync(this.file)) return [];
    const lines = readFileSync(this.file, "utf8").split("\n").filter((line) => line.trim() !== "");
    const entries: JournalEntry[] = [];
    for (const [index, line] of lines.entries()) {
      try {
        entries.push(JSON.parse(line) as JournalEntry);
      } catch {
        // Only the last line can be torn (a crash mid-append); anything else is corruption worth stopping for.
        if (index !== lines.length - 1) throw new Error(`Journal ${this.file} line ${index + 1} is not valid JSON`);
      }
    }
    return entries;
  }

  append(entry: JournalEntry): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const fd = openSync(this.file, "a");
    try {
      writeSync(fd, JSON.stringify(entry) + "\n");
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

/** One run's folder: deployments/<network>/.cutover/<runKey>/ with plan.json and journal.jsonl. */
export class RunStore {
  readonly dir: string;
  readonly journal: Journal;

  constructor(root: string, network: string, readonly runKey: string) {
    this.dir = path.join(root, "deployments", network, ".cutover", runKey);
    this.journal = new Journal(path.join(this.dir, "journal.jsonl"));
  }

  get planFile(): string {
    return path.join(this.dir, "plan.json");
  }

  loadPlan(): Plan | undefined {
    return existsSync(this.planFile) ? (JSON.parse(readFileSync(this.planFile, "utf8")) as Plan) : undefined;
  }

  savePlan(plan: Plan): void {
    mkdirSync(this.dir, { recursive: true });
    const temporary = `${this.planFile}.tmp`;
    const fd = openSync(temporary, "w");
    try {
      writeSync(fd, toJson(plan));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.planFile);
    this.journal.append({ type: "plan", planId: plan.id, at: new Date().toISOString() });
  }

  /** Successful receipts by step id. */
  confirmedReceipts(): Map<string, Extract<JournalEntry, { type: "receipt" }>> {
    return new Map(this.journal.entries().flatMap((e) => (e.type === "receipt" && e.status === 1 ? [[e.stepId, e] as const] : [])));
  }

  isComplete(planId: string): boolean {
    return this.journal.entries().some((e) => e.type === "complete" && e.planId === planId);
  }
}
