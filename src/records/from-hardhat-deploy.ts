// A project deployed with hardhat-deploy (v1 or v2) has `deployments/<network>/<Name>.json` and no aggregated record of
// ours: its records are the starting point. Each record name becomes a contracts key (CoreVault -> CORE_VAULT,
// OrderBookInit -> ORDERBOOK_INIT, MockUSDC -> MOCK_USDC); the markets are not listed (`source: "hardhat-deploy"`),
// so the tasks discover them on chain through the protocol profile.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { exists } from "../util/fs.js";
import { parseSystemRecord, type SystemRecord } from "./schema.js";

/** Marks an aggregated record built from hardhat-deploy's files: its markets list is not the whole fleet. */
export const FROM_HARDHAT_DEPLOY = "hardhat-deploy";

/** The aggregated record's key for a hardhat-deploy record name. */
export function recordKey(name: string): string {
  return name
    .replace(/OrderBook/g, "Orderbook")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toUpperCase();
}

/** The chain id a network folder names: `.chain` (hardhat-deploy v2) or `.chainId` (v1); undefined without either. */
async function folderChainId(dir: string): Promise<number | undefined> {
  if (await exists(path.join(dir, ".chain")))
    return Number((JSON.parse(await readFile(path.join(dir, ".chain"), "utf8")) as { chainId: string }).chainId);
  if (await exists(path.join(dir, ".chainId")))
    return Number((await readFile(path.join(dir, ".chainId"), "utf8")).trim());
  return undefined;
}

/**
 * The aggregated record read from hardhat-deploy's files in `deployments/<network>/`, or undefined when the folder has
 * none (or names no chain). OrderBook records (`OrderBook_<symbol>`) are not contracts keys.
 */
export async function systemRecordFromHardhatDeploy(root: string, network: string): Promise<SystemRecord | undefined> {
  const dir = path.join(root, "deployments", network);
  if (!(await exists(dir))) return undefined;
  const chainId = await folderChainId(dir);
  const files = (await readdir(dir)).filter((f) => f.endsWith(".json") && !f.startsWith("."));
  if (chainId === undefined || files.length === 0) return undefined;
  const contracts: Record<string, string> = {};
  for (const file of files.sort()) {
    const name = file.slice(0, -".json".length);
    if (name.startsWith("OrderBook_")) continue;
    const { address } = JSON.parse(await readFile(path.join(dir, file), "utf8")) as { address?: unknown };
    if (typeof address === "string") contracts[recordKey(name)] = address;
  }
  return parseSystemRecord(
    { network, chainId, contracts, markets: [], source: FROM_HARDHAT_DEPLOY },
    path.join(dir, "*.json"),
  );
}
