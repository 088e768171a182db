// Which transaction the node holds at a sender's nonce, pending or mined at any height: how a journaled transaction is
// settled (by its nonce) when the node's answer to its broadcast says nothing about it.
import { toQuantity } from "ethers";
import type { TxFields } from "./journal.js";
import type { ChainProvider } from "./types.js";
import { isTransient } from "./rpc-retry.js";

interface RpcTx {
  hash: string;
  from: string;
  to: string | null;
  nonce: string;
  input: string;
  value: string;
}

/** The transaction the node holds at `tx`'s nonce (in its pending block, or mined at any height), compared to ours. */
export async function atNonce(
  provider: ChainProvider,
  tx: TxFields,
): Promise<{ hash: string } | { error: string; taken: true } | undefined> {
  const nonce = BigInt(tx.nonce);
  const mined = (await countAt(provider, tx.from, "latest")) > nonce;
  const tag = mined ? toQuantity(await blockOfNonce(provider, tx.from, nonce)) : "pending";
  let block: { transactions?: RpcTx[] } | null;
  try {
    block = await provider.send("eth_getBlockByNumber", [tag, true]);
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
export async function blockOfNonce(provider: ChainProvider, from: string, nonce: bigint): Promise<number> {
  const latest = await provider.getBlockNumber();
  let [lo, hi] = [-1, latest]; // the count at `hi` exceeds `nonce`; at `lo` it does not (-1: before the first block)
  for (let back = 1; latest - back >= 0; back *= 2) {
    if ((await countAt(provider, from, toQuantity(latest - back))) <= nonce) {
      lo = latest - back;
      break;
    }
    hi = latest - back;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if ((await countAt(provider, from, toQuantity(mid))) > nonce) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * A sender's count at a block number does not change once read (a rerun settling a whole wave by nonce asks the same
 * heights again for each transaction), so it is kept per provider; "latest" and "pending" are always asked.
 */
const countsAtHeight = new WeakMap<ChainProvider, Map<string, bigint>>();

async function countAt(provider: ChainProvider, from: string, tag: string): Promise<bigint> {
  if (tag === "latest" || tag === "pending") return BigInt(await provider.send("eth_getTransactionCount", [from, tag]));
  const counts = countsAtHeight.get(provider) ?? new Map<string, bigint>();
  countsAtHeight.set(provider, counts);
  const key = `${from.toLowerCase()}@${tag}`;
  const known = counts.get(key);
  if (known !== undefined) return known;
  const count = BigInt(await provider.send("eth_getTransactionCount", [from, tag]));
  counts.set(key, count);
  return count;
}

function sameTransaction(mined: RpcTx, tx: TxFields): boolean {
  return (
    (mined.to ?? "").toLowerCase() === (tx.to ?? "").toLowerCase() &&
    mined.input.toLowerCase() === tx.data.toLowerCase() &&
    BigInt(mined.value) === BigInt(tx.value)
  );
}
