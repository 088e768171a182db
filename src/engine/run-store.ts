// The run store: every run of a network lives in deployments/<network>/.cutover/<runKey>/ as its plan.json and its
// write-ahead journal.jsonl. This is the one place that finds runs and reads them (plan, journal entries, receipts,
// deployed addresses); the Journal (journal.ts) is the append + fsync writer.
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import { Journal, type JournalEntry, type ReceiptEntry, type TxFields } from "./journal.js";
import { TamperedRunError } from "../errors.js";
import { planId } from "./plan.js";
import type { Proposal } from "./proposal.js";
import type { Plan } from "./types.js";
import { planJsonChunks } from "./plan-file.js";

/** What the journal says about each step: its last send, the hash of that send, and its receipt (any status). */
export interface StepJournal {
  lastSend: Map<string, TxFields>;
  hashes: Map<string, string>;
  receipts: Map<string, ReceiptEntry>;
  /** Each step's last proposal to a Safe or a timelock. */
  proposals?: Map<string, Proposal>;
}

/** One run's folder: deployments/<network>/.cutover/<runKey>/ with plan.json and journal.jsonl. */
export class RunStore {
  readonly dir: string;
  readonly journal: Journal;

  constructor(
    root: string,
    network: string,
    readonly runKey: string,
  ) {
    this.dir = path.join(RunStore.runsDir(root, network), runKey);
    this.journal = new Journal(path.join(this.dir, "journal.jsonl"));
  }

  /**
   * A rehearsal's files, apart from the real network's: deployments/<network>/.rehearsal/, laid out as a project root
   * (its records, runs and app config).
   */
  static rehearsalRoot(root: string, network: string): string {
    return path.join(root, "deployments", network, ".rehearsal");
  }

  /** A rehearsal's run folder: deployments/<network>/.rehearsal/deployments/<network>/.cutover/<runKey>/. */
  static forRehearsal(root: string, network: string, runKey: string): RunStore {
    return new RunStore(RunStore.rehearsalRoot(root, network), network, runKey);
  }

  /** deployments/<network>/.cutover/ */
  static runsDir(root: string, network: string): string {
    return path.join(root, "deployments", network, ".cutover");
  }

  /** Every run folder of the network, by run key (whether or not it holds a plan yet). */
  static list(root: string, network: string): RunStore[] {
    const dir = RunStore.runsDir(root, network);
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort()
      .map((runKey) => new RunStore(root, network, runKey));
  }

  get planFile(): string {
    return path.join(this.dir, "plan.json");
  }

  /**
   * The run's plan; undefined before one was saved. Refused when plan.json does not parse, or when its content no
   * longer hashes to its id (edited by hand or corrupted): a stored plan is trusted only as it was computed.
   */
  loadPlan(): Plan | undefined {
    if (!existsSync(this.planFile)) return undefined;
    const plan = JSON.parse(readFileSync(this.planFile, "utf8")) as Plan;
    const { id, ...content } = plan;
    const actual = planId(content);
    if (actual !== id)
      throw new TamperedRunError(this.planFile, `its content hashes to ${actual}, not to its id ${id}`);
    return plan;
  }

  /** Writes plan.json atomically (a step at a time, fsynced, then renamed) and journals that the run now has this plan. */
  savePlan(plan: Plan): void {
    mkdirSync(this.dir, { recursive: true });
    const temporary = `${this.planFile}.tmp`;
    const fd = openSync(temporary, "w");
    try {
      for (const chunk of planJsonChunks(plan)) writeSync(fd, chunk);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.planFile);
    this.journal.append({ type: "plan", planId: plan.id, at: new Date().toISOString() });
  }

  /** Every journal entry, in the order written. */
  entries(): JournalEntry[] {
    return this.journal.entries();
  }

  /** When the run's first plan was saved (ISO time); "" when the journal has no plan entry. */
  startedAt(): string {
    const started = this.entries().find((e) => e.type === "plan");
    return started && "at" in started ? started.at : "";
  }

  /** Each step's last send, its hash and its receipt: a new send of a step forgets the hash and receipt of the one before. */
  stepJournal(): StepJournal {
    const lastSend = new Map<string, TxFields>();
    const hashes = new Map<string, string>();
    const receipts = new Map<string, ReceiptEntry>();
    const proposals = new Map<string, Proposal>();
    for (const entry of this.entries()) {
      if (entry.type === "send") {
        lastSend.set(entry.stepId, entry.tx);
        hashes.delete(entry.stepId);
        receipts.delete(entry.stepId);
      } else if (entry.type === "sent") hashes.set(entry.stepId, entry.hash);
      else if (entry.type === "receipt") receipts.set(entry.stepId, entry);
      else if (entry.type === "proposed") for (const stepId of entry.stepIds) proposals.set(stepId, entry);
    }
    return { lastSend, hashes, receipts, proposals };
  }

  /** Successful receipts by step id. */
  confirmedReceipts(): Map<string, ReceiptEntry> {
    return new Map(
      this.entries().flatMap((e) => (e.type === "receipt" && e.status === 1 ? [[e.stepId, e] as const] : [])),
    );
  }

  /** What the plan's deploy steps deployed, from confirmed receipts only: record name -> address (as the receipt has it). */
  deployedAddresses(plan: Pick<Plan, "steps">): Record<string, string> {
    const records = new Map(plan.steps.flatMap((s) => (s.kind === "deploy" ? [[s.id, s.record] as const] : [])));
    const deployed: Record<string, string> = {};
    for (const [stepId, receipt] of this.confirmedReceipts()) {
      if (receipt.contractAddress && records.has(stepId)) deployed[records.get(stepId)!] = receipt.contractAddress;
    }
    return deployed;
  }

  /** The last block a receipt of this run was mined in (0 when none). */
  lastReceiptBlock(): number {
    return Math.max(0, ...this.entries().flatMap((e) => (e.type === "receipt" ? [e.blockNumber] : [])));
  }

  isComplete(planId: string): boolean {
    return this.entries().some((e) => e.type === "complete" && e.planId === planId);
  }

  /** Whether the completed run's records were written (a run killed between `complete` and this writes them again). */
  isRecorded(planId: string): boolean {
    return this.entries().some((e) => e.type === "recorded" && e.planId === planId);
  }

  markRecorded(planId: string): void {
    if (!this.isRecorded(planId)) this.journal.append({ type: "recorded", planId, at: new Date().toISOString() });
  }
}
