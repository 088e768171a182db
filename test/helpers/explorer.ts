// A block explorer on 127.0.0.1 that speaks the Etherscan v2 API as hardhat-verify uses it (getsourcecode,
// verifysourcecode, checkverifystatus). It accepts every submission and records it for the test to inspect.
import { createServer, type IncomingMessage } from "node:http";

export interface Submission {
  address: string;
  contractName: string;
  compilerVersion: string;
  constructorArguments: string;
  chainId: string;
  /** settings.libraries of the standard JSON input that was submitted. */
  libraries: Record<string, Record<string, string>>;
  sources: string[];
}

export interface LocalExplorer {
  url: string;
  apiUrl: string;
  submissions: Submission[];
  verified: Set<string>;
  close(): Promise<void>;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    req.on("data", (chunk) => (text += chunk));
    req.on("end", () => resolve(text));
  });
}

export async function startExplorer(apiKey: string): Promise<LocalExplorer> {
  const submissions: Submission[] = [];
  const verified = new Set<string>();
  const pending = new Map<string, string>();
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const q = url.searchParams;
    const reply = (status: string, result: unknown) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ status, message: status === "1" ? "OK" : "NOTOK", result }));
    };
    if (q.get("apikey") !== apiKey) return reply("0", "Invalid API Key");
    const action = q.get("action");
    if (req.method === "GET" && action === "getsourcecode") {
      const address = (q.get("address") ?? "").toLowerCase();
      return reply("1", [{ SourceCode: verified.has(address) ? "{}" : "", ContractName: "" }]);
    }
    if (req.method === "POST" && action === "verifysourcecode") {
      const form = new URLSearchParams(await body(req));
      const input = JSON.parse(form.get("sourceCode") ?? "{}") as {
        sources?: Record<string, unknown>;
        settings?: { libraries?: Record<string, Record<string, string>> };
      };
      const address = (form.get("contractaddress") ?? "").toLowerCase();
      submissions.push({
        address,
        contractName: form.get("contractname") ?? "",
        compilerVersion: form.get("compilerversion") ?? "",
        constructorArguments: form.get("constructorArguments") ?? "",
        chainId: q.get("chainid") ?? "",
        libraries: input.settings?.libraries ?? {},
        sources: Object.keys(input.sources ?? {}),
      });
      const guid = `guid-${submissions.length}`;
      pending.set(guid, address);
      return reply("1", guid);
    }
    if (req.method === "GET" && action === "checkverifystatus") {
      const address = pending.get(q.get("guid") ?? "");
      if (!address) return reply("0", "Fail - Unable to verify: unknown guid");
      verified.add(address);
      return reply("1", "Pass - Verified");
    }
    reply("0", `unsupported ${req.method} ${action}`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    apiUrl: `${url}/api`,
    submissions,
    verified,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
