// corevault:snapshot: read every user's money on a vault at one block, build the snapshot, write its files.
import path from "node:path";
import { readFile } from "node:fs/promises";
import type { NetworkConnection } from "hardhat/types/network";
import type { ContractCatalog } from "../engine/contracts.js";
import { Reader } from "../engine/reader.js";
import { CutoverInputError } from "../errors.js";
import { readConcept } from "../profile/interpret.js";
import type { FundsProfile, Profile } from "../profile/schema.js";
import { writeAtomically } from "../util/fs.js";
import { toJson } from "../util/json.js";
import { creditedByEvents, enumerateUsers, readUsers, readVaultTotals, type ReadProgress } from "./read-users.js";
import { buildSnapshot, SNAPSHOT_FORMAT, snapshotCsv, type Snapshot } from "./snapshot.js";

export interface SnapshotInputs {
  vault: string;
  block: number;
  profile: Profile;
  records?: Record<string, string>;
  /** First block scanned for users' events (the vault's deployment block where the records know it). */
  fromBlock: number;
  /** Accounts the vault does not list that hold collateral (e.g. fee recipients). */
  include?: string[];
  progress?: ReadProgress;
}

/** The profile's funds entries, or an input error naming the config key that supplies them. */
export function fundsOf(profile: Profile): FundsProfile {
  if (profile.vault.funds) return profile.vault.funds;
  throw new CutoverInputError(
    "cutover.protocol.vault.funds",
    `(none in profile ${profile.name})`,
    "give how users are enumerated and read: see the built-in profiles 'reference' and 'dexetra-v5' in the README",
  );
}

/** Reads and builds the snapshot; `requests` counts the JSON-RPC requests the reads took. */
export async function takeSnapshot(
  conn: NetworkConnection,
  catalog: ContractCatalog,
  inputs: SnapshotInputs,
): Promise<{ snapshot: Snapshot; requests: number }> {
  const provider = conn.ethers.provider;
  const funds = fundsOf(inputs.profile);
  const reader = new Reader(provider, catalog, inputs.block);
  const [block, chainId] = await Promise.all([provider.getBlock(inputs.block), provider.getNetwork()]);
  const collateralToken = (await readConcept(reader, inputs.profile, "vault.collateral", {
    target: inputs.vault,
    records: inputs.records,
    address: true,
  })) as string;
  const scan = { fromBlock: inputs.fromBlock, logChunk: inputs.profile.discovery.logChunk };
  const listed = await enumerateUsers(reader, funds, inputs.vault, scan, inputs.progress);
  const users = [...new Set([...listed.users, ...(inputs.include ?? [])])];
  const reads = await readUsers(reader, funds, inputs.vault, users, inputs.progress);
  const vaultTotals = await readVaultTotals(reader, funds, inputs.vault, collateralToken);
  // where credit is not kept apart, the credit events say how much of the users' collateral has no tokens behind it
  const credited = funds.credit
    ? { total: 0n, logRequests: 0 }
    : await creditedByEvents(reader, funds, inputs.vault, scan);
  const meta = {
    network: conn.networkName,
    chainId: Number(chainId.chainId),
    block: inputs.block,
    blockHash: block!.hash!,
    vault: inputs.vault,
    collateralToken,
    profile: inputs.profile.name,
    marginInCollateral: funds.marginInCollateral,
  };
  const requests = reader.requests + listed.logRequests + credited.logRequests + 3;
  return { snapshot: buildSnapshot(meta, reads, vaultTotals, credited.total), requests };
}

/** Where a snapshot's files go: `<dir>/funds-<block>.json`, `.csv` and `.tree.json` (the standard tree's dump). */
export function snapshotFiles(dir: string, block: number): { json: string; csv: string; tree: string } {
  const base = path.join(dir, `funds-${block}`);
  return { json: `${base}.json`, csv: `${base}.csv`, tree: `${base}.tree.json` };
}

export async function writeSnapshot(dir: string, snapshot: Snapshot): Promise<ReturnType<typeof snapshotFiles>> {
  const files = snapshotFiles(dir, snapshot.block);
  await writeAtomically(files.json, toJson(snapshot));
  await writeAtomically(files.csv, snapshotCsv(snapshot));
  await writeAtomically(files.tree, toJson(snapshot.merkle.tree));
  return files;
}

/** A snapshot file written by corevault:snapshot, checked enough to plan from: an error names the file otherwise. */
/** Refuses a snapshot taken on another chain than the run's. */
export function requireSnapshotChain(snapshot: Snapshot, file: string, chainId: number): void {
  if (chainId !== snapshot.chainId)
    throw new CutoverInputError("--snapshot", file, `it was taken on chain ${snapshot.chainId}, not ${chainId}`);
}

export async function readSnapshot(file: string): Promise<Snapshot> {
  let parsed: Snapshot;
  try {
    parsed = JSON.parse(await readFile(file, "utf8")) as Snapshot;
  } catch (error) {
    throw new CutoverInputError("--snapshot", file, `it is not a readable JSON file (${(error as Error).message})`);
  }
  if (parsed?.format !== SNAPSHOT_FORMAT || !Array.isArray(parsed.users))
    throw new CutoverInputError(
      "--snapshot",
      file,
      `it is not a funds snapshot (format ${SNAPSHOT_FORMAT}); write one with corevault:snapshot`,
    );
  return parsed;
}

/** The lines people read: block, users, totals, reconciliation, the files. */
export function renderSnapshot(snapshot: Snapshot, files: Record<string, string>, requests: number): string {
  const t = snapshot.totals;
  const lines = [
    `Funds snapshot of CoreVault ${snapshot.vault} at block ${snapshot.block} (${snapshot.network}, profile ${snapshot.profile})`,
    `  users: ${t.users} (${t.migratedUsers} migrate ${t.migrate}; ${t.leftUsers} stay on the old vault with ${t.leftOnOldVault}: open positions or reserved margin)`,
    `  owed: ${t.total} = free ${t.free} + margin locked ${t.marginLocked} + reserved ${t.reserved}; cross-chain credit ${t.credit}; realized PnL ${t.realizedPnl}`,
    `  markets with positions: ${Object.keys(t.perMarket).length}; collateral token ${snapshot.collateralToken} balance ${snapshot.vaultTotals.tokenBalance}`,
    `  Merkle root (address, uint256): ${snapshot.merkle.root}`,
    `  reconciliation: ${snapshot.reconciliation.ok ? "ok" : "FLAGGED"}`,
    ...snapshot.reconciliation.differences.map(
      (d) => `    ${d.flagged ? "FLAG" : "ok  "} ${d.what}: ${d.amount} (${d.explained})`,
    ),
    `  reads: ${requests} JSON-RPC requests`,
    ...Object.values(files).map((f) => `  wrote ${f}`),
  ];
  return lines.join("\n");
}
