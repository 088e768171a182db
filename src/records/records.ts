import { CutoverInputError } from "../errors.js";
import { mkdir, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { TransactionReceipt } from "ethers";
import { exists, writeAtomically } from "../util/fs.js";
import { toJson } from "../util/json.js";
import { systemRecordFromHardhatDeploy } from "./from-hardhat-deploy.js";
import { parseSystemRecord, type SystemRecord } from "./schema.js";

/** One contract's record, in hardhat-deploy's `deployments/<network>/<Name>.json` layout. */
export interface DeploymentRecord {
  address: string;
  abi: readonly unknown[];
  transactionHash: string;
  receipt: ReturnType<typeof receiptRecord>;
  args: unknown[];
  numDeployments: number;
  libraries?: Record<string, string>;
  bytecode?: string;
  deployedBytecode?: string;
  /** The rest of what hardhat-deploy v2 writes (argsData, transaction, link references, metadata, …): hardhat-deploy.ts. */
  [field: string]: unknown;
}

export {
  parseSystemRecord,
  type MarketRecord,
  type SupersededEntry,
  type SupersededOrderBook,
  type SystemRecord,
} from "./schema.js";

export function networkDir(root: string, network: string): string {
  return path.join(root, "deployments", network);
}

export function systemRecordPath(root: string, network: string): string {
  return path.join(root, "deployments", `${network}-deployment.json`);
}

/** The receipt as hardhat-deploy stores it (numbers that may exceed 2^53 as decimal strings). */
export function receiptRecord(receipt: TransactionReceipt) {
  return {
    to: receipt.to,
    from: receipt.from,
    contractAddress: receipt.contractAddress,
    transactionIndex: receipt.index,
    gasUsed: receipt.gasUsed.toString(),
    logsBloom: receipt.logsBloom,
    blockHash: receipt.blockHash,
    transactionHash: receipt.hash,
    logs: receipt.logs.map((log) => ({
      transactionIndex: log.transactionIndex,
      blockNumber: log.blockNumber,
      transactionHash: log.transactionHash,
      address: log.address,
      topics: [...log.topics],
      data: log.data,
      logIndex: log.index,
      blockHash: log.blockHash,
    })),
    blockNumber: receipt.blockNumber,
    cumulativeGasUsed: receipt.cumulativeGasUsed.toString(),
    status: receipt.status,
    byzantium: true,
  };
}

/**
 * Clears the way for a newly deployed system's records, so they never mix with files of an earlier one. Records of a
 * persistent chain are moved to `deployments/.previous/<network>-<time>/` (nothing is deleted; returns where they
 * went). Records of an in-process chain describe a chain that ended with its process, and are removed.
 */
export async function retireNetworkRecords(
  root: string,
  network: string,
  chainIsEphemeral: boolean,
): Promise<string | null> {
  const folder = networkDir(root, network);
  const aggregate = systemRecordPath(root, network);
  if (!(await exists(folder)) && !(await exists(aggregate))) return null;
  if (chainIsEphemeral) {
    await rm(folder, { recursive: true, force: true });
    await rm(aggregate, { force: true });
    return null;
  }
  const destination = path.join(
    root,
    "deployments",
    ".previous",
    `${network}-${new Date().toISOString().replace(/[:.]/g, "-")}`,
  );
  await mkdir(destination, { recursive: true });
  if (await exists(folder)) await rename(folder, path.join(destination, network));
  if (await exists(aggregate)) await rename(aggregate, path.join(destination, path.basename(aggregate)));
  return destination;
}

export async function writeDeploymentRecord(
  root: string,
  network: string,
  name: string,
  record: DeploymentRecord,
): Promise<void> {
  await writeAtomically(path.join(networkDir(root, network), `${name}.json`), toJson(record));
}

/**
 * The network folder's chain: `.chainId` (hardhat-deploy v1) and, given the genesis hash, `.chain` (hardhat-deploy v2:
 * `{ chainId: "<decimal>", genesisHash }`; with `.chainId` alone, v2 rewrites it into `.chain` on first load).
 */
export async function writeChainId(
  root: string,
  network: string,
  chainId: number,
  genesisHash?: string,
): Promise<void> {
  await writeAtomically(path.join(networkDir(root, network), ".chainId"), String(chainId));
  if (genesisHash)
    await writeAtomically(
      path.join(networkDir(root, network), ".chain"),
      JSON.stringify({ chainId: String(chainId), genesisHash }),
    );
}

export async function writeSystemRecord(root: string, record: SystemRecord): Promise<void> {
  await writeAtomically(systemRecordPath(root, record.network), toJson(record));
}

/** The aggregated record, or (without one) the starting point hardhat-deploy's files give; undefined without either. */
export async function readSystemRecordIfAny(root: string, network: string): Promise<SystemRecord | undefined> {
  return (await exists(systemRecordPath(root, network)))
    ? readSystemRecord(root, network)
    : systemRecordFromHardhatDeploy(root, network);
}

/** Where to start scanning a contract's events: its deployment block when its record has it, else genesis. */
export async function deploymentBlock(
  root: string,
  network: string,
  recordName: string,
  address: string,
): Promise<number> {
  const file = path.join(networkDir(root, network), `${recordName}.json`);
  if (!(await exists(file))) return 0;
  const record = JSON.parse(await readFile(file, "utf8")) as { address?: string; receipt?: { blockNumber?: number } };
  return record.address?.toLowerCase() === address.toLowerCase() ? (record.receipt?.blockNumber ?? 0) : 0;
}

/** The aggregated record, validated against its schema: a field of the wrong shape is an error naming the file and field. */
export async function readSystemRecord(root: string, network: string): Promise<SystemRecord> {
  const file = systemRecordPath(root, network);
  if (!(await exists(file))) {
    const fromHardhatDeploy = await systemRecordFromHardhatDeploy(root, network);
    if (fromHardhatDeploy) return fromHardhatDeploy;
  }
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new Error(
      `Cannot read the system record ${file} (${(error as Error).message}). Deploy or import the system first, e.g. \`npx hardhat mocks:deploy-system --network ${network}\`.`,
    );
  }
  return parseSystemRecord(value, file);
}

/** Refuses records written for another chain than the one connected. */
export function requireRecordsChain(records: SystemRecord | undefined, chainId: number, network: string): void {
  if (records && records.chainId !== chainId) {
    throw new CutoverInputError(
      "--network",
      network,
      `the records deployments/${network}-deployment.json are for chain ${records.chainId} but this network is chain ${chainId}; connect to the right network or fix the records`,
    );
  }
}
