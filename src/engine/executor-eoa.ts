import { keccak256, toBeHex, toQuantity, type FeeData, type Provider, type TransactionReceipt } from "ethers";
import { presignedShortfall } from "./create2.js";
import type { Journal, TxFields } from "./journal.js";
import { isTransient, sleep } from "./rpc-retry.js";
import { Faults, type FaultInjection } from "./faults.js";

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
}

const GAS_HEADROOM_PERCENT = 120n;
/** Times one transaction is broadcast (the same one) before the wave gives it up for this run. */
const SEND_ATTEMPTS = 10;
/** Receipt polls between two checks of a pending transaction's max fee against the base fee. */
const FEE_CHECK_POLLS = 10;
/** How far back a recovered transaction is looked for by its nonce. */
const MAX_SCAN_BLOCKS = 256;

/**
 * Sends from an account the node (or Hardhat) can sign for. Nonces are explicit, taken from the account's pending
 * count. Every transaction is written to the journal with all its fields before it is broadcast, so after a crash it
 * can be broadcast again as the very same signed transaction (deterministic signatures) instead of a new one.
 */
export class EoaExecutor {
  readonly #faults: Faults;

  constructor(
    private readonly provider: ChainProvider,
    private readonly journal: Journal,
    private readonly options: EoaExecutorOptions,
  ) {
    this.#faults = new Faults(options.fault);
  }

  /** Sends independent transactions and waits for all of them. Order of outcomes = order of requests. */
  async sendWave(requests: TxRequest[], onSent: (stepId: string, hash: string) => void): Promise<TxOutcome[]> {
    if (!this.options.pipeline) {
      const outcomes: TxOutcome[] = [];
      for (const request of requests) outcomes.push(...(await this.#sendAndWait([request], onSent)));
      return outcomes;
    }
    return this.#sendAndWait(requests, onSent);
  }

  async #sendAndWait(requests: TxRequest[], onSent: (stepId: string, hash: string) => void): Promise<TxOutcome[]> {
    const nonces = new Map<string, bigint>();
    const fees = await this.provider.getFeeData();
    const chainId = toBeHex((await this.provider.getNetwork()).chainId);
    const sinceBlock = await this.provider.getBlockNumber();
    const pending: Promise<TxOutcome>[] = [];
    const signable = new Set(this.options.signers.map((a) => a.toLowerCase()));
    for (let request of requests) {
      const from = request.from.toLowerCase();
      if (!signable.has(from)) {
        pending.push(
          Promise.resolve(
            this.#failed(
              request.stepId,
              `must be sent by ${request.from}, which is not an account this network can sign for; send it from that account (or its Safe/timelock) and run again`,
            ),
          ),
        );
        continue;
      }
      if (request.presigned) {
        const shortfall = await presignedShortfall(this.provider, request.presigned);
        if (shortfall === 0n) {
          pending.push(this.#sendPresigned(request.stepId, request.presigned.rawTransaction, onSent));
          continue;
        }
        request = { ...request, value: shortfall };
      }
      if (!nonces.has(from))
        nonces.set(from, BigInt(await this.provider.send("eth_getTransactionCount", [request.from, "pending"])));
      const tx = await this.#transaction(request, nonces.get(from)!, fees, chainId);
      if ("error" in tx) {
        pending.push(Promise.resolve(this.#failed(request.stepId, tx.error)));
        continue;
      }
      this.journal.append({ type: "send", stepId: request.stepId, tx, at: new Date().toISOString() });
      this.#faults.point("journal");
      const broadcast = await this.#broadcast(tx, sinceBlock);
      if ("error" in broadcast) {
        pending.push(Promise.resolve(this.#failed(request.stepId, broadcast.error)));
        // The nonce is not ours (unused, or taken by someone else): the next transaction takes the account's next one.
        nonces.set(from, BigInt(await this.provider.send("eth_getTransactionCount", [request.from, "pending"])));
        continue;
      }
      const { hash } = broadcast;
      this.#faults.point("broadcast");
      this.journal.append({ type: "sent", stepId: request.stepId, nonce: tx.nonce, hash });
      nonces.set(from, nonces.get(from)! + 1n);
      onSent(request.stepId, hash);
      const raw = request.presigned?.rawTransaction;
      const funded = this.#awaitReceipt(request.stepId, hash, tx);
      pending.push(
        raw
          ? funded.then((o) =>
              "error" in o || o.receipt.status !== 1 ? o : this.#sendPresigned(o.stepId, raw, onSent),
            )
          : funded,
      );
    }
    return Promise.all(pending);
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
      const receipt = await this.provider.getTransactionReceipt(hash);
      if (receipt) return this.#confirmed(stepId, hash, receipt);
      await sleep(this.options.pollIntervalMs);
    }
  }

  /** The full transaction for a request at `nonce` (gas estimated with headroom), or why it would revert. */
  async #transaction(
    request: TxRequest,
    nonce: bigint,
    fees: FeeData,
    chainId: string,
  ): Promise<TxFields | { error: string }> {
    let gas: bigint;
    try {
      const { from, to, data, value } = request;
      gas = ((await this.provider.estimateGas({ from, to, data, value })) * GAS_HEADROOM_PERCENT) / 100n;
    } catch (error) {
      return { error: `would revert, not sent: ${reason(error)}` };
    }
    return {
      from: request.from,
      ...(request.to ? { to: request.to } : {}),
      data: request.data,
      value: toBeHex(request.value),
      nonce: toBeHex(nonce),
      gas: toBeHex(gas),
      maxFeePerGas: toBeHex(fees.maxFeePerGas ?? fees.gasPrice ?? 0n),
      maxPriorityFeePerGas: toBeHex(fees.maxPriorityFeePerGas ?? 0n),
      chainId,
      type: "0x2",
    };
  }

  /**
   * Settles a transaction an earlier process journaled but never saw mined. Returns its outcome, or "dropped" when it
   * can no longer land (its nonce was used by something else) and it never did.
   */
  async recover(stepId: string, tx: TxFields, hash: string | undefined): Promise<TxOutcome | "dropped"> {
    if (hash) {
      const receipt = await this.provider.getTransactionReceipt(hash);
      if (receipt) return this.#awaitReceipt(stepId, hash, tx);
    }
    // Ours if the node has it (pending or mined at its nonce); "dropped" if its nonce went to another transaction.
    const broadcast = await this.#broadcast(tx, (await this.provider.getBlockNumber()) - MAX_SCAN_BLOCKS);
    if ("hash" in broadcast) {
      if (broadcast.hash !== hash) this.journal.append({ type: "sent", stepId, nonce: tx.nonce, hash: broadcast.hash });
      return this.#awaitReceipt(stepId, broadcast.hash, tx);
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
   * transaction at that nonce is looked up, pending or mined since `sinceBlock`. `taken`: another transaction used it.
   */
  async #broadcast(tx: TxFields, sinceBlock: number): Promise<{ hash: string } | { error: string; taken?: boolean }> {
    let last = "";
    for (let attempt = 0; attempt < SEND_ATTEMPTS; attempt++) {
      if (attempt > 0) await sleep(Math.min(50 * 2 ** (attempt - 1), 2_000));
      try {
        return { hash: await this.provider.send("eth_sendTransaction", [tx]) };
      } catch (error) {
        last = reason(error);
        const known = /known transaction:?\s*(0x[0-9a-fA-F]{64})/i.exec(last);
        if (known) return { hash: known[1] };
        if (isTransient(error)) continue;
        if (!/nonce too low|already known|underpriced|nonce has already been used/i.test(last))
          return { error: `rejected by the node: ${last}` };
        const found = await this.#atNonce(tx, sinceBlock);
        if (found) return found;
      }
    }
    return (
      (await this.#atNonce(tx, sinceBlock)) ?? {
        error: `not broadcast after ${SEND_ATTEMPTS} attempts (last error: ${last}); run the same command again to settle it`,
      }
    );
  }

  /** The transaction the node holds at `tx`'s nonce (in its pending block, or mined since `sinceBlock`), compared to ours. */
  async #atNonce(
    tx: TxFields,
    sinceBlock: number,
  ): Promise<{ hash: string } | { error: string; taken: true } | undefined> {
    const mined = BigInt(await this.provider.send("eth_getTransactionCount", [tx.from, "latest"]));
    const latest = await this.provider.getBlockNumber();
    const tags =
      mined > BigInt(tx.nonce)
        ? Array.from({ length: Math.max(0, latest - Math.max(0, sinceBlock) + 1) }, (_, i) => toQuantity(latest - i))
        : ["pending"];
    for (const tag of tags) {
      let block: { transactions?: RpcTx[] } | null;
      try {
        block = await this.provider.send("eth_getBlockByNumber", [tag, true]);
      } catch (error) {
        if (tag === "pending" && !isTransient(error)) return undefined; // a node without a pending block
        throw error;
      }
      const match = (block?.transactions ?? []).find(
        (t) => t.from.toLowerCase() === tx.from.toLowerCase() && BigInt(t.nonce) === BigInt(tx.nonce),
      );
      if (!match) continue;
      if (sameTransaction(match, tx)) return { hash: match.hash };
      return { error: `its nonce ${BigInt(tx.nonce)} was used by another transaction, ${match.hash}`, taken: true };
    }
    if (mined <= BigInt(tx.nonce)) return undefined;
    return { error: `its nonce ${BigInt(tx.nonce)} was used before block ${sinceBlock}`, taken: true };
  }

  /**
   * Waits for the transaction (or a fee replacement of it) to be mined. Every few polls, one whose max fee is below
   * the latest base fee (it would wait forever) is replaced at the same nonce with a higher fee, journaled first.
   */
  async #awaitReceipt(stepId: string, hash: string, tx: TxFields): Promise<TxOutcome> {
    const hashes = [hash];
    let current = tx;
    for (let poll = 1; ; poll++) {
      for (const candidate of hashes) {
        const receipt = await this.provider.getTransactionReceipt(candidate);
        if (receipt) return this.#confirmed(stepId, candidate, receipt);
      }
      if (poll % FEE_CHECK_POLLS === 0) {
        const baseFee = (await this.provider.getBlock("latest"))?.baseFeePerGas ?? 0n;
        if (BigInt(current.maxFeePerGas) < baseFee) {
          const replaced = await this.#replace(stepId, current, baseFee);
          current = replaced.tx;
          if (!hashes.includes(replaced.hash)) hashes.push(replaced.hash);
        }
      }
      await sleep(this.options.pollIntervalMs);
    }
  }

  /** The same transaction at the same nonce with fees above `baseFee` (both raised by more than the 10 % nodes ask). */
  async #replace(stepId: string, tx: TxFields, baseFee: bigint): Promise<{ tx: TxFields; hash: string }> {
    const bump = (value: bigint) => value + value / 8n + 1n;
    const priority = bump(BigInt(tx.maxPriorityFeePerGas));
    const maxFee = [bump(BigInt(tx.maxFeePerGas)), 2n * baseFee + priority].reduce((a, b) => (a > b ? a : b));
    const replacement: TxFields = { ...tx, maxFeePerGas: toBeHex(maxFee), maxPriorityFeePerGas: toBeHex(priority) };
    this.journal.append({ type: "send", stepId, tx: replacement, at: new Date().toISOString() });
    const broadcast = await this.#broadcast(replacement, (await this.provider.getBlockNumber()) - MAX_SCAN_BLOCKS);
    if (!("hash" in broadcast))
      throw new Error(
        `Could not replace the stuck transaction of ${stepId} (nonce ${BigInt(tx.nonce)}): ${broadcast.error}`,
      );
    this.journal.append({ type: "sent", stepId, nonce: tx.nonce, hash: broadcast.hash });
    return { tx: replacement, hash: broadcast.hash };
  }

  async #confirmed(stepId: string, hash: string, receipt: TransactionReceipt): Promise<TxOutcome> {
    while ((await this.provider.getBlockNumber()) < receipt.blockNumber + this.options.confirmations - 1) {
      await sleep(this.options.pollIntervalMs);
    }
    const summary: TxReceiptSummary = {
      hash,
      status: receipt.status ?? 0,
      blockNumber: receipt.blockNumber,
      contractAddress: receipt.contractAddress,
      gasUsed: receipt.gasUsed.toString(),
    };
    this.journal.append({ type: "receipt", stepId, ...summary });
    return { stepId, receipt: summary };
  }

  #failed(stepId: string, why: string): TxOutcome {
    this.journal.append({ type: "failed", stepId, reason: why });
    return { stepId, error: why };
  }
}

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
