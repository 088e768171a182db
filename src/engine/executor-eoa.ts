import { keccak256, toBeHex, toQuantity, type FeeData, type Provider } from "ethers";
import { Broadcaster, MAX_BATCH } from "./broadcaster.js";
import { presignedShortfall } from "./create2.js";
import type { Journal, JournalEntry, TxFields } from "./journal.js";
import { isTransient, sleep } from "./rpc-retry.js";
import { Faults, type FaultInjection } from "./faults.js";
import { SharedReceipts, type MinedReceipt } from "./receipts.js";
import { gasWindows, inWindows } from "./windows.js";
import { senderGroups } from "./waves.js";
import { RpcUnavailableError } from "../errors.js";

/** An ethers provider that also takes raw JSON-RPC requests (hardhat-ethers' provider, or a JsonRpcProvider). */
export type ChainProvider = Provider & { send(method: string, params?: unknown[]): Promise<any> };

/** A transaction the engine wants sent for a step. */
export interface TxRequest {
  stepId: string;
  from: string;
  to?: string;
  data: string;
  value: bigint;
  /**
   * A transaction signed elsewhere (the CREATE2 proxy's deployment), broadcast as is once its one-time signer holds
   * `funding`: this request (to the signer, with `value`) then only tops it up, and only by what it lacks.
   */
  presigned?: { deployer: string; funding: string; rawTransaction: string };
}

export interface TxReceiptSummary {
  hash: string;
  status: number;
  blockNumber: number;
  contractAddress: string | null;
  gasUsed: string;
}

export type TxOutcome = { stepId: string; receipt: TxReceiptSummary } | { stepId: string; error: string };

export interface EoaExecutorOptions {
  /** Blocks a receipt must be buried under before a step counts as done (1 = mined). */
  confirmations: number;
  /** Send independent transactions back-to-back (true) or one at a time, each awaited (false). */
  pipeline: boolean;
  pollIntervalMs: number;
  /** Accounts this network can sign for; a step from any other account fails without being sent. */
  signers: string[];
  /** A crash to inject (crash tests); none when undefined. */
  fault?: FaultInjection;
  /** Local keys and JSON-RPC batches (Broadcaster.forConnection); none when undefined: each sent alone, node-signed. */
  broadcaster?: Broadcaster;
  /** Gas limits known beforehand (the whole-plan simulation's), by step id: such a step's gas is not estimated. */
  gasLimits?: Record<string, bigint>;
}

const GAS_HEADROOM_PERCENT = 120n;
/** Times one transaction is broadcast (the same one) before the wave gives it up for this run. */
const SEND_ATTEMPTS = 10;
/** Receipt polls between two checks of a pending transaction's max fee against the base fee. */
const FEE_CHECK_POLLS = 10;
/** Gas estimates, and broadcasts, in flight at once. */
const SEND_CONCURRENCY = 32;
/** Blocks a transaction may stay unmined before its priority fee is compared with the node's suggestion. */
const STUCK_BLOCKS = 3;
/** Journal step ids of the zero-value transfers that fill a rejected transaction's nonce (EXECUTOR_STEP_PREFIX). */
const FILL_STEP_PREFIX = "executor:fill:";

/**
 * Sends from an account the node (or Hardhat) can sign for. Nonces are explicit, taken from the account's pending
 * count. Every transaction is written to the journal with all its fields before it is broadcast, so after a crash it
 * can be broadcast again as the very same signed transaction (deterministic signatures) instead of a new one.
 */
export class EoaExecutor {
  readonly #faults: Faults;
  readonly #receipts: SharedReceipts;
  readonly #broadcaster: Broadcaster;

  constructor(
    private readonly provider: ChainProvider,
    private readonly journal: Journal,
    private readonly options: EoaExecutorOptions,
  ) {
    this.#faults = new Faults(options.fault);
    this.#receipts = new SharedReceipts(provider, options.pollIntervalMs);
    this.#broadcaster = options.broadcaster ?? Broadcaster.NONE;
  }

  /**
   * Sends independent transactions and waits for all of them. Order of outcomes = order of requests. Several senders'
   * requests go sender by sender (senderGroups, the order the whole-plan simulation ran them in), each group mined
   * before the next is sent: nothing else keeps one account's transaction from being mined before another's.
   */
  async sendWave(requests: TxRequest[], onSent: (stepId: string, hash: string) => void): Promise<TxOutcome[]> {
    const indexed = requests.map((request, index) => ({ request, index, from: request.from }));
    const groups = senderGroups(indexed);
    if (this.options.pipeline && groups.length === 1) return this.#sendAndWait(requests, onSent);
    const outcomes: TxOutcome[] = new Array(requests.length);
    for (const group of this.options.pipeline ? groups : groups.flat().map((item) => [item])) {
      const results = await this.#sendAndWait(
        group.map((item) => item.request),
        onSent,
      );
      group.forEach((item, k) => (outcomes[item.index] = results[k]));
    }
    return outcomes;
  }

  /**
   * Estimates the whole wave side by side and sends the part before the first request that would revert at once. A
   * step may rely on one before it in the same wave (a market assigned after its OrderBook is registered, each call
   * sent alone): from that request on, each is estimated after the ones before it are pending, and sent, in turn.
   */
  async #sendAndWait(requests: TxRequest[], onSent: (stepId: string, hash: string) => void): Promise<TxOutcome[]> {
    const fees = await this.provider.getFeeData();
    const chainId = toBeHex((await this.provider.getNetwork()).chainId);
    if (requests.some((r) => r.presigned)) {
      const outcomes: TxOutcome[] = [];
      for (const request of requests)
        outcomes.push(
          ...(request.presigned
            ? [await this.#presignedStep(request, request.presigned, fees, chainId, onSent)]
            : await this.#sendAndWait([request], onSent)),
        );
      return outcomes;
    }
    const built = await this.#transactions(requests, fees, chainId);
    const split = built.findIndex((b) => "error" in b && b.reverts);
    if (split < 0) return (await this.#sendBuilt(requests, built, onSent)).done;
    const waits = [(await this.#sendBuilt(requests.slice(0, split), built.slice(0, split), onSent)).done];
    for (const request of requests.slice(split)) {
      const alone = await this.#transactions([request], fees, chainId);
      waits.push((await this.#sendBuilt([request], alone, onSent)).done);
    }
    return (await Promise.all(waits)).flat();
  }

  /**
   * A pre-signed transaction's step: its one-time signer topped up by what it lacks (an ordinary journaled send), then
   * the transaction broadcast as is.
   */
  async #presignedStep(
    request: TxRequest,
    presigned: NonNullable<TxRequest["presigned"]>,
    fees: FeeData,
    chainId: string,
    onSent: (stepId: string, hash: string) => void,
  ): Promise<TxOutcome> {
    const shortfall = await presignedShortfall(this.provider, presigned);
    if (shortfall > 0n) {
      const fund = { ...request, presigned: undefined, value: shortfall };
      const [funded] = await (
        await this.#sendBuilt([fund], await this.#transactions([fund], fees, chainId), onSent)
      ).done;
      if ("error" in funded || funded.receipt.status !== 1) return funded;
    }
    return this.#sendPresigned(request.stepId, presigned.rawTransaction, onSent);
  }

  /**
   * Broadcasts a pre-signed transaction and waits for it. Its hash is fixed and its signer's nonce can be used once, so
   * a node that already has it (or mined it) is no error, and sending it again never makes a second transaction.
   */
  async #sendPresigned(
    stepId: string,
    raw: string,
    onSent: (stepId: string, hash: string) => void,
  ): Promise<TxOutcome> {
    const hash = keccak256(raw);
    try {
      await this.provider.send("eth_sendRawTransaction", [raw]);
    } catch (error) {
      if (!(await this.provider.getTransaction(hash)))
        return this.#failed(
          stepId,
          `the node refused the pre-signed transaction ${hash}: ${reason(error)} (it has no chain id: a node must accept such transactions, e.g. geth --rpc.allow-unprotected-txs)`,
        );
    }
    this.journal.append({ type: "sent", stepId, nonce: "0x0", hash });
    onSent(stepId, hash);
    for (;;) {
      const mined = await this.#minedNow(hash);
      if (mined) return this.#confirmed(stepId, mined);
      await sleep(this.options.pollIntervalMs);
    }
  }

  /**
   * Journals built transactions (one fsync) and broadcasts them; returns once they are broadcast, with `done`, their
   * outcomes once mined.
   */
  async #sendBuilt(
    requests: TxRequest[],
    built: (TxFields | { error: string })[],
    onSent: (stepId: string, hash: string) => void,
  ): Promise<{ done: Promise<TxOutcome[]> }> {
    const sinceBlock = await this.provider.getBlockNumber();
    const outcomes: (Promise<TxOutcome> | undefined)[] = built.map((b, i) =>
      "error" in b ? Promise.resolve(this.#failed(requests[i].stepId, b.error)) : undefined,
    );
    const wave: WaveTx[] = built.flatMap((tx, index) =>
      "error" in tx ? [] : [{ index, stepId: requests[index].stepId, tx, signed: this.#signed(tx) }],
    );
    // The whole wave is on disk (one fsync) before the first of it is broadcast; a hash signed here with it.
    const at = new Date().toISOString();
    this.journal.appendMany([
      ...wave.map(({ stepId, tx }): JournalEntry => ({ type: "send", stepId, tx, at })),
      ...wave.flatMap(({ stepId, tx, signed }): JournalEntry[] =>
        signed ? [{ type: "sent", stepId, nonce: tx.nonce, hash: signed.hash }] : [],
      ),
    ]);
    const sent = await this.#broadcastWave(wave, onSent);
    const fillers = await this.#fillGaps(wave, sent, sinceBlock);
    for (const [k, { index, stepId, tx }] of wave.entries()) {
      const result = sent[k];
      outcomes[index] =
        "hash" in result
          ? this.#awaitReceipt(stepId, result.hash, tx, sinceBlock)
          : Promise.resolve(this.#failed(stepId, result.error));
    }
    const done = Promise.all([Promise.all(outcomes as Promise<TxOutcome>[]), Promise.all(fillers)]).then(([o]) => o);
    done.catch(() => {}); // awaited by the caller; not an unhandled rejection while later requests are sent
    return { done };
  }

  /**
   * Each request's transaction: gas estimated for all of them side by side (independent steps, one state), then
   * nonces given in request order to those that would not revert; or why one would.
   */
  async #transactions(
    requests: TxRequest[],
    fees: FeeData,
    chainId: string,
  ): Promise<(TxFields | { error: string; reverts?: true })[]> {
    const signable = new Set(this.options.signers.map((a) => a.toLowerCase()));
    const gas = await inWindows(
      requests,
      SEND_CONCURRENCY,
      async (request): Promise<bigint | { error: string; reverts?: true }> => {
        if (!signable.has(request.from.toLowerCase()))
          return {
            error: `must be sent by ${request.from}, which is not an account this network can sign for; send it from that account (or its Safe/timelock) and run again`,
          };
        const given = request.presigned ? undefined : this.options.gasLimits?.[request.stepId];
        if (given !== undefined) return given;
        try {
          const { from, to, data, value } = request;
          return ((await this.provider.estimateGas({ from, to, data, value })) * GAS_HEADROOM_PERCENT) / 100n;
        } catch (error) {
          if (error instanceof RpcUnavailableError) throw error;
          return { error: `would revert, not sent: ${reason(error)}`, reverts: true };
        }
      },
    );
    const nonces = new Map<string, bigint>();
    const out: (TxFields | { error: string; reverts?: true })[] = [];
    for (const [i, request] of requests.entries()) {
      const limit = gas[i];
      if (typeof limit !== "bigint") {
        out.push(limit);
        continue;
      }
      const from = request.from.toLowerCase();
      if (!nonces.has(from))
        nonces.set(from, BigInt(await this.provider.send("eth_getTransactionCount", [request.from, "pending"])));
      const nonce = nonces.get(from)!;
      nonces.set(from, nonce + 1n);
      out.push({
        from: request.from,
        ...(request.to ? { to: request.to } : {}),
        data: request.data,
        value: toBeHex(request.value),
        nonce: toBeHex(nonce),
        gas: toBeHex(limit),
        maxFeePerGas: toBeHex(fees.maxFeePerGas ?? fees.gasPrice ?? 0n),
        maxPriorityFeePerGas: toBeHex(fees.maxPriorityFeePerGas ?? 0n),
        chainId,
        type: "0x2",
      });
    }
    return out;
  }

  /**
   * Broadcasts a journaled wave in windows of at most one block's gas limit (what one block can take): each window in
   * one JSON-RPC batch where the network is reached over HTTP, else SEND_CONCURRENCY requests at a time. Hashes not
   * known before (signed by the node) are journaled once at the end, unsynced: a rerun finds them by nonce anyway.
   */
  async #broadcastWave(wave: WaveTx[], onSent: (stepId: string, hash: string) => void): Promise<BroadcastResult[]> {
    const blockGas = (await this.provider.getBlock("latest"))?.gasLimit ?? 30_000_000n;
    const results: BroadcastResult[] = [];
    for (const window of gasWindows(wave, blockGas))
      for (let i = 0; i < window.length; i += MAX_BATCH)
        results.push(...(await this.#broadcastWindow(window.slice(i, i + MAX_BATCH), onSent)));
    this.journal.appendMany(
      wave.flatMap(({ stepId, tx, signed }, k) => {
        const result = results[k];
        return "hash" in result && result.hash !== signed?.hash
          ? [{ type: "sent" as const, stepId, nonce: tx.nonce, hash: result.hash }]
          : [];
      }),
      false,
    );
    return results;
  }

  /** One window: a batch, whose sends the node did not take are settled one by one (by hash and nonce); or each alone. */
  async #broadcastWindow(window: WaveTx[], onSent: (stepId: string, hash: string) => void): Promise<BroadcastResult[]> {
    const batched = this.#broadcaster.batches && window.length > 1;
    if (batched) for (let i = 0; i < window.length; i++) this.#faults.point("journal");
    const answers = batched
      ? await this.#broadcaster.sendBatch(window.map(({ tx, signed }) => signed ?? { tx }))
      : undefined;
    return inWindows(window, SEND_CONCURRENCY, async ({ stepId, tx }, i) => {
      if (!batched) this.#faults.point("journal");
      const answer = answers?.[i];
      const broadcast = answer && "hash" in answer ? answer : await this.#broadcast(tx);
      if ("hash" in broadcast) {
        this.#faults.point("broadcast");
        onSent(stepId, broadcast.hash);
      }
      return broadcast;
    });
  }

  /** The transaction signed here when the network's config holds its sender's key; undefined when the node signs. */
  #signed(tx: TxFields): { raw: string; hash: string } | undefined {
    return this.#broadcaster.canSign(tx.from) ? this.#broadcaster.sign(tx) : undefined;
  }

  /**
   * A transaction the node rejected leaves its nonce unused, and the sender's later ones of the wave could never be
   * mined: that nonce gets a zero-value transfer to the sender itself (journaled first, like any send), awaited.
   */
  async #fillGaps(wave: WaveTx[], sent: BroadcastResult[], sinceBlock: number): Promise<Promise<TxOutcome>[]> {
    const fillers: Promise<TxOutcome>[] = [];
    for (const [k, { tx }] of wave.entries()) {
      const result = sent[k];
      if ("hash" in result || result.taken) continue;
      const later = wave.some(
        (w, j) =>
          "hash" in sent[j] &&
          w.tx.from.toLowerCase() === tx.from.toLowerCase() &&
          BigInt(w.tx.nonce) > BigInt(tx.nonce),
      );
      if (!later) continue;
      const stepId = `${FILL_STEP_PREFIX}${tx.from.toLowerCase()}:${BigInt(tx.nonce)}`;
      const filler: TxFields = { ...tx, to: tx.from, data: "0x", value: "0x0", gas: toBeHex(21_000) };
      this.journal.append({ type: "send", stepId, tx: filler, at: new Date().toISOString() });
      const broadcast = await this.#broadcast(filler);
      if (!("hash" in broadcast))
        throw new Error(
          `Could not fill nonce ${BigInt(tx.nonce)} of ${tx.from} (its transaction was rejected: ${result.error}): ${broadcast.error}; run the same command again to settle the transactions after it`,
        );
      this.journal.append({ type: "sent", stepId, nonce: tx.nonce, hash: broadcast.hash });
      fillers.push(this.#awaitReceipt(stepId, broadcast.hash, filler, sinceBlock));
    }
    return fillers;
  }

  /**
   * Settles a transaction an earlier process journaled but never saw mined. Returns its outcome, or "dropped" when it
   * can no longer land (its nonce was used by something else) and it never did.
   */
  async recover(stepId: string, tx: TxFields, hash: string | undefined): Promise<TxOutcome | "dropped"> {
    if (hash) {
      const receipt = await this.#minedNow(hash);
      if (receipt) return this.#confirmed(stepId, receipt);
    }
    // Ours if the node has it (pending or mined at its nonce); "dropped" if its nonce went to another transaction.
    const broadcast = await this.#broadcast(tx);
    if ("hash" in broadcast) {
      if (broadcast.hash !== hash) this.journal.append({ type: "sent", stepId, nonce: tx.nonce, hash: broadcast.hash });
      const block = await this.provider.getBlockNumber();
      const receipt = await this.#minedNow(broadcast.hash);
      return receipt ? this.#confirmed(stepId, receipt) : this.#awaitReceipt(stepId, broadcast.hash, tx, block);
    }
    if (broadcast.taken) return "dropped";
    throw new Error(
      `Could not settle the journaled transaction of ${stepId} (nonce ${BigInt(tx.nonce)}): ${broadcast.error}`,
    );
  }

  /**
   * Broadcasts a journaled transaction until the node has it, and returns its hash; never with another nonce. The
   * same fields give the same signed transaction, so asking again is safe: the node answers with the hash, "known
   * transaction", or "nonce too low" / "underpriced" when it (or another one) already holds the nonce; then the
   * transaction at that nonce is looked up, pending or mined. `taken`: another transaction used it.
   */
  async #broadcast(tx: TxFields): Promise<BroadcastResult> {
    const signed = this.#signed(tx);
    let last = "";
    for (let attempt = 0; attempt < SEND_ATTEMPTS; attempt++) {
      if (attempt > 0) await sleep(Math.min(50 * 2 ** (attempt - 1), 2_000));
      try {
        return {
          hash: await (signed
            ? this.provider.send("eth_sendRawTransaction", [signed.raw])
            : this.provider.send("eth_sendTransaction", [tx])),
        };
      } catch (error) {
        last = reason(error);
        const known = /known transaction:?\s*(0x[0-9a-fA-F]{64})/i.exec(last);
        if (known) return { hash: known[1] };
        if (signed && /already known|known transaction/i.test(last)) return { hash: signed.hash };
        if (isTransient(error)) continue;
        if (!/nonce too low|already known|underpriced|nonce has already been used/i.test(last))
          return { error: `rejected by the node: ${last}` };
        const found = await this.#atNonce(tx);
        if (found) return found;
      }
    }
    return (
      (await this.#atNonce(tx)) ?? {
        error: `not broadcast after ${SEND_ATTEMPTS} attempts (last error: ${last}); run the same command again to settle it`,
      }
    );
  }

  /** The transaction the node holds at `tx`'s nonce (in its pending block, or mined at any height), compared to ours. */
  async #atNonce(tx: TxFields): Promise<{ hash: string } | { error: string; taken: true } | undefined> {
    const nonce = BigInt(tx.nonce);
    const mined = (await this.#countAt(tx.from, "latest")) > nonce;
    const tag = mined ? toQuantity(await this.#blockOfNonce(tx.from, nonce)) : "pending";
    let block: { transactions?: RpcTx[] } | null;
    try {
      block = await this.provider.send("eth_getBlockByNumber", [tag, true]);
    } catch (error) {
      if (!mined && !isTransient(error)) return undefined; // a node without a pending block
      throw error;
    }
    const match = (block?.transactions ?? []).find(
      (t) => t.from.toLowerCase() === tx.from.toLowerCase() && BigInt(t.nonce) === nonce,
    );
    if (!match) {
      if (!mined) return undefined;
      throw new Error(
        `the node counts nonce ${nonce} of ${tx.from} as used in block ${Number(tag)}, but that block holds no such transaction; run the same command again`,
      );
    }
    if (sameTransaction(match, tx)) return { hash: match.hash };
    return { error: `its nonce ${nonce} was used by another transaction, ${match.hash}`, taken: true };
  }

  /**
   * The block that mined `from`'s transaction of nonce `nonce` (already mined): searched back from the latest block by
   * the sender's transaction count at each height, doubling the distance, then halving it. No window that could miss it:
   * a transaction mined long before a rerun is found, never taken for a dropped one (which would send its step twice).
   */
  async #blockOfNonce(from: string, nonce: bigint): Promise<number> {
    const latest = await this.provider.getBlockNumber();
    let [lo, hi] = [-1, latest]; // the count at `hi` exceeds `nonce`; at `lo` it does not (-1: before the first block)
    for (let back = 1; latest - back >= 0; back *= 2) {
      if ((await this.#countAt(from, toQuantity(latest - back))) <= nonce) {
        lo = latest - back;
        break;
      }
      hi = latest - back;
    }
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if ((await this.#countAt(from, toQuantity(mid))) > nonce) hi = mid;
      else lo = mid;
    }
    return hi;
  }

  async #countAt(from: string, tag: string): Promise<bigint> {
    return BigInt(await this.provider.send("eth_getTransactionCount", [from, tag]));
  }

  /** Its receipt if mined already (one request), else undefined. */
  async #minedNow(hash: string): Promise<MinedReceipt | undefined> {
    const receipt = await this.provider.getTransactionReceipt(hash);
    if (!receipt) return undefined;
    const { status, blockNumber, contractAddress, gasUsed } = receipt;
    return { hash, status: status ?? 0, blockNumber, contractAddress, gasUsed };
  }

  /**
   * Waits for the transaction (or a fee replacement of it) to be mined, in the receipt rounds shared by every wait
   * (`fromBlock`: the chain's block before it was broadcast). Every few rounds, one that is stuck is replaced at the
   * same nonce with higher fees, journaled first: its max fee is below the latest base fee, or, still unmined after
   * STUCK_BLOCKS blocks, its priority fee is below what the node now suggests.
   */
  async #awaitReceipt(stepId: string, hash: string, tx: TxFields, fromBlock: number): Promise<TxOutcome> {
    const hashes = [hash];
    let current = tx;
    let since = fromBlock;
    for (let poll = 1; ; poll++) {
      const mined = await this.#receipts.next(hashes, fromBlock);
      if (mined) return this.#confirmed(stepId, mined);
      if (poll % FEE_CHECK_POLLS !== 0) continue;
      const fees = await this.#stuckFees(current, since);
      if (!fees) continue;
      const replaced = await this.#replace(stepId, current, fees);
      current = replaced.tx;
      since = this.#receipts.latest;
      if (!hashes.includes(replaced.hash)) hashes.push(replaced.hash);
    }
  }

  /** The fees to replace `tx` with when it is stuck (see #awaitReceipt), else undefined. */
  async #stuckFees(tx: TxFields, since: number): Promise<{ maxFee: bigint; priority: bigint } | undefined> {
    const bump = (value: bigint) => value + value / 8n + 1n; // more than the 10 % nodes ask of a replacement
    const max = (a: bigint, b: bigint) => (a > b ? a : b);
    const baseFee = await this.#receipts.baseFee();
    let priority = bump(BigInt(tx.maxPriorityFeePerGas));
    if (BigInt(tx.maxFeePerGas) >= baseFee) {
      if (this.#receipts.latest - since < STUCK_BLOCKS) return undefined;
      const suggested = BigInt(await this.provider.send("eth_maxPriorityFeePerGas", []));
      if (BigInt(tx.maxPriorityFeePerGas) >= suggested) return undefined;
      priority = max(priority, suggested);
    }
    return { priority, maxFee: max(bump(BigInt(tx.maxFeePerGas)), 2n * baseFee + priority) };
  }

  /** The same transaction at the same nonce with `fees`, journaled before it is broadcast. */
  async #replace(
    stepId: string,
    tx: TxFields,
    fees: { maxFee: bigint; priority: bigint },
  ): Promise<{ tx: TxFields; hash: string }> {
    const replacement: TxFields = {
      ...tx,
      maxFeePerGas: toBeHex(fees.maxFee),
      maxPriorityFeePerGas: toBeHex(fees.priority),
    };
    this.journal.append({ type: "send", stepId, tx: replacement, at: new Date().toISOString() });
    const broadcast = await this.#broadcast(replacement);
    if (!("hash" in broadcast))
      throw new Error(
        `Could not replace the stuck transaction of ${stepId} (nonce ${BigInt(tx.nonce)}): ${broadcast.error}`,
      );
    this.journal.append({ type: "sent", stepId, nonce: tx.nonce, hash: broadcast.hash });
    return { tx: replacement, hash: broadcast.hash };
  }

  /** Its outcome once buried under the confirmations asked for; the receipt journaled (unsynced: it is on chain). */
  async #confirmed(stepId: string, receipt: MinedReceipt): Promise<TxOutcome> {
    while (this.#receipts.latest < receipt.blockNumber + this.options.confirmations - 1)
      await this.#receipts.next([], receipt.blockNumber);
    const summary: TxReceiptSummary = {
      hash: receipt.hash,
      status: receipt.status,
      blockNumber: receipt.blockNumber,
      contractAddress: receipt.contractAddress,
      gasUsed: receipt.gasUsed.toString(),
    };
    this.journal.appendMany([{ type: "receipt", stepId, ...summary }], false);
    return { stepId, receipt: summary };
  }

  #failed(stepId: string, why: string): TxOutcome {
    this.journal.append({ type: "failed", stepId, reason: why });
    return { stepId, error: why };
  }
}

/** A transaction of a wave, journaled; `signed` when signed here. */
interface WaveTx {
  index: number;
  stepId: string;
  tx: TxFields;
  signed?: { raw: string; hash: string };
}

type BroadcastResult = { hash: string } | { error: string; taken?: boolean };

interface RpcTx {
  hash: string;
  from: string;
  to: string | null;
  nonce: string;
  input: string;
  value: string;
}

function sameTransaction(mined: RpcTx, tx: TxFields): boolean {
  return (
    (mined.to ?? "").toLowerCase() === (tx.to ?? "").toLowerCase() &&
    mined.input.toLowerCase() === tx.data.toLowerCase() &&
    BigInt(mined.value) === BigInt(tx.value)
  );
}

export function reason(error: unknown): string {
  const e = error as { shortMessage?: string; reason?: string; message?: string };
  return e.reason ?? e.shortMessage ?? e.message ?? String(error);
}
