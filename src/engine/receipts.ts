// Receipts by block: one request per new block (eth_getBlockReceipts) for every transaction waited on, instead of one
// eth_getTransactionReceipt per transaction per poll. Nodes without eth_getBlockReceipts are asked per hash.
import { getAddress } from "ethers";
import { RpcUnavailableError } from "../errors.js";
import { isTransient, sleep } from "./rpc-retry.js";

/** A mined transaction's receipt, as the engine keeps it. */
export interface MinedReceipt {
  hash: string;
  status: number;
  blockNumber: number;
  contractAddress: string | null;
  gasUsed: bigint;
}

interface RpcReceipt {
  transactionHash: string;
  status?: string;
  blockNumber: string;
  contractAddress?: string | null;
  gasUsed: string;
}

function fromRpc(raw: RpcReceipt): MinedReceipt {
  return {
    hash: raw.transactionHash.toLowerCase(),
    status: Number(raw.status ?? 0),
    blockNumber: Number(raw.blockNumber),
    contractAddress: raw.contractAddress ? getAddress(raw.contractAddress) : null,
    gasUsed: BigInt(raw.gasUsed),
  };
}

/** What receipts are read through (an ethers provider that takes raw JSON-RPC requests). */
interface ReceiptProvider {
  send(method: string, params?: unknown[]): Promise<any>;
  getBlock(tag: "latest"): Promise<{ baseFeePerGas: bigint | null } | null>;
}

interface Waiter {
  hashes: string[];
  resolve: (found: MinedReceipt | undefined) => void;
  reject: (error: unknown) => void;
}

/**
 * One receipt poll for every transaction waited on at once: each `next` call waits for the next shared round (one
 * eth_blockNumber, then one eth_getBlockReceipts per block not read yet) and gets the receipt of one of its hashes,
 * if mined. Every receipt of the blocks read is kept (hash → a few fields), so a wait that starts after its block was
 * read still finds it.
 */
export class SharedReceipts {
  /** The next block to read; undefined until the first wait says where to start. */
  #next: number | undefined;
  #byBlock = true;
  readonly #found = new Map<string, MinedReceipt>();
  #waiters: Waiter[] = [];
  #running = false;
  #baseFee: { block: number; fee: Promise<bigint> } | undefined;
  /** The latest block number the last round saw. */
  latest = 0;

  constructor(
    private readonly provider: ReceiptProvider,
    private readonly intervalMs: number,
  ) {}

  /**
   * The receipt of one of `hashes` after the next round, or undefined if none is mined yet. `fromBlock`: the first
   * block these transactions could be mined in (blocks before it that were never read are not read for them).
   */
  next(hashes: string[], fromBlock: number): Promise<MinedReceipt | undefined> {
    if (this.#next === undefined || fromBlock < this.#next) this.#next = Math.min(fromBlock, this.#next ?? fromBlock);
    return new Promise((resolve, reject) => {
      this.#waiters.push({ hashes: hashes.map((h) => h.toLowerCase()), resolve, reject });
      if (!this.#running) void this.#round();
    });
  }

  /** The latest block's base fee, read once per block whoever asks. */
  baseFee(): Promise<bigint> {
    if (this.#baseFee?.block !== this.latest) {
      const fee = this.provider.getBlock("latest").then((b) => b?.baseFeePerGas ?? 0n);
      fee.catch(() => (this.#baseFee = undefined));
      this.#baseFee = { block: this.latest, fee };
    }
    return this.#baseFee.fee;
  }

  async #round(): Promise<void> {
    this.#running = true;
    await sleep(this.intervalMs);
    const waiters = this.#waiters;
    this.#waiters = [];
    try {
      await this.#poll(waiters.flatMap((w) => w.hashes));
      for (const waiter of waiters)
        waiter.resolve(waiter.hashes.map((h) => this.#found.get(h)).find((r) => r !== undefined));
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
    }
    this.#running = false;
    if (this.#waiters.length > 0) void this.#round();
  }

  async #poll(wanted: string[]): Promise<void> {
    this.latest = Number(await this.provider.send("eth_blockNumber", []));
    while (this.#byBlock && this.#next! <= this.latest) {
      let receipts: RpcReceipt[] | null;
      try {
        receipts = await this.provider.send("eth_getBlockReceipts", [`0x${this.#next!.toString(16)}`]);
      } catch (error) {
        if (isTransient(error) || error instanceof RpcUnavailableError) throw error;
        this.#byBlock = false; // a node without eth_getBlockReceipts
        break;
      }
      if (receipts === null) break; // a node behind the block number it gave: read it next round
      for (const raw of receipts) this.#found.set(raw.transactionHash.toLowerCase(), fromRpc(raw));
      this.#next!++;
    }
    if (this.#byBlock) return;
    for (const hash of wanted.filter((h) => !this.#found.has(h))) {
      const raw: RpcReceipt | null = await this.provider.send("eth_getTransactionReceipt", [hash]);
      if (raw) this.#found.set(hash, fromRpc(raw));
    }
  }
}
