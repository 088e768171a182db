// The fork's reads of the target's state at its pinned block, answered once each. State at a fixed block number does
// not change, so a repeated read (the fork asks for some accounts hundreds of times) is answered from memory. An
// account's balance, nonce and code come in one JSON-RPC batch; and when an account's code was seen before, the
// storage slots read from the earlier accounts with that code are fetched in one batch too (a fleet of identical
// OrderBooks is read slot for slot alike), before the fork asks for them one by one.
import { createHash } from "node:crypto";

export interface JsonRpcCall {
  jsonrpc?: string;
  id?: unknown;
  method: string;
  params?: unknown[];
}

/** One call's answer from the node: its result, or its JSON-RPC error. */
export type Answer = { result: unknown } | { error: unknown };

/** Sends calls upstream as one batch (with retries on transport failures); one answer per call, in order. */
export type FetchBatch = (calls: JsonRpcCall[]) => Promise<Answer[]>;

const ACCOUNT = ["eth_getBalance", "eth_getTransactionCount", "eth_getCode"];
/** Slots learned per code, at most (a contract whose reads are keyed by something else is not worth predicting). */
const MAX_LEARNED_SLOTS = 256;

const isBlockNumber = (v: unknown): v is string => typeof v === "string" && /^0x[0-9a-f]+$/i.test(v);
const quantity = (v: string) => `0x${BigInt(v).toString(16)}`;

interface Pinned {
  key: string;
  account: string;
  block: string;
  slot?: string;
}

/** What a call reads, when it reads an account or a slot at a block number (its answer can never change). */
function pinned(call: JsonRpcCall): Pinned | undefined {
  const p = call.params ?? [];
  if (typeof p[0] !== "string") return undefined;
  const account = p[0].toLowerCase();
  if (ACCOUNT.includes(call.method) && p.length === 2 && isBlockNumber(p[1]))
    return { key: `${call.method} ${account} ${quantity(p[1])}`, account, block: quantity(p[1]) };
  if (call.method === "eth_getStorageAt" && p.length === 3 && isBlockNumber(p[1]) && isBlockNumber(p[2])) {
    const slot = quantity(p[1]);
    return { key: `${call.method} ${account} ${slot} ${quantity(p[2])}`, account, block: quantity(p[2]), slot };
  }
  return undefined;
}

/** The node's JSON-RPC error for a call, passed on to the fork as it came (never cached). */
export class NodeAnswerError extends Error {
  constructor(readonly error: unknown) {
    super(JSON.stringify(error));
  }
}

export class PinnedReads {
  private readonly answers = new Map<string, Promise<unknown>>();
  /** `account block` → a digest of its code, for accounts whose code was read. */
  private readonly codeOf = new Map<string, string>();
  /** code digest → slots read from accounts with that code. */
  private readonly slotsOf = new Map<string, Set<string>>();

  constructor(private readonly fetchBatch: FetchBatch) {}

  /** The call's result, or undefined when the call is not a read at a block number (forward it as it is). */
  read(call: JsonRpcCall): Promise<unknown> | undefined {
    const read = pinned(call);
    if (!read) return undefined;
    const known = this.answers.get(read.key);
    if (known) return known;
    if (read.slot) {
      this.learn(read);
      return this.fetch([{ method: call.method, params: [read.account, read.slot, read.block] }])[0];
    }
    const calls = ACCOUNT.map((method) => ({ method, params: [read.account, read.block] }));
    const answers = this.fetch(calls);
    answers[ACCOUNT.indexOf("eth_getCode")].then((code) => this.prefetchLike(read, String(code)), ignore);
    return answers[ACCOUNT.indexOf(call.method)];
  }

  /** Fetches `calls` as one batch; each answer is cached (and forgotten if it failed, so it is asked again). */
  private fetch(calls: JsonRpcCall[]): Promise<unknown>[] {
    const todo = calls.filter((c) => !this.answers.has(pinned(c)!.key));
    const batch = todo.length > 0 ? this.fetchBatch(todo) : Promise.resolve([]);
    todo.forEach((call, i) => {
      const key = pinned(call)!.key;
      const answer = batch.then((all) => {
        const a = all[i];
        if ("error" in a) throw new NodeAnswerError(a.error);
        return a.result;
      });
      answer.catch(() => this.answers.get(key) === answer && this.answers.delete(key));
      this.answers.set(key, answer);
    });
    return calls.map((c) => this.answers.get(pinned(c)!.key)!);
  }

  private learn(read: Pinned): void {
    const code = this.codeOf.get(`${read.account} ${read.block}`);
    if (!code) return;
    const slots = this.slotsOf.get(code) ?? new Set<string>();
    if (slots.size < MAX_LEARNED_SLOTS) slots.add(read.slot!);
    this.slotsOf.set(code, slots);
  }

  /** Records the account's code; prefetches the slots read from earlier accounts with the same code. */
  private prefetchLike(read: Pinned, code: string): void {
    if (code === "0x") return;
    const digest = createHash("sha256").update(code).digest("hex");
    this.codeOf.set(`${read.account} ${read.block}`, digest);
    const slots = [...(this.slotsOf.get(digest) ?? [])];
    if (slots.length === 0) return;
    const calls = slots.map((slot) => ({ method: "eth_getStorageAt", params: [read.account, slot, read.block] }));
    for (const answer of this.fetch(calls)) answer.catch(ignore);
  }
}

function ignore(): void {}
