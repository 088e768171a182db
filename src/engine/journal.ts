import {
  appendFileSync,
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import type { ProposedEntry } from "./proposal.js";

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

export type ReceiptEntry = {
  type: "receipt";
  stepId: string;
  hash: string;
  status: number;
  blockNumber: number;
  contractAddress: string | null;
  gasUsed: string;
};

export type JournalEntry =
  | { type: "plan"; planId: string; at: string }
  | { type: "send"; stepId: string; tx: TxFields; at: string }
  | { type: "sent"; stepId: string; nonce: string; hash: string }
  | ReceiptEntry
  | { type: "failed"; stepId: string; reason: string }
  | ProposedEntry
  | { type: "complete"; planId: string; at: string }
  /** The completed run's records and app config are written. */
  | { type: "recorded"; planId: string; at: string };

/**
 * Append-only JSONL write-ahead log of one run. Each entry is flushed to disk (fsync) before `append` returns, so an
 * entry written before a send survives a crash right after it.
 */
export class Journal {
  #repaired = false;

  constructor(readonly file: string) {}

  entries(): JournalEntry[] {
    if (!existsSync(this.file)) return [];
    const lines = readFileSync(this.file, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "");
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
    this.appendMany([entry]);
  }

  /**
   * Several entries in one write and (with `sync`) one fsync: a wave's transactions journaled together before any of
   * them is broadcast. `sync: false` for entries a rerun can rebuild from the chain (a hash, a receipt).
   */
  appendMany(entries: JournalEntry[], sync = true): void {
    if (entries.length === 0) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    if (!this.#repaired) this.repairTornTail();
    const fd = openSync(this.file, "a");
    try {
      writeSync(fd, entries.map((entry) => JSON.stringify(entry) + "\n").join(""));
      if (sync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * A crash mid-append leaves a last line without its newline. It was never complete, so nothing acted on it (a send
   * is journaled before its broadcast): cut it off, keeping its text in `<journal>.torn`, so later appends start on a
   * line of their own. Returns the text removed ("" when the journal ends cleanly).
   */
  repairTornTail(): string {
    this.#repaired = true;
    if (!existsSync(this.file)) return "";
    const text = readFileSync(this.file, "utf8");
    if (text === "" || text.endsWith("\n")) return "";
    const keep = text.lastIndexOf("\n") + 1;
    const torn = text.slice(keep);
    appendFileSync(`${this.file}.torn`, torn + "\n");
    const fd = openSync(this.file, "r+");
    try {
      ftruncateSync(fd, Buffer.byteLength(text.slice(0, keep)));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return torn;
  }
}
