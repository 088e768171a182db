// A loopback JSON-RPC proxy in front of a node, with seeded faults: the network that lies. Each request draws once
// from a seeded generator: dropped (the connection is cut, the node never sees it), answered 5xx or 429 without
// reaching the node, delayed, or passed through. Sends (eth_sendTransaction / eth_sendRawTransaction) may also be
// forwarded, accepted by the node, and then answered with an error or a cut connection.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export interface FaultRates {
  /** Connection cut before the node sees the request. */
  drop: number;
  /** 500 / 502 / 503 without reaching the node. */
  serverError: number;
  /** 429 (Retry-After: 0) without reaching the node. */
  tooMany: number;
  /** Forwarded after 20–300 ms. */
  delay: number;
  /** Of the sends that get through: forwarded, accepted, then answered with a 502 or a cut connection. */
  sendAcceptedThenError: number;
}

export const NO_FAULTS: FaultRates = { drop: 0, serverError: 0, tooMany: 0, delay: 0, sendAcceptedThenError: 0 };

/** The hostile network: 15 % drops, 5 % 5xx, 4 % 429, 15 % delays, 25 % of sends errored after acceptance. */
export const HOSTILE: FaultRates = {
  drop: 0.15,
  serverError: 0.05,
  tooMany: 0.04,
  delay: 0.15,
  sendAcceptedThenError: 0.25,
};

export interface FaultStats {
  requests: number;
  forwarded: number;
  dropped: number;
  serverErrors: number;
  tooMany: number;
  delayed: number;
  sendsAcceptedThenErrored: number;
  byMethod: Record<string, number>;
  /** JSON-RPC calls by method, each entry of a batch counted (byMethod counts HTTP requests by their first call). */
  calls: Record<string, number>;
}

export interface FaultProxy {
  url: string;
  stats: FaultStats;
  /** Changes the rates from now on (e.g. NO_FAULTS while the test itself sets the chain up). */
  setRates(rates: FaultRates): void;
  close(): Promise<void>;
}

/** mulberry32: a small seeded generator, so a failing run can be replayed with the same seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const isSend = (method: string) => method === "eth_sendTransaction" || method === "eth_sendRawTransaction";

/**
 * `errorFirstSend`: the first send that gets through is answered with an error after the node accepted it, whatever
 * the draw (a run with few send requests may otherwise draw none at 25 %); later sends draw as usual.
 */
export async function startFaultProxy(
  target: string,
  rates: FaultRates,
  seed = 1,
  options: { errorFirstSend?: boolean } = {},
): Promise<FaultProxy> {
  const random = seeded(seed);
  let current = rates;
  const stats: FaultStats = {
    requests: 0,
    forwarded: 0,
    dropped: 0,
    serverErrors: 0,
    tooMany: 0,
    delayed: 0,
    sendsAcceptedThenErrored: 0,
    byMethod: {},
    calls: {},
  };
  const forward = async (body: string) => {
    stats.forwarded++;
    const response = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body });
    return { status: response.status, text: await response.text() };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const parsed = JSON.parse(body) as { method?: string } | { method?: string }[];
    const method = (Array.isArray(parsed) ? parsed[0]?.method : parsed.method) ?? "?";
    stats.requests++;
    stats.byMethod[method] = (stats.byMethod[method] ?? 0) + 1;
    for (const call of Array.isArray(parsed) ? parsed : [parsed])
      stats.calls[call.method ?? "?"] = (stats.calls[call.method ?? "?"] ?? 0) + 1;
    const roll = random();
    let edge = current.drop;
    if (roll < edge) {
      stats.dropped++;
      req.socket.destroy();
      return;
    }
    if (roll < (edge += current.serverError)) {
      stats.serverErrors++;
      res.writeHead([500, 502, 503][Math.floor(random() * 3)], { "content-type": "text/plain" }).end("upstream error");
      return;
    }
    if (roll < (edge += current.tooMany)) {
      stats.tooMany++;
      res.writeHead(429, { "retry-after": "0", "content-type": "text/plain" }).end("too many requests");
      return;
    }
    if (roll < (edge += current.delay)) {
      stats.delayed++;
      await new Promise((r) => setTimeout(r, 20 + Math.floor(random() * 280)));
    }
    const answer = await forward(body);
    const forced = options.errorFirstSend === true && stats.sendsAcceptedThenErrored === 0;
    if (isSend(method) && (forced || random() < current.sendAcceptedThenError)) {
      stats.sendsAcceptedThenErrored++;
      if (random() < 0.5) req.socket.destroy();
      else res.writeHead(502, { "content-type": "text/plain" }).end("bad gateway");
      return;
    }
    res.writeHead(answer.status, { "content-type": "application/json" }).end(answer.text);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    setRates: (next) => (current = next),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
