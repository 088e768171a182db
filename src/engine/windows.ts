// How a wave goes out: bounded concurrency, and windows of at most one block's gas.
import type { TxFields } from "./journal.js";

/** `work` over `items`, at most `limit` at once; results in item order. */
export async function inWindows<T, R>(
  items: T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Consecutive runs of transactions whose gas limits add up to at most one block's. */
export function gasWindows<T extends { tx: TxFields }>(wave: T[], blockGas: bigint): T[][] {
  const windows: T[][] = [];
  let gas = 0n;
  for (const item of wave) {
    const limit = BigInt(item.tx.gas);
    if (windows.length === 0 || gas + limit > blockGas) {
      windows.push([]);
      gas = 0n;
    }
    windows.at(-1)!.push(item);
    gas += limit;
  }
  return windows;
}
