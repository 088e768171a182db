// A local `hardhat node` and Hardhat CLI child processes, for tests that need a chain that outlives a process.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import path from "node:path";
import hre, { network } from "hardhat";
import { createHardhatRuntimeEnvironment } from "hardhat/hre";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import type { CutoverUserConfig } from "../../src/config.js";
import type { JournalEntry } from "../../src/engine/journal.js";

const root = hre.config.paths.root;
const hardhatCli = path.join(
  path.dirname(createRequire(import.meta.url).resolve("hardhat/package.json")),
  "dist/src/cli.js",
);

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function hardhat(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [hardhatCli, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export function finished(
  child: ChildProcess,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => (stdout += d));
  child.stderr?.on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/** The journal's entries; a line torn by a kill is skipped. */
export function journalEntries(file: string): JournalEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as JournalEntry];
      } catch {
        return [];
      }
    });
}

export function journalPath(network: string, runKey: string): string {
  return path.join(root, "deployments", network, ".cutover", runKey, "journal.jsonl");
}

/** Kills `child` with SIGKILL once the journal holds `k` broadcast transactions (or the child has ended). */
export async function killAfterSent(child: ChildProcess, journal: string, k: number): Promise<void> {
  while (journalEntries(journal).filter((e) => e.type === "sent").length < k && child.exitCode === null) {
    await new Promise((r) => setTimeout(r, 5));
  }
  child.kill("SIGKILL");
}

/** Waits (up to 20 s) until the connection's node answers JSON-RPC. */
export async function waitForRpc(conn: NetworkConnection): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await conn.provider.request({ method: "eth_blockNumber" });
      return;
    } catch (error) {
      if (i > 200) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export interface LocalNode {
  url: string;
  conn: NetworkConnection;
  stop(): void;
  /** Mine every `ms` milliseconds (transactions wait in the mempool), or on every transaction when undefined. */
  mining(ms?: number): Promise<void>;
}

/** Starts `hardhat node` on a free loopback port and connects to it as the `localhost` network. */
export async function startNode(): Promise<LocalNode> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = hardhat(["node", "--hostname", "127.0.0.1", "--port", String(port)]);
  const conn = (await network.create({
    network: "localhost",
    chainType: "generic",
    override: { url },
  })) as NetworkConnection;
  await waitForRpc(conn);
  return {
    url,
    conn,
    stop: () => child.kill("SIGKILL"),
    async mining(ms) {
      if (ms === undefined) {
        await conn.provider.request({ method: "evm_setAutomine", params: [true] });
      } else {
        await conn.provider.request({ method: "evm_setAutomine", params: [false] });
        await conn.provider.request({ method: "evm_setIntervalMining", params: [ms] });
      }
    },
  };
}

/**
 * A Hardhat runtime of this project whose default network, `name`, is the node at `url`, with `cutover` config added
 * (as a user's config would set it): tasks run in this process, every read and send goes over HTTP to the node.
 * Its records and runs are in deployments/<name>/.
 */
export async function runtimeOn(
  url: string,
  name: string,
  cutover: CutoverUserConfig = {},
): Promise<HardhatRuntimeEnvironment> {
  const { default: userConfig } = await import("../../hardhat.config.js");
  return createHardhatRuntimeEnvironment(
    {
      ...userConfig,
      networks: { ...userConfig.networks, [name]: { type: "http", chainType: "l1", url } },
      cutover,
    },
    { network: name },
    root,
  );
}
