import { AbiCoder, getAddress, toQuantity, type FunctionFragment, type Interface } from "ethers";
import { RpcUnavailableError } from "../errors.js";
import { decodeAggregate3, decodeFacets, decodeWord, encodeAggregate3, FACETS_OUTPUT } from "./aggregate3.js";
import { contractLabel, type ContractCatalog } from "./contracts.js";
import type { ChainProvider } from "./executor-eoa.js";

export interface ReadCall {
  to: string;
  contract: string;
  fn: string;
  args: unknown[];
  /** Gas the call is expected to take (batches are sized by it); default 12 000. */
  gas?: number;
}

/** Where Multicall3 lives on nearly every chain (and where the plugin installs its own on local chains). */
export const MULTICALL3_ADDRESS = "0xcA11bde05977b3631167028862bE2a173976CA11";

export interface ReaderOptions {
  /** Batch concurrent reads through Multicall3 where it has code at the pinned block (default true). */
  batch?: boolean;
  /** Most calls in one aggregate3 request (default 2 500). */
  maxCallsPerRequest?: number;
  /** Most calldata bytes in one aggregate3 request (default 600 000, about 1.2 MB of JSON). */
  maxCalldataBytes?: number;
  /**
   * Most gas (the sum of the calls' `gas` hints) in one aggregate3 request (default 14 000 000: under the 2^24 gas cap
   * EIP-7825 puts on a call, with headroom for Multicall3's own work). A batch that still runs out is split in two.
   */
  maxGasPerRequest?: number;
  /** Ask each distinct read once (default true): at a pinned block the answer cannot change. */
  dedupe?: boolean;
}

/** Gas assumed for a read without a hint: a cold storage read or two behind a cold account. */
const DEFAULT_CALL_GAS = 12_000;
/** A sender for batched eth_calls, so the node (or Hardhat) does not look one up with eth_accounts. */
const READ_SENDER = "0x0000000000000000000000000000000000000000";

/** Plain eth_calls in flight at once where there is no Multicall3. */
const CONCURRENCY = 16;

type Outcome = { ok: true; value: unknown } | { ok: false; error: Error };

interface Pending {
  read: ReadCall;
  settle: (outcome: Outcome) => void;
}

interface Encoded {
  pending: Pending;
  iface: Interface;
  fragment: FunctionFragment;
  data: string;
}

/** What one entry of an aggregate3 batch costs in calldata: offset, target, flag, bytes offset, length, padded data. */
const callBytes = (data: string) => 5 * 32 + Math.ceil((data.length - 2) / 2 / 32) * 32;

/**
 * Chain reads at one pinned block. All observation and verification goes through here.
 *
 * Reads issued together (in the same turn of the event loop: `callMany`, or `call`s started side by side) are sent as
 * Multicall3 `aggregate3` batches with `allowFailure` per call, chunked by calls and calldata size; a lone read is a
 * plain eth_call. Where Multicall3 has no code at the pinned block, every read is a plain eth_call. A read that
 * reverts (or returns nothing decodable, e.g. no code there) makes `call` throw and `tryCall` return undefined,
 * batched or not.
 */
export class Reader {
  readonly #options: Required<ReaderOptions>;
  #queue: Pending[] = [];
  #scheduled = false;
  /** Unknown until the first batch: whether Multicall3 answers at the pinned block. */
  #multicall: boolean | undefined;
  #requests = 0;
  readonly #answers = new Map<string, Promise<Outcome>>();

  constructor(
    readonly provider: ChainProvider,
    readonly catalog: ContractCatalog,
    readonly block: number,
    options: ReaderOptions = {},
  ) {
    this.#options = {
      batch: options.batch ?? true,
      maxCallsPerRequest: options.maxCallsPerRequest ?? 2_500,
      maxCalldataBytes: options.maxCalldataBytes ?? 600_000,
      maxGasPerRequest: options.maxGasPerRequest ?? 14_000_000,
      dedupe: options.dedupe ?? true,
    };
    if (!this.#options.batch) this.#multicall = false;
  }

  /** JSON-RPC requests this reader has sent for calls and code (not counting what callers send via `provider`). */
  get requests(): number {
    return this.#requests;
  }

  /** Whether reads are batched through Multicall3 (undefined until the first batch found out). */
  get batching(): boolean | undefined {
    return this.#multicall;
  }

  /** Decoded result of a view call; a single return value is unwrapped. Throws on revert. */
  async call(read: ReadCall): Promise<unknown> {
    const outcome = await this.#enqueue(read);
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  /** Like `call`, but a revert (or no code) gives `undefined`. A read the RPC could not answer still throws. */
  async tryCall(read: ReadCall): Promise<unknown> {
    const outcome = await this.#enqueue(read);
    if (!outcome.ok && outcome.error instanceof RpcUnavailableError) throw outcome.error;
    return outcome.ok ? outcome.value : undefined;
  }

  /** Every read's decoded result, in order; throws if any reverts. Sent as few aggregate3 requests as the bounds allow. */
  async callMany(reads: ReadCall[]): Promise<unknown[]> {
    const outcomes = await Promise.all(reads.map((read) => this.#enqueue(read)));
    const failed = outcomes.find((o): o is Extract<Outcome, { ok: false }> => !o.ok);
    if (failed) throw failed.error;
    return outcomes.map((o) => (o as Extract<Outcome, { ok: true }>).value);
  }

  /** Like `callMany`, but each read that reverts gives `undefined` in its place (an unanswered read throws). */
  async tryCallMany(reads: ReadCall[]): Promise<unknown[]> {
    const outcomes = await Promise.all(reads.map((read) => this.#enqueue(read)));
    const unanswered = outcomes.find((o) => !o.ok && o.error instanceof RpcUnavailableError);
    if (unanswered && !unanswered.ok) throw unanswered.error;
    return outcomes.map((o) => (o.ok ? o.value : undefined));
  }

  async code(address: string): Promise<string> {
    this.#requests++;
    return this.provider.getCode(address, this.block);
  }

  async hasCode(address: string): Promise<boolean> {
    return (await this.code(address)) !== "0x";
  }

  /**
   * Runtime code of many addresses in one request: the CodeReader's creation code run by an eth_call without a `to`
   * (nothing is deployed). One eth_getCode each when batching is off, or where the node refuses that.
   */
  async codes(addresses: string[]): Promise<Record<string, string>> {
    const unique = [...new Set(addresses.map((a) => getAddress(a)))];
    if (unique.length === 0) return {};
    if (unique.length > 1 && this.#options.batch) {
      try {
        const artifact = await this.catalog.artifact("CodeReader");
        const data = artifact.bytecode + AbiCoder.defaultAbiCoder().encode(["address[]"], [unique]).slice(2);
        this.#requests++;
        const raw = await this.provider.call({ from: READ_SENDER, data, blockTag: this.block });
        const [codes] = AbiCoder.defaultAbiCoder().decode(["bytes[]"], raw);
        return Object.fromEntries(unique.map((a, i) => [a, (codes as string[])[i]]));
      } catch (error) {
        if (error instanceof RpcUnavailableError) throw error;
        // a node that does not run creation code in eth_call: read them one by one
      }
    }
    const codes = await Promise.all(unique.map((a) => this.code(a)));
    return Object.fromEntries(unique.map((a, i) => [a, codes[i]]));
  }

  /**
   * Reads at the pinned block always answer the same: each distinct read is asked once (the engine checks a plan's
   * steps more than once per run). An unanswered read is not kept, so asking again asks the RPC again.
   */
  #enqueue(read: ReadCall): Promise<Outcome> {
    if (!this.#options.dedupe) return this.#enqueueNew(read);
    const key = readKey(read);
    const cached = this.#answers.get(key);
    if (cached) return cached;
    const outcome = this.#enqueueNew(read);
    this.#answers.set(key, outcome);
    void outcome.then((o) => {
      if (!o.ok && o.error instanceof RpcUnavailableError) this.#answers.delete(key);
    });
    return outcome;
  }

  #enqueueNew(read: ReadCall): Promise<Outcome> {
    return new Promise((settle) => {
      this.#queue.push({ read, settle });
      if (this.#scheduled) return;
      this.#scheduled = true;
      // A macrotask later, so reads started by the continuations of other reads (await chains) join the same batch.
      setImmediate(() => {
        this.#scheduled = false;
        const batch = this.#queue;
        this.#queue = [];
        void this.#run(batch);
      });
    });
  }

  async #run(batch: Pending[]): Promise<void> {
    const encoded: Encoded[] = [];
    for (const pending of batch) {
      try {
        const iface = await this.catalog.iface(pending.read.contract);
        const fragment = iface.getFunction(pending.read.fn);
        if (!fragment) throw new Error(`${contractLabel(pending.read.contract)} has no function ${pending.read.fn}`);
        encoded.push({ pending, iface, fragment, data: iface.encodeFunctionData(fragment, pending.read.args) });
      } catch (error) {
        pending.settle({ ok: false, error: error as Error });
      }
    }
    try {
      if (encoded.length === 1 || this.#multicall === false) await this.#plain(encoded);
      else await Promise.all(this.#chunks(encoded).map((chunk) => this.#aggregate(chunk)));
    } catch (error) {
      for (const item of encoded) item.pending.settle({ ok: false, error: error as Error });
    }
  }

  #chunks(items: Encoded[]): Encoded[][] {
    const chunks: Encoded[][] = [];
    let current: Encoded[] = [];
    let bytes = 0;
    let gas = 0;
    for (const item of items) {
      const size = callBytes(item.data);
      const cost = item.pending.read.gas ?? DEFAULT_CALL_GAS;
      const full =
        current.length >= this.#options.maxCallsPerRequest ||
        bytes + size > this.#options.maxCalldataBytes ||
        gas + cost > this.#options.maxGasPerRequest;
      if (current.length > 0 && full) {
        chunks.push(current);
        current = [];
        bytes = 0;
        gas = 0;
      }
      current.push(item);
      bytes += size;
      gas += cost;
    }
    if (current.length > 0) chunks.push(current);
    return chunks;
  }

  async #plain(items: Encoded[]): Promise<void> {
    for (let start = 0; start < items.length; start += CONCURRENCY) {
      await Promise.all(
        items.slice(start, start + CONCURRENCY).map(async (item) => {
          try {
            this.#requests++;
            const raw = await this.provider.call({ to: item.pending.read.to, data: item.data, blockTag: this.block });
            item.pending.settle({ ok: true, value: decode(item, raw) });
          } catch (error) {
            item.pending.settle({ ok: false, error: named(item, error as Error) });
          }
        }),
      );
    }
  }

  /**
   * One aggregate3 request for `items`. A failure without revert data may be a call starved of gas by the ones before
   * it (the 63/64 rule), not a real revert: those are asked again in a batch of their own, until a round in which none
   * of them succeeds (then they are real). A batch the node refuses outright (too big, out of gas) is split in two.
   */
  async #aggregate(items: Encoded[], confirming = false): Promise<void> {
    const data = encodeAggregate3(items.map((item) => ({ target: item.pending.read.to, callData: item.data })));
    let raw: string;
    try {
      this.#requests++;
      // Raw eth_call: ethers' call() copies the batch's calldata to bytes and back to hex.
      raw = await this.provider.send("eth_call", [
        { from: READ_SENDER, to: MULTICALL3_ADDRESS, data },
        toQuantity(this.block),
      ]);
    } catch (error) {
      if (error instanceof RpcUnavailableError) {
        for (const item of items) item.pending.settle({ ok: false, error: named(item, error) });
        return;
      }
      if (items.length === 1) return this.#plain(items);
      const half = Math.ceil(items.length / 2);
      await Promise.all([
        this.#aggregate(items.slice(0, half), confirming),
        this.#aggregate(items.slice(half), confirming),
      ]);
      return;
    }
    if (raw === "0x") {
      // no Multicall3 at the pinned block: plain calls from now on
      this.#multicall = false;
      return this.#plain(items);
    }
    this.#multicall = true;
    const results = decodeAggregate3(raw);
    const unclear: { item: Encoded; data: string }[] = [];
    results.forEach(([success, returnData], i) => {
      const item = items[i];
      if (!success) {
        if (returnData === "0x") unclear.push({ item, data: returnData });
        else item.pending.settle({ ok: false, error: revertError(item, returnData) });
        return;
      }
      try {
        item.pending.settle({ ok: true, value: decode(item, returnData) });
      } catch (error) {
        item.pending.settle({ ok: false, error: error as Error });
      }
    });
    if (unclear.length === 0) return;
    const noneSucceeded = unclear.length === items.length;
    if (confirming && noneSucceeded) {
      for (const { item, data } of unclear) item.pending.settle({ ok: false, error: revertError(item, data) });
      return;
    }
    await this.#aggregate(
      unclear.map((u) => u.item),
      true,
    );
  }
}

/** A read's identity: target, ABI, function and arguments (bigints as decimal). */
function readKey(read: ReadCall): string {
  const args = JSON.stringify(read.args, (_, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
  return `${read.to.toLowerCase()}|${read.contract}|${read.fn}|${args}`;
}

/** An unanswered read, named by what it reads (the contract, function and address), for the operator. */
function named(item: Encoded, error: Error): Error {
  if (!(error instanceof RpcUnavailableError)) return error;
  const { read } = item.pending;
  return new RpcUnavailableError(`${read.contract}.${read.fn} at ${read.to}`, error.rpc, error.attempts, error.reason);
}

function decode(item: Encoded, raw: string): unknown {
  // The loupe's facets() of every diamond of a fleet: the ABI coder took most of a 1 000-market plan's CPU on it.
  if (item.fragment.outputs.length === 1 && item.fragment.outputs[0].format() === FACETS_OUTPUT)
    return decodeFacets(raw);
  // Thousands of lone addresses, flags and numbers in a fleet's reads: one word each, no Result built.
  if (item.fragment.outputs.length === 1) {
    const value = decodeWord(item.fragment.outputs[0].type, raw);
    if (value !== undefined) return value;
  }
  const decoded = item.iface.decodeFunctionResult(item.fragment, raw);
  return decoded.length === 1 ? decoded[0] : decoded.toArray(true);
}

/** A revert as the caller would see it from a plain eth_call: the contract's error decoded where the ABI knows it. */
function revertError(item: Encoded, data: string): Error {
  const { read } = item.pending;
  let reason = data === "0x" ? "reverted without a reason" : `reverted with data ${data}`;
  try {
    const parsed = item.iface.parseError(data);
    if (parsed) reason = `reverted with custom error '${parsed.name}(${parsed.args.map(String).join(", ")})'`;
  } catch {
    // not an error of this ABI
  }
  if (data.startsWith("0x08c379a0")) {
    try {
      reason = `reverted with reason string '${AbiCoder.defaultAbiCoder().decode(["string"], `0x${data.slice(10)}`)[0]}'`;
    } catch {
      // malformed Error(string)
    }
  }
  return Object.assign(new Error(`${contractLabel(read.contract)}.${read.fn} at ${read.to} ${reason}`), {
    data,
    reason,
  });
}

/** A value in the form facts and checks compare: bigints and numbers as decimal strings, hex lowercased. */
export function normalize(value: unknown): unknown {
  if (typeof value === "bigint" || typeof value === "number") return value.toString();
  if (typeof value === "string") return /^0x[0-9a-fA-F]*$/.test(value) ? value.toLowerCase() : value;
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}
