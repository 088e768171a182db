import { toBeHex, type Provider } from "ethers";
import type { Journal, TxFields } from "./journal.js";

/** An ethers provider that also takes raw JSON-RPC requests (hardhat-ethers' provider, or a JsonRpcProvider). */
export type ChainProvider = Provider & { send(method: string, params?: unknown[]): Promise<any> };

/** A transaction the engine wants sent for a step. */
export interface TxRequest {
  stepId: string;
  from: string;
  to?: string;
  data: string;
  value: bigint;
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

/** Kill this process (SIGKILL) right after the `after`-th transaction is journaled, or broadcast. */
export interface FaultInjection {
  kind: "journal" | "broadcast";
  after: number;
}

/** A fault given as "kill-after-journal:N" or "kill-after-broadcast:N" (the CUTOVER_FAULT variable); undefined otherwise. */
export function parseFault(value: string | undefined): FaultInjection | undefined {
  const match = /^kill-after-(journal|broadcast):(\d+)$/.exec(value ?? "");
  return match ? { kind: match[1] as FaultInjection["kind"], after: Number(match[2]) } : undefined;
}

const GAS_HEADROOM_PERCENT = 120n;

/**
 * Sends from an account the node (or Hardhat) can sign for. Nonces are explicit, taken from the account's pending
 * count. Every transaction is written to the journal with all its fields before it is broadcast, so after a crash it
 * can be broadcast again as the very same signed transaction (deterministic signatures) instead of a new one.
 */
export class EoaExecutor {
  readonly #faultCounts = { journal: 0, broadcast: 0 };

  constructor(
    private readonly provider: ChainProvider,
    private readonly journal: Journal,
    private readonly options: EoaExecutorOptions,
  ) {}

  /** Fault injection for crash tests (options.fault): dies right after the configured journal write or broadcast. */
  #faultPoint(point: FaultInjection["kind"]): void {
    const fault = this.options.fault;
    if (fault && fault.kind === point && ++this.#faultCounts[point] === fault.after)
      process.kill(process.pid, "SIGKILL");
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
    const pending: Promise<TxOutcome>[] = [];
    const signable = new Set(this.options.signers.map((a) => a.toLowerCase()));
    for (const request of requests) {
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
      if (!nonces.has(from))
        nonces.set(from, BigInt(await this.provider.send("eth_getTransactionCount", [request.from, "pending"])));
      let gas: bigint;
      try {
        gas =
          ((await this.provider.estimateGas({
            from: request.from,
            to: request.to,
            data: request.data,
            value: request.value,
          })) *
            GAS_HEADROOM_PERCENT) /
          100n;
      } catch (error) {
        pending.push(Promise.resolve(this.#failed(request.stepId, `would revert, not sent: ${reason(error)}`)));
        continue;
      }
      const tx: TxFields = {
        from: request.from,
        ...(request.to ? { to: request.to } : {}),
        data: request.data,
        value: toBeHex(request.value),
        nonce: toBeHex(nonces.get(from)!),
        gas: toBeHex(gas),
        maxFeePerGas: toBeHex(fees.maxFeePerGas ?? fees.gasPrice ?? 0n),
        maxPriorityFeePerGas: toBeHex(fees.maxPriorityFeePerGas ?? 0n),
        chainId,
        type: "0x2",
      };
      this.journal.append({ type: "send", stepId: request.stepId, tx, at: new Date().toISOString() });
      this.#faultPoint("journal");
      let hash: string;
      try {
        hash = await this.provider.send("eth_sendTransaction", [tx]);
      } catch (error) {
        pending.push(Promise.resolve(this.#failed(request.stepId, `rejected by the node: ${reason(error)}`)));
        continue;
      }
      this.#faultPoint("broadcast");
      this.journal.append({ type: "sent", stepId: request.stepId, nonce: tx.nonce, hash });
      nonces.set(from, nonces.get(from)! + 1n);
      onSent(request.stepId, hash);
      pending.push(this.#awaitReceipt(request.stepId, hash));
    }
    return Promise.all(pending);
  }

  /**
   * Settles a transaction an earlier process journaled but never saw mined. Returns its outcome, or "dropped" when it
   * can no longer land (its nonce was used by something else) and it never did.
   */
  async recover(stepId: string, tx: TxFields, hash: string | undefined): Promise<TxOutcome | "dropped"> {
    if (hash) {
      const receipt = await this.provider.getTransactionReceipt(hash);
      if (receipt) return this.#awaitReceipt(stepId, hash);
    }
    const mined = BigInt(await this.provider.send("eth_getTransactionCount", [tx.from, "latest"]));
    if (mined > BigInt(tx.nonce)) return "dropped";
    // The nonce is still open: the transaction may be in a mempool. Broadcast the same one again.
    let rebroadcast: string | undefined;
    try {
      rebroadcast = await this.provider.send("eth_sendTransaction", [tx]);
    } catch {
      // Already known to the node, most likely; wait for the nonce to be used either way.
    }
    const known = rebroadcast ?? hash;
    if (known) {
      if (!hash) this.journal.append({ type: "sent", stepId, nonce: tx.nonce, hash: known });
      return this.#awaitReceipt(stepId, known);
    }
    while (BigInt(await this.provider.send("eth_getTransactionCount", [tx.from, "latest"])) <= BigInt(tx.nonce)) {
      await sleep(this.options.pollIntervalMs);
    }
    return "dropped";
  }

  async #awaitReceipt(stepId: string, hash: string): Promise<TxOutcome> {
    for (;;) {
      const receipt = await this.provider.getTransactionReceipt(hash);
      if (receipt) {
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
      await sleep(this.options.pollIntervalMs);
    }
  }

  #failed(stepId: string, why: string): TxOutcome {
    this.journal.append({ type: "failed", stepId, reason: why });
    return { stepId, error: why };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function reason(error: unknown): string {
  const e = error as { shortMessage?: string; reason?: string; message?: string };
  return e.reason ?? e.shortMessage ?? e.message ?? String(error);
}
