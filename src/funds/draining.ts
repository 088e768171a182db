// The old vault draining after a withdraw-only migration: its collateral-token balance left, what it still owes the
// snapshot's users and how many of them still hold a balance, read live (batched) at one block.
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { ContractCatalog } from "../engine/contracts.js";
import { Reader } from "../engine/reader.js";
import { fnName } from "../profile/interpret.js";
import type { Profile } from "../profile/schema.js";
import { readUsers } from "./read-users.js";
import { userOf, type Snapshot } from "./snapshot.js";
import { fundsOf, readSnapshot } from "./take-snapshot.js";
import { tokenBalance } from "./token-balance.js";

export interface Draining {
  vault: string;
  block: number;
  collateralToken: string;
  paused: boolean;
  /** The vault's collateral-token balance now. */
  tokenBalance: string;
  /** What the vault owes the snapshot's users now (free + margin locked + reserved). */
  owed: string;
  /** Of `owed`, the cross-chain credit kept apart (backed on another chain, not by the token balance). */
  credit: string;
  /** The snapshot's users who still hold a non-zero balance there. */
  usersLeft: number;
  /** The snapshot's figures, to compare against. */
  snapshot: { block: number; users: number; owed: string; credit: string; tokenBalance: string };
}

export async function readDraining(reader: Reader, profile: Profile, snapshot: Snapshot): Promise<Draining> {
  const funds = fundsOf(profile);
  const vault = snapshot.vault;
  const pause = profile.vault.pause.read;
  const [reads, balance, paused] = await Promise.all([
    readUsers(
      reader,
      funds,
      vault,
      snapshot.users.map((u) => u.address),
    ),
    tokenBalance(reader, snapshot.collateralToken, vault),
    reader.call({ to: vault, contract: pause, fn: fnName(pause), args: [] }),
  ]);
  const totals = reads.map((r) => BigInt(userOf(r, funds.marginInCollateral).total));
  return {
    vault,
    block: reader.block,
    collateralToken: snapshot.collateralToken,
    paused: paused === true,
    tokenBalance: String(balance),
    owed: totals.reduce((a, b) => a + b, 0n).toString(),
    credit: reads.reduce((a, r) => a + BigInt(r.credit), 0n).toString(),
    usersLeft: totals.filter((t) => t > 0n).length,
    snapshot: {
      block: snapshot.block,
      users: snapshot.totals.users,
      owed: snapshot.totals.total,
      credit: snapshot.totals.credit,
      tokenBalance: snapshot.vaultTotals.tokenBalance,
    },
  };
}

export function renderDraining(d: Draining): string {
  return [
    `Old vault draining (${d.vault}, block ${d.block}; snapshot of block ${d.snapshot.block}):`,
    `  collateral-token balance left: ${d.tokenBalance} (snapshot: ${d.snapshot.tokenBalance})`,
    `  owed to the snapshot's users:  ${d.owed} (snapshot: ${d.snapshot.owed})`,
    `  users left with a balance:     ${d.usersLeft} of ${d.snapshot.users}`,
    `  withdrawals: ${d.paused ? "CLOSED (the vault is paused)" : "open"}`,
  ].join("\n");
}

/** cutover:status --funds-snapshot: the draining of the snapshot's vault at the latest block. */
export async function drainingOf(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  file: string,
): Promise<Draining> {
  const snapshot = await readSnapshot(path.resolve(hre.config.paths.root, file));
  const provider = conn.ethers.provider;
  const reader = new Reader(provider, new ContractCatalog(hre), await provider.getBlockNumber());
  return readDraining(reader, hre.config.cutover.protocol, snapshot);
}
