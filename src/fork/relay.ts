// A loopback relay in front of the RPC a fork reads its state from: each request is forwarded with the plugin's
// bounded retries on transport failures (a cut connection, 5xx, 429, a timeout), so the fork sees answers, not faults.
// Without it, the in-process fork's own retries back off for tens of seconds per failed read on a flaky RPC. Reads at
// the fork's block are answered once each and fetched in batches (pinned-reads.ts). A read that still fails after
// every retry is answered with a JSON-RPC error naming it ("could not read X from <rpc>") and remembered, so the run
// stops naming it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { withRetries, type RetryPolicy } from "../engine/rpc-retry.js";
import { RpcUnavailableError } from "../errors.js";
import { NodeAnswerError, PinnedReads, type Answer, type JsonRpcCall } from "./pinned-reads.js";

/** How long one forwarded request may take before it counts as failed. */
const ATTEMPT_TIMEOUT_MS = 20_000;
/**
 * The fork reads one value at a time and waits for each, so the first retry comes quickly; about as patient in all as
 * the plugin's own reads (4.6 s of backoff over 10 attempts, against 5.2 s over 8).
 */
const FORK_RETRY: RetryPolicy = { attempts: 10, baseDelayMs: 10, maxDelayMs: 2_000 };

export interface Relay {
  url: string;
  /** The first read that failed after every retry, if any. */
  failure(): RpcUnavailableError | undefined;
  close(): Promise<void>;
}

/** Posts a JSON-RPC body to `target` until it gets an answer that is not a transport failure. */
async function forward(target: string, body: string, what: string): Promise<{ status: number; text: string }> {
  return withRetries(
    async () => {
      const response = await fetch(target, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
      const text = await response.text();
      if (response.status === 429) throw new Error("HTTP 429 too many requests");
      if (response.status >= 500) throw new Error(`HTTP ${response.status} service unavailable`);
      return { status: response.status, text };
    },
    what,
    target,
    FORK_RETRY,
  );
}

/** One batch upstream; a node that does not answer batches gets the calls one by one. */
function batchFetcher(target: string) {
  return async (calls: JsonRpcCall[]): Promise<Answer[]> => {
    const what = calls.length === 1 ? describe(calls[0]) : `${calls.length} reads (${describe(calls[0])}, …)`;
    const body = JSON.stringify(calls.map((c, id) => ({ jsonrpc: "2.0", id, method: c.method, params: c.params })));
    const { text } = await forward(target, body, what);
    const answers: unknown = JSON.parse(text);
    if (!Array.isArray(answers) || answers.length !== calls.length) {
      if (calls.length === 1) throw new Error(`unexpected answer to a batch: ${text.slice(0, 200)}`);
      return (await Promise.all(calls.map((c) => batchFetcher(target)([c])))).flat();
    }
    const byId = new Map(answers.map((a: { id: number } & Answer) => [a.id, a]));
    return calls.map((_, id) => byId.get(id) ?? { error: { code: -32603, message: "no answer in the batch" } });
  };
}

/** The JSON-RPC error answer to `body` (one call or a batch) for a read that could not be made. */
function unavailable(body: string, error: RpcUnavailableError): string {
  const calls = JSON.parse(body) as JsonRpcCall | JsonRpcCall[];
  const answer = (c: JsonRpcCall) => ({ jsonrpc: "2.0", id: c.id, error: { code: -32603, message: error.message } });
  return JSON.stringify(Array.isArray(calls) ? calls.map(answer) : answer(calls));
}

function describe(call: JsonRpcCall): string {
  return `${call.method}(${(call.params ?? []).map((p) => String(p)).join(", ")})`;
}

/** Starts a relay to `target` on a free loopback port. */
export async function retryingRelay(target: string): Promise<Relay> {
  const reads = new PinnedReads(batchFetcher(target));
  let failure: RpcUnavailableError | undefined;
  const answer = async (body: string, res: ServerResponse) => {
    const call = JSON.parse(body) as JsonRpcCall | JsonRpcCall[];
    const cached = Array.isArray(call) ? undefined : reads.read(call);
    if (!cached) {
      const { status, text } = await forward(target, body, Array.isArray(call) ? "a batch" : describe(call));
      return res.writeHead(status, { "content-type": "application/json" }).end(text);
    }
    const id = (call as JsonRpcCall).id;
    const reply = await cached.then(
      (result) => ({ jsonrpc: "2.0", id, result }),
      (error) => {
        if (error instanceof NodeAnswerError) return { jsonrpc: "2.0", id, error: error.error };
        throw error;
      },
    );
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(reply));
  };
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      answer(body, res).catch((error: unknown) => {
        if (!(error instanceof RpcUnavailableError)) return req.socket.destroy();
        failure ??= error;
        // still failing after every retry: a JSON-RPC error, not a cut connection, or the fork would retry it again
        // for minutes (each of its attempts waiting on ours) before the run can stop naming the read
        res.writeHead(200, { "content-type": "application/json" }).end(unavailable(body, error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    failure: () => failure,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
