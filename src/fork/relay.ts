// A loopback relay in front of the RPC a fork reads its state from: each request is forwarded with the plugin's
// bounded retries on transport failures (a cut connection, 5xx, 429, a timeout), so the fork sees answers, not faults.
// Without it, the in-process fork's own retries back off for tens of seconds per failed read on a flaky RPC.
import { createServer, type Server } from "node:http";
import { DEFAULT_RETRY, sleep } from "../engine/rpc-retry.js";

/** How long one forwarded request may take before it counts as failed. */
const ATTEMPT_TIMEOUT_MS = 20_000;

export interface Relay {
  url: string;
  close(): Promise<void>;
}

/** Forwards a JSON-RPC body to `target` until it gets an answer that is not a transport failure. */
async function forward(target: string, body: Buffer): Promise<{ status: number; text: string }> {
  let last: unknown;
  for (let i = 0; i < DEFAULT_RETRY.attempts; i++) {
    if (i > 0) await sleep(Math.min(DEFAULT_RETRY.baseDelayMs * 2 ** (i - 1), DEFAULT_RETRY.maxDelayMs));
    try {
      const response = await fetch(target, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
      const text = await response.text();
      if (response.status !== 429 && response.status < 500) return { status: response.status, text };
      last = new Error(`HTTP ${response.status}`);
    } catch (error) {
      last = error;
    }
  }
  throw last;
}

/** Starts a relay to `target` on a free loopback port. */
export async function retryingRelay(target: string): Promise<Relay> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      forward(target, Buffer.concat(chunks)).then(
        ({ status, text }) => res.writeHead(status, { "content-type": "application/json" }).end(text),
        // still failing after every retry: the fork sees the failure (and its own retries take over)
        () => req.socket.destroy(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
