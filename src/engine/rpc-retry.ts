// One place for transient JSON-RPC failures. Every read the plugin makes (the Reader, the executors' receipt and
// nonce polls, the planners' log scans) goes through the connection's EIP-1193 `request`; `retryReads` wraps it so a
// dropped connection, a 5xx, a 429 or a timeout is asked again with bounded backoff, and a read that still fails
// throws RpcUnavailableError (never an empty or "not done" answer). Sends are not retried here: a send that may have
// reached the node is resolved by the executor (by hash and nonce), never blindly repeated.
import type { NetworkConnection } from "hardhat/types/network";
import { RpcUnavailableError } from "../errors.js";

interface Eip1193 {
  request(args: { method: string; params?: unknown[] | object }): Promise<unknown>;
}

export interface RetryPolicy {
  attempts: number;
  /** First backoff; doubled after each failure, capped at `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseDelayMs: 50, maxDelayMs: 2_000 };

/** Methods that change nothing (or set the same thing again): safe to ask twice. */
function idempotent(method: string): boolean {
  if (method === "eth_sendTransaction" || method === "eth_sendRawTransaction" || method.startsWith("eth_sign"))
    return false;
  return (
    method.startsWith("eth_") ||
    method.startsWith("net_") ||
    method.startsWith("web3_") ||
    method === "hardhat_metadata" ||
    method === "hardhat_setCode"
  );
}

/**
 * A failure of the transport, not an answer: Hardhat's HTTP provider reports connection errors and 5xx as code -1
 * (UnknownError), an exhausted 429 as -32005; timeouts and refused connections as HardhatErrors.
 */
export function isTransient(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  if (e?.code === -1 || e?.code === -32005 || e?.code === 429) return true;
  // Any other JSON-RPC error code is the node's answer (a revert, a rejected send), not a transport failure.
  if (typeof e?.code === "number") return false;
  const message = String(e?.message ?? "");
  return /timeout|timed out|ECONNRESET|ECONNREFUSED|socket hang up|other side closed|fetch failed|connection refused|too many requests|\b50[0-4]\b|bad gateway|service unavailable/i.test(
    message,
  );
}

const WRAPPED = Symbol.for("hardhat-cutover.retryReads");

/**
 * Makes `provider.request` retry idempotent methods on transient failures (in place, once per provider: the ethers
 * provider of the same connection calls through it too). `rpc` names the endpoint in errors.
 */
export function retryReads(provider: Eip1193, rpc: string, policy: RetryPolicy = DEFAULT_RETRY): void {
  const target = provider as Eip1193 & { [WRAPPED]?: boolean };
  if (target[WRAPPED]) return;
  const original = provider.request.bind(provider);
  target.request = async (args) => {
    if (!idempotent(args.method)) return original(args);
    return withRetries(() => original(args), describe(args), rpc, policy);
  };
  target[WRAPPED] = true;
}

/** Runs `attempt` until it succeeds, fails for a non-transient reason (rethrown as is), or runs out of attempts. */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  what: string,
  rpc: string,
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<T> {
  let lastError: unknown;
  for (let i = 0; i < policy.attempts; i++) {
    if (i > 0) await sleep(Math.min(policy.baseDelayMs * 2 ** (i - 1), policy.maxDelayMs));
    try {
      return await attempt();
    } catch (error) {
      if (!isTransient(error)) throw error;
      lastError = error;
    }
  }
  throw new RpcUnavailableError(what, rpc, policy.attempts, String((lastError as Error)?.message ?? lastError));
}

function describe(args: { method: string; params?: unknown[] | object }): string {
  const params = Array.isArray(args.params) ? args.params : [];
  const first = params[0] as { to?: string } | string | undefined;
  if (args.method === "eth_call" && typeof first === "object" && first?.to) return `eth_call to ${first.to}`;
  if (typeof first === "string" && /^0x[0-9a-fA-F]{40}$/.test(first)) return `${args.method} of ${first}`;
  if (typeof first === "string" && /^0x[0-9a-fA-F]{64}$/.test(first)) return `${args.method} of ${first}`;
  return args.method;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `retryReads` on a Hardhat network connection, naming its endpoint (its URL, or the in-process chain). */
export async function retryConnectionReads(conn: NetworkConnection): Promise<void> {
  const rpc =
    conn.networkConfig.type === "http"
      ? await conn.networkConfig.url.getUrl()
      : `the ${conn.networkName} in-process chain`;
  retryReads(conn.provider as unknown as Eip1193, rpc);
}
