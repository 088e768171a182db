// Users' money on a vault, read through the profile's funds entries at the reader's pinned block, in batches.
import { getAddress, Interface, type EventFragment } from "ethers";
import type { Reader } from "../engine/reader.js";
import { fnName } from "../profile/interpret.js";
import type { FundsProfile } from "../profile/schema.js";
import { chunks } from "../util/chunks.js";
import { tokenBalance } from "./token-balance.js";

/** One user's raw reads (amounts in collateral units, as decimal strings). */
export interface UserReads {
  address: string;
  collateral: string;
  credit: string;
  realizedPnl: string;
  free: string;
  positions: { marketId: string; size: string; entryPrice: string; marginLocked: string }[];
}

export interface ReadProgress {
  (line: string): void;
}

/** Indices probed per batch when the users are a public array without a length getter. */
const PROBE_BATCH = 500;
/** Users whose reads go out together (each user is 3–5 calls). */
const USER_BATCH = 400;

const call = (reader: Reader, to: string, signature: string, args: unknown[]) =>
  reader.call({ to, contract: signature, fn: fnName(signature), args });

/** Every user the vault knows, in the order the vault (or its events) gives them, each once. */
export async function enumerateUsers(
  reader: Reader,
  funds: FundsProfile,
  vault: string,
  scan: { fromBlock: number; logChunk: number },
  progress?: ReadProgress,
): Promise<{ users: string[]; logRequests: number }> {
  if ("array" in funds.users) {
    const signature = funds.users.array;
    const users: string[] = [];
    for (let start = 0; ; start += PROBE_BATCH) {
      const reads = Array.from({ length: PROBE_BATCH }, (_, i) => ({
        to: vault,
        contract: signature,
        fn: fnName(signature),
        args: [start + i],
      }));
      // an index past the end reverts: that is the array's length (a read the RPC could not answer throws)
      const found = await reader.tryCallMany(reads);
      const end = found.findIndex((v) => v === undefined);
      users.push(...(end === -1 ? found : found.slice(0, end)).map((v) => getAddress(v as string)));
      progress?.(`users: ${users.length} found (${fnName(signature)})`);
      if (end !== -1) return { users: unique(users), logRequests: 0 };
    }
  }
  const users: string[] = [];
  let logRequests = 0;
  for (const source of funds.users.events) {
    const iface = new Interface([source.event]);
    const fragment = iface.fragments[0] as EventFragment;
    const topics = [fragment.topicHash];
    for (let from = scan.fromBlock; from <= reader.block; from += scan.logChunk) {
      const to = Math.min(from + scan.logChunk - 1, reader.block);
      const logs = await reader.provider.getLogs({ address: vault, topics, fromBlock: from, toBlock: to });
      logRequests++;
      for (const log of logs) {
        const parsed = iface.parseLog({ topics: [...log.topics], data: log.data });
        if (parsed) users.push(getAddress(parsed.args.getValue(source.user) as string));
      }
    }
    progress?.(`users: ${unique(users).length} found (${fragment.name} events to block ${reader.block})`);
  }
  return { users: unique(users), logRequests };
}

function unique(addresses: string[]): string[] {
  return [...new Set(addresses)];
}

/** Each user's collateral, credit, realized PnL, free balance and positions, read in batches. */
export async function readUsers(
  reader: Reader,
  funds: FundsProfile,
  vault: string,
  users: string[],
  progress?: ReadProgress,
): Promise<UserReads[]> {
  const out: UserReads[] = [];
  for (const batch of chunks(users, USER_BATCH)) {
    const rows = await Promise.all(batch.map((user) => readUser(reader, funds, vault, user)));
    out.push(...rows);
    progress?.(`users: ${out.length}/${users.length} read`);
  }
  return out;
}

async function readUser(reader: Reader, funds: FundsProfile, vault: string, user: string): Promise<UserReads> {
  const zero = Promise.resolve(0n);
  const [collateral, credit, realizedPnl, free, positions] = await Promise.all([
    call(reader, vault, funds.collateral, [user]),
    funds.credit ? call(reader, vault, funds.credit, [user]) : zero,
    funds.realizedPnl ? call(reader, vault, funds.realizedPnl, [user]) : zero,
    call(reader, vault, funds.free, [user]),
    call(reader, vault, funds.positions, [user]),
  ]);
  return {
    address: user,
    collateral: String(collateral),
    credit: String(credit),
    realizedPnl: String(realizedPnl),
    free: String(free),
    positions: (positions as unknown[][]).map((p) => ({
      marketId: String(p[0]).toLowerCase(),
      size: String(p[1]),
      entryPrice: String(p[2]),
      marginLocked: String(p[3]),
    })),
  };
}

/**
 * The total the vault's external creditor credited (the profile's credit event, summed from `fromBlock`): on a vault
 * that keeps no credit apart from collateral, it explains why the token balance is below what the users hold.
 */
export async function creditedByEvents(
  reader: Reader,
  funds: FundsProfile,
  vault: string,
  scan: { fromBlock: number; logChunk: number },
): Promise<{ total: bigint; logRequests: number }> {
  const iface = new Interface([funds.credited.event]);
  const topics = [(iface.fragments[0] as EventFragment).topicHash];
  let total = 0n;
  let logRequests = 0;
  for (let from = scan.fromBlock; from <= reader.block; from += scan.logChunk) {
    const to = Math.min(from + scan.logChunk - 1, reader.block);
    const logs = await reader.provider.getLogs({ address: vault, topics, fromBlock: from, toBlock: to });
    logRequests++;
    for (const log of logs)
      total += BigInt(
        iface.parseLog({ topics: [...log.topics], data: log.data })!.args.getValue(funds.credited.amount),
      );
  }
  return { total, logRequests };
}

/** The vault's own totals the profile names (undefined where it has none), and its collateral token balance. */
export async function readVaultTotals(
  reader: Reader,
  funds: FundsProfile,
  vault: string,
  token: string,
): Promise<{ collateral?: string; marginLocked?: string; tokenBalance: string }> {
  const { collateral, marginLocked } = funds.totals;
  const [c, m, balance] = await Promise.all([
    collateral ? call(reader, vault, collateral, []) : undefined,
    marginLocked ? call(reader, vault, marginLocked, []) : undefined,
    tokenBalance(reader, token, vault),
  ]);
  return {
    ...(c === undefined ? {} : { collateral: String(c) }),
    ...(m === undefined ? {} : { marginLocked: String(m) }),
    tokenBalance: String(balance),
  };
}
