import type { ContractCatalog } from "./contracts.js";
import type { ChainProvider } from "./executor-eoa.js";

export interface ReadCall {
  to: string;
  contract: string;
  fn: string;
  args: unknown[];
}

const CONCURRENCY = 16;

/**
 * Chain reads at one pinned block. All observation and verification goes through here, so batching (Multicall3)
 * can be added in one place.
 */
export class Reader {
  constructor(
    readonly provider: ChainProvider,
    readonly catalog: ContractCatalog,
    readonly block: number,
  ) {}

  /** Decoded result of a view call; a single return value is unwrapped. Throws on revert. */
  async call(read: ReadCall): Promise<unknown> {
    const iface = await this.catalog.iface(read.contract);
    const fragment = iface.getFunction(read.fn);
    if (!fragment) throw new Error(`${read.contract} has no function ${read.fn}`);
    const data = iface.encodeFunctionData(fragment, read.args);
    const raw = await this.provider.call({ to: read.to, data, blockTag: this.block });
    const decoded = iface.decodeFunctionResult(fragment, raw);
    return decoded.length === 1 ? decoded[0] : decoded.toArray(true);
  }

  /** Like `call`, but a revert (or no code) gives `undefined`. */
  async tryCall(read: ReadCall): Promise<unknown> {
    try {
      return await this.call(read);
    } catch {
      return undefined;
    }
  }

  async callMany(reads: ReadCall[]): Promise<unknown[]> {
    const results: unknown[] = new Array(reads.length);
    for (let start = 0; start < reads.length; start += CONCURRENCY) {
      const chunk = reads.slice(start, start + CONCURRENCY);
      const values = await Promise.all(chunk.map((read) => this.call(read)));
      values.forEach((value, i) => (results[start + i] = value));
    }
    return results;
  }

  async code(address: string): Promise<string> {
    return this.provider.getCode(address, this.block);
  }

  async hasCode(address: string): Promise<boolean> {
    return (await this.code(address)) !== "0x";
  }
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
