// A loopback JSON-RPC server for tests that stand between a task and its node: `answer` gets each parsed body (one
// request or a batch) and `forward` sends a body on to the node as is.
import { createServer, type Server } from "node:http";

export interface RpcRequest {
  id: unknown;
  method: string;
  params?: Record<string, string | undefined>[];
}

export type Answer = (
  body: RpcRequest | RpcRequest[],
  forward: (body: unknown) => Promise<unknown>,
) => Promise<unknown>;

export async function jsonRpcProxy(
  target: string,
  answer: Answer,
): Promise<{ url: string; close: () => Promise<void> }> {
  const forward = async (body: unknown) =>
    (
      await fetch(target, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      })
    ).json();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      answer(JSON.parse(Buffer.concat(chunks).toString("utf8")), forward).then(
        (json) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(json)),
        () => req.socket.destroy(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
