// How journaled transactions reach the node: a wave in windows of one block's gas (one JSON-RPC batch each where the
// network is reached over HTTP), and each transaction broadcast again, the same one, until the node holds it.
import { toBeHex } from "ethers";
import { MAX_BATCH, type Broadcaster } from "./broadcaster.js";
import type { Faults } from "./faults.js";
import type { Journal, TxFields } from "./journal.js";
import type { ChainProvider } from "./types.js";
import { atNonce } from "./nonce-lookup.js";
import { isTransient, sleep } from "./rpc-retry.js";
import { gasWindows, inWindows } from "./windows.js";

/** Times one transaction is broadcast (the same one) before the wave gives it up for this run. */
const SEND_ATTEMPTS = 10;
/** Broadcasts in flight at once (when not batched). */
const SEND_CONCURRENCY = 32;
/** Journal step ids of the zero-value transfers that fill a rejected transaction's nonce (EXECUTOR_STEP_PREFIX). */
const FILL_STEP_PREFIX = "executor:fill:";

/** A transaction of a wave, journaled; `signed` when signed here. */
export interface WaveTx {
  index: number;
  stepId: string;
  tx: TxFields;
  signed?: { raw: string; hash: string };
}

export type BroadcastResult = { hash: string } | { error: string; taken?: boolean };

export class WaveBroadcast {
  constructor(
    private readonly provider: ChainProvider,
    private readonly journal: Journal,
    private readonly broadcaster: Broadcaster,
    private readonly faults: Faults,
  ) {}

  /**
   * Broadcasts a journaled wave in windows of at most one block's gas limit (what one block can take): each window in
   * one JSON-RPC batch where the network is reached over HTTP, else SEND_CONCURRENCY requests at a time. Hashes not
   * known before (signed by the node) are journaled once at the end, unsynced: a rerun finds them by nonce anyway.
   */
  async broadcastWave(wave: WaveTx[], onSent: (stepId: string, hash: string) => void): Promise<BroadcastResult[]> {
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
    const batched = this.broadcaster.batches && window.length > 1;
    if (batched) for (let i = 0; i < window.length; i++) this.faults.point("journal");
    const answers = batched
      ? await this.broadcaster.sendBatch(window.map(({ tx, signed }) => signed ?? { tx }))
      : undefined;
    return inWindows(window, SEND_CONCURRENCY, async ({ stepId, tx }, i) => {
      if (!batched) this.faults.point("journal");
      const answer = answers?.[i];
      const broadcast = answer && "hash" in answer ? answer : await this.broadcast(tx);
      if ("hash" in broadcast) {
        this.faults.point("broadcast");
        onSent(stepId, broadcast.hash);
      }
      return broadcast;
    });
  }

  /**
   * A transaction the node rejected leaves its nonce unused, and the sender's later ones of the wave could never be
   * mined: that nonce gets a zero-value transfer to the sender itself (journaled first, like any send), returned to be
   * awaited.
   */
  async fillGaps(wave: WaveTx[], sent: BroadcastResult[]): Promise<{ stepId: string; hash: string; tx: TxFields }[]> {
    const fillers: { stepId: string; hash: string; tx: TxFields }[] = [];
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
      const broadcast = await this.broadcast(filler);
      if (!("hash" in broadcast))
        throw new Error(
          `Could not fill nonce ${BigInt(tx.nonce)} of ${tx.from} (its transaction was rejected: ${result.error}): ${broadcast.error}; run the same command again to settle the transactions after it`,
        );
      this.journal.append({ type: "sent", stepId, nonce: tx.nonce, hash: broadcast.hash });
      fillers.push({ stepId, hash: broadcast.hash, tx: filler });
    }
    return fillers;
  }

  /** The transaction signed here when the network's config holds its sender's key; undefined when the node signs. */
  signed(tx: TxFields): { raw: string; hash: string } | undefined {
    return this.broadcaster.canSign(tx.from) ? this.broadcaster.sign(tx) : undefined;
  }

  /**
   * Broadcasts a journaled transaction until the node has it, and returns its hash; never with another nonce. The
   * same fields give the same signed transaction, so asking again is safe: the node answers with the hash, "known
   * transaction", or "nonce too low" / "underpriced" when it (or another one) already holds the nonce; then the
   * transaction at that nonce is looked up, pending or mined. `taken`: another transaction used it.
   */
  async broadcast(tx: TxFields): Promise<BroadcastResult> {
    const signed = this.signed(tx);
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
        const found = await atNonce(this.provider, tx);
        if (found) return found;
      }
    }
    return (
      (await atNonce(this.provider, tx)) ?? {
        error: `not broadcast after ${SEND_ATTEMPTS} attempts (last error: ${last}); run the same command again to settle it`,
      }
    );
  }
}

export function reason(error: unknown): string {
  const e = error as { shortMessage?: string; reason?: string; message?: string };
  return e.reason ?? e.shortMessage ?? e.message ?? String(error);
}
