// Local signing and batched broadcast: how a wave of a thousand transactions reaches the node within a block or two.
// Each transaction over its own HTTP request, signed by the node, reaches it at a few hundred a second (fewer behind
// one more hop); one JSON-RPC batch carries a block's worth in one round trip.
import { HDNodeWallet, Transaction, Wallet, type SigningKey } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";
import type { TxFields } from "./journal.js";

/** One send as the node answered it: its hash, or the error it gave (to be settled one by one, by hash and nonce). */
export type BatchAnswer = { hash: string } | { error: string };

/** A transaction ready to go: signed here (its hash known before it leaves), or its fields for the node to sign. */
export type Outgoing = { raw: string; hash: string } | { tx: TxFields };

interface Endpoint {
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

/** At most this many transactions in one JSON-RPC batch (nodes cap batches: geth at 1 000 by default). */
export const MAX_BATCH = 500;

/**
 * Signs with the keys the network's config holds (`accounts: [keys]` or an HD mnemonic), never with one the node
 * holds, and sends JSON-RPC batches to the network's HTTP endpoint. Keys stay in their SigningKey: nothing here
 * prints, logs or returns one.
 */
export class Broadcaster {
  constructor(
    readonly keys: ReadonlyMap<string, SigningKey>,
    private readonly endpoint?: Endpoint,
  ) {}

  /** No local keys, no batches: every transaction goes out alone through the connection (in-process networks). */
  static readonly NONE = new Broadcaster(new Map());

  static async forConnection(conn: NetworkConnection): Promise<Broadcaster> {
    const config = conn.networkConfig;
    if (config.type !== "http") return Broadcaster.NONE;
    const endpoint = { url: await config.url.getUrl(), headers: config.httpHeaders, timeoutMs: config.timeout };
    return new Broadcaster(await configuredKeys(config.accounts), endpoint);
  }

  get batches(): boolean {
    return this.endpoint !== undefined;
  }

  canSign(from: string): boolean {
    return this.keys.has(from.toLowerCase());
  }

  /** The signed transaction; the same fields always give the same bytes (RFC 6979 signatures), hence the same hash. */
  sign(tx: TxFields): { raw: string; hash: string } {
    const key = this.keys.get(tx.from.toLowerCase());
    if (!key) throw new Error(`No local key for ${tx.from}`);
    const unsigned = Transaction.from({
      type: 2,
      chainId: BigInt(tx.chainId),
      nonce: Number(BigInt(tx.nonce)),
      to: tx.to ?? null,
      data: tx.data,
      value: BigInt(tx.value),
      gasLimit: BigInt(tx.gas),
      maxFeePerGas: BigInt(tx.maxFeePerGas),
      maxPriorityFeePerGas: BigInt(tx.maxPriorityFeePerGas),
    });
    unsigned.signature = key.sign(unsigned.unsignedHash);
    return { raw: unsigned.serialized, hash: unsigned.hash! };
  }

  /**
   * Sends all of them in one HTTP request. Undefined when the batch as a whole got no answer (cut, 5xx, 429, a node
   * that refuses batches): some of them may have reached the node, so the caller settles each one by one.
   */
  async sendBatch(items: Outgoing[]): Promise<BatchAnswer[] | undefined> {
    if (!this.endpoint || items.length === 0) return undefined;
    const body = items.map((item, id) =>
      "raw" in item
        ? { jsonrpc: "2.0", id, method: "eth_sendRawTransaction", params: [item.raw] }
        : { jsonrpc: "2.0", id, method: "eth_sendTransaction", params: [item.tx] },
    );
    let answers: unknown;
    try {
      const response = await fetch(this.endpoint.url, {
        method: "POST",
        headers: { ...this.endpoint.headers, "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.endpoint.timeoutMs),
      });
      if (!response.ok) return undefined;
      answers = await response.json();
    } catch {
      return undefined;
    }
    if (!Array.isArray(answers)) return undefined;
    const byId = new Map<number, { result?: unknown; error?: { message?: string } }>(
      answers.filter((a) => a && typeof a === "object").map((a) => [Number(a.id), a]),
    );
    return items.map((_, id) => {
      const answer = byId.get(id);
      if (answer && typeof answer.result === "string") return { hash: answer.result };
      return { error: answer?.error?.message ?? "no answer for it in the batch" };
    });
  }
}

/** The signing keys of the network's configured accounts, by lower-case address; none when the node holds them. */
async function configuredKeys(
  accounts: Extract<NetworkConnection["networkConfig"], { type: "http" }>["accounts"],
): Promise<Map<string, SigningKey>> {
  const keys = new Map<string, SigningKey>();
  if (accounts === "remote") return keys;
  if (Array.isArray(accounts)) {
    for (const account of accounts) {
      const wallet = new Wallet(await account.getHexString());
      keys.set(wallet.address.toLowerCase(), wallet.signingKey);
    }
    return keys;
  }
  const root = HDNodeWallet.fromPhrase(await accounts.mnemonic.get(), await accounts.passphrase.get(), accounts.path);
  for (let i = accounts.initialIndex; i < accounts.initialIndex + accounts.count; i++) {
    const wallet = root.deriveChild(i);
    keys.set(wallet.address.toLowerCase(), wallet.signingKey);
  }
  return keys;
}
