// The funds snapshot (pure): per-user balances and positions, totals, reconciliation, the Merkle tree, its files.
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { ZeroHash } from "ethers";
import type { UserReads } from "./read-users.js";

export const SNAPSHOT_FORMAT = "cutover-funds-snapshot/1";
export const LEAF_ENCODING = ["address", "uint256"];

export interface SnapshotUser extends UserReads {
  marginLocked: string;
  /** Margin held for resting orders: what the user's balance holds beyond the free part and the locked margin. */
  reserved: string;
  /** Everything the vault owes the user: free + locked margin + reserved. */
  total: string;
  /** What a migration moves: the whole balance of a user with no open position and nothing reserved, else 0. */
  migrate: string;
  /** Why the user's money stays on the old vault (open positions or reserved margin), when it does. */
  left?: string;
  /** The user's Merkle proof of (address, migrate), when migrate > 0. */
  proof?: string[];
}

export interface MarketTotals {
  positions: number;
  long: string;
  short: string;
  marginLocked: string;
}

export interface Difference {
  what: string;
  /** a − b, collateral units. */
  amount: string;
  explained: string;
  flagged: boolean;
}

export interface Snapshot extends Omit<SnapshotMeta, "marginInCollateral"> {
  format: typeof SNAPSHOT_FORMAT;
  totals: {
    users: number;
    collateral: string;
    credit: string;
    realizedPnl: string;
    free: string;
    marginLocked: string;
    reserved: string;
    total: string;
    migrate: string;
    migratedUsers: number;
    leftOnOldVault: string;
    leftUsers: number;
    perMarket: Record<string, MarketTotals>;
  };
  vaultTotals: { collateral?: string; marginLocked?: string; tokenBalance: string };
  reconciliation: { differences: Difference[]; ok: boolean };
  merkle: { root: string; leafEncoding: string[]; tree: unknown };
  users: SnapshotUser[];
}

export interface SnapshotMeta {
  network: string;
  chainId: number;
  block: number;
  blockHash: string;
  vault: string;
  collateralToken: string;
  profile: string;
  /** Whether the vault's collateral (+ credit) counts the margin locked in positions (else the margin is apart). */
  marginInCollateral: boolean;
}

const sum = (values: bigint[]) => values.reduce((a, b) => a + b, 0n);

export function userOf(reads: UserReads, marginInCollateral: boolean): SnapshotUser {
  const margin = sum(reads.positions.map((p) => BigInt(p.marginLocked)));
  const held = BigInt(reads.collateral) + BigInt(reads.credit) + (marginInCollateral ? 0n : margin);
  const free = BigInt(reads.free);
  const reserved = held - margin - free > 0n ? held - margin - free : 0n;
  const total = free + margin + reserved;
  const open = reads.positions.filter((p) => BigInt(p.size) !== 0n).length;
  const reasons = [
    ...(open > 0 ? [`${open} open position${open > 1 ? "s" : ""}`] : []),
    ...(margin > 0n && open === 0 ? ["margin locked"] : []),
    ...(reserved > 0n ? ["margin reserved for orders"] : []),
  ];
  const user: SnapshotUser = {
    ...reads,
    marginLocked: margin.toString(),
    reserved: reserved.toString(),
    total: total.toString(),
    migrate: reasons.length > 0 ? "0" : total.toString(),
  };
  if (reasons.length > 0) user.left = reasons.join(", ");
  return user;
}

function perMarket(users: SnapshotUser[]): Record<string, MarketTotals> {
  const markets: Record<string, { positions: number; long: bigint; short: bigint; marginLocked: bigint }> = {};
  for (const p of users.flatMap((u) => u.positions)) {
    const m = (markets[p.marketId] ??= { positions: 0, long: 0n, short: 0n, marginLocked: 0n });
    const size = BigInt(p.size);
    if (size !== 0n) m.positions++;
    if (size > 0n) m.long += size;
    else m.short += -size;
    m.marginLocked += BigInt(p.marginLocked);
  }
  return Object.fromEntries(
    Object.keys(markets)
      .sort()
      .map((id) => {
        const m = markets[id];
        const totals = { ...m, long: m.long.toString(), short: m.short.toString() };
        return [id, { ...totals, marginLocked: m.marginLocked.toString() }];
      }),
  );
}

/**
 * Sum of the users against the vault's own totals and its token balance: each difference is explained (a known
 * cause whose size matches) or flagged.
 */
export function reconcile(
  users: SnapshotUser[],
  vaultTotals: Snapshot["vaultTotals"],
  creditedInCollateral = 0n,
): Snapshot["reconciliation"] {
  const total = (f: (u: SnapshotUser) => string) => sum(users.map((u) => BigInt(f(u))));
  const credit = total((u) => u.credit);
  const pnl = total((u) => u.realizedPnl);
  const differences: Difference[] = [];
  const owedInTokens = total((u) => u.total) - credit;
  const tokenGap = BigInt(vaultTotals.tokenBalance) - owedInTokens;
  if (tokenGap !== 0n)
    differences.push({
      what: "collateral token balance − users' balances backed by tokens (total − cross-chain credit)",
      amount: tokenGap.toString(),
      explained:
        tokenGap > 0n
          ? "surplus: the vault holds tokens no user balance claims (sent to it directly, or held by accounts not in the user list: pass them with --include)"
          : tokenGap === -creditedInCollateral
            ? `external credit (${creditedInCollateral}, from the vault's credit events) is counted in users' collateral without tokens behind it on this chain`
            : "SHORTFALL: the vault holds fewer tokens than it owes its users",
      flagged: tokenGap < 0n && tokenGap !== -creditedInCollateral,
    });
  if (vaultTotals.collateral !== undefined) {
    const gap = total((u) => u.collateral) - BigInt(vaultTotals.collateral);
    if (gap !== 0n)
      differences.push({
        what: "sum of users' collateral − the vault's total deposited",
        amount: gap.toString(),
        explained:
          gap === pnl
            ? `realized PnL (${pnl}): it moves users' collateral, not the vault's deposited total`
            : `unexplained: realized PnL is ${pnl}; accounts outside the vault's user list may hold collateral (an OrderBook's fee recipient receives fees by transfer): pass them with --include`,
        flagged: gap !== pnl,
      });
  }
  if (vaultTotals.marginLocked !== undefined) {
    const gap = total((u) => u.marginLocked) - BigInt(vaultTotals.marginLocked);
    if (gap !== 0n)
      differences.push({
        what: "sum of users' position margin − the vault's total margin locked",
        amount: gap.toString(),
        explained: "unexplained: margin locked outside any position",
        flagged: true,
      });
  }
  if (credit > 0n)
    differences.push({
      what: "cross-chain credit (owed by the vault, backed on the other chain, not by its token balance)",
      amount: credit.toString(),
      explained: "credit given by the vault's external creditor (collateral hub)",
      flagged: false,
    });
  return { differences, ok: differences.every((d) => !d.flagged) };
}

/** The snapshot of `reads`: users sorted by address, so the same block gives the same bytes whatever the scan order. */
export function buildSnapshot(
  meta: SnapshotMeta,
  reads: UserReads[],
  vaultTotals: Snapshot["vaultTotals"],
  creditedInCollateral = 0n,
): Snapshot {
  const users = reads
    .map((r) => userOf(r, meta.marginInCollateral))
    .sort((a, b) => (a.address.toLowerCase() < b.address.toLowerCase() ? -1 : 1));
  const migrating = users.filter((u) => BigInt(u.migrate) > 0n);
  // no user to migrate: no tree (the standard tree needs a leaf), the zero root
  const tree = migrating.length > 0 ? merkleTree(migrating) : undefined;
  const byAddress = new Map(migrating.map((u) => [u.address, u]));
  for (const [i, [address]] of tree?.entries() ?? []) byAddress.get(address)!.proof = tree!.getProof(i);
  const total = (f: (u: SnapshotUser) => string) => sum(users.map((u) => BigInt(f(u)))).toString();
  const left = users.filter((u) => u.left !== undefined);
  const { network, chainId, block, blockHash, vault, collateralToken, profile } = meta;
  return {
    format: SNAPSHOT_FORMAT,
    network,
    chainId,
    block,
    blockHash,
    vault,
    collateralToken,
    profile,
    totals: {
      users: users.length,
      collateral: total((u) => u.collateral),
      credit: total((u) => u.credit),
      realizedPnl: total((u) => u.realizedPnl),
      free: total((u) => u.free),
      marginLocked: total((u) => u.marginLocked),
      reserved: total((u) => u.reserved),
      total: total((u) => u.total),
      migrate: total((u) => u.migrate),
      migratedUsers: migrating.length,
      leftOnOldVault: sum(left.map((u) => BigInt(u.total))).toString(),
      leftUsers: left.length,
      perMarket: perMarket(users),
    },
    vaultTotals,
    reconciliation: reconcile(users, vaultTotals, creditedInCollateral),
    merkle: { root: tree?.root ?? ZeroHash, leafEncoding: LEAF_ENCODING, tree: tree?.dump() ?? null },
    users,
  };
}

/** The OpenZeppelin standard tree of (user, amount to migrate). */
export function merkleTree(users: Pick<SnapshotUser, "address" | "migrate">[]): StandardMerkleTree<[string, string]> {
  return StandardMerkleTree.of(
    users.map((u): [string, string] => [u.address, u.migrate]),
    LEAF_ENCODING,
  );
}

const CSV_COLUMNS = [
  "address",
  "collateral",
  "credit",
  "realizedPnl",
  "free",
  "marginLocked",
  "reserved",
  "total",
  "migrate",
  "openPositions",
  "left",
] as const;

/** One line per user (amounts in collateral units), then a TOTAL line. */
export function snapshotCsv(snapshot: Snapshot): string {
  const row = (u: SnapshotUser) =>
    [
      u.address,
      u.collateral,
      u.credit,
      u.realizedPnl,
      u.free,
      u.marginLocked,
      u.reserved,
      u.total,
      u.migrate,
      String(u.positions.filter((p) => BigInt(p.size) !== 0n).length),
      u.left ? `"${u.left}"` : "",
    ].join(",");
  const t = snapshot.totals;
  const totalRow = ["TOTAL", t.collateral, t.credit, t.realizedPnl, t.free, t.marginLocked, t.reserved, t.total];
  return (
    [CSV_COLUMNS.join(","), ...snapshot.users.map(row), [...totalRow, t.migrate, "", ""].join(",")].join("\n") + "\n"
  );
}
