import { keccak256, toBeHex, type FeeData } from "ethers";
import { Broadcaster } from "./broadcaster.js";
import { presignedShortfall } from "./create2.js";
import type { Journal, JournalEntry, TxFields } from "./journal.js";
import { sleep } from "./rpc-retry.js";
import { Faults, type FaultInjection } from "./faults.js";
import { SharedReceipts, type MinedReceipt } from "./receipts.js";
import { reason, WaveBroadcast, type WaveTx } from "./wave-broadcast.js";
import { inWindows } from "./windows.js";
import { senderGroups } from "./waves.js";
import type { ChainProvider } from "./types.js";
import { RpcUnavailableError } from "../errors.js";

// Where callers have always found them.
export { reason } from "./wave-broadcast.js";
export type { ChainProvider } from "./types.js";

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
/** Receipt polls between two checks of a pending transaction's max fee against the base fee. */
const FEE_CHECK_POLLS = 10;
/** Gas estimates in flight at once. */
const SEND_CONCURRENCY = 32;
/** Blocks a transaction may stay unmined before its priority fee is compared with the node's suggestion. */
const STUCK_BLOCKS = 3;

/**
 * Sends from an account the node (or Hardhat) can sign for. Nonces are explicit, taken from the account's pending
 * count. Every transaction is written to the journal with all its fields before it is broadcast, so after a crash it
 * can be broadcast again as the very same signed transaction (deterministic signatures) instead of a new one.
 */
export class EoaExecutor {
  readonly #receipts: SharedReceipts;
  readonly #send: WaveBroadcast;

  constructor(
    private readonly provider: ChainProvider,
    private readonly journal: Journal,
    private readonly options: EoaExecutorOptions,
  ) {
    this.#receipts = new SharedReceipts(provider, options.pollIntervalMs);
    const broadcaster = options.broadcaster ?? Broadcaster.NONE;
    this.#send = new WaveBroadcast(provider, journal, broadcaster, new Faults(options.fault));
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
      "error" in tx ? [] : [{ index, stepId: requests[index].stepId, tx, signed: this.#send.signed(tx) }],
    );
    // The whole wave is on disk (one fsync) before the first of it is broadcast; a hash signed here with it.
    const at = new Date().toISOString();
    this.journal.appendMany([
      ...wave.map(({ stepId, tx }): JournalEntry => ({ type: "send", stepId, tx, at })),
      ...wave.flatMap(({ stepId, tx, signed }): JournalEntry[] =>
        signed ? [{ type: "sent", stepId, nonce: tx.nonce, hash: signed.hash }] : [],
      ),
    ]);
    const sent = await this.#send.broadcastWave(wave, onSent);
    const fillers = (await this.#send.fillGaps(wave, sent)).map(({ stepId, hash, tx }) =>
      this.#awaitReceipt(stepId, hash, tx, sinceBlock),
    );
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
   * Settles a transaction an earlier process journaled but never saw mined. Returns its outcome, or "dropped" when it
   * can no longer land (its nonce was used by something else) and it never did.
   */
  async recover(stepId: string, tx: TxFields, hash: string | undefined): Promise<TxOutcome | "dropped"> {
    if (hash) {
      const receipt = await this.#minedNow(hash);
      if (receipt) return this.#confirmed(stepId, receipt);
    }
    // Ours if the node has it (pending or mined at its nonce); "dropped" if its nonce went to another transaction.
    const broadcast = await this.#send.broadcast(tx);
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
    const broadcast = await this.#send.broadcast(replacement);
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
