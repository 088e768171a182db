// The money after corevault:migrate-funds --mode withdraw-only: the old vault does not trade, its withdrawals are open,
// and it holds the tokens it owes the snapshot's users.
import { id as roleId } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { Reader } from "../engine/reader.js";
import { RunStore } from "../engine/run-store.js";
import { runKeys } from "../engine/run-key.js";
import { observeOldVault } from "../corevault/old-vault.js";
import { readDraining } from "../funds/draining.js";
import type { Snapshot } from "../funds/snapshot.js";
import { fnName } from "../profile/interpret.js";
import type { Profile } from "../profile/schema.js";
import type { CheckResult } from "./checks.js";
import { namedResult } from "./checks-core.js";

export interface WithdrawVerifyInputs {
  snapshot: Snapshot;
  profile: Profile;
  /** The OrderBooks registered on the old vault. */
  orderBooks: string[];
}

export async function withdrawOnlyChecks(reader: Reader, inputs: WithdrawVerifyInputs): Promise<CheckResult[]> {
  const { snapshot, profile, orderBooks } = inputs;
  const vault = snapshot.vault;
  const hasRole = profile.vault.roles.hasRole;
  const role = roleId("ORDERBOOK_ROLE");
  const [draining, ...roles] = await Promise.all([
    readDraining(reader, profile, snapshot),
    ...orderBooks.map((book) => reader.call({ to: vault, contract: hasRole, fn: fnName(hasRole), args: [role, book] })),
  ]);
  const trading = orderBooks.filter((_, i) => roles[i] === true);
  const owed = BigInt(draining.owed) - BigInt(draining.credit);
  const balance = BigInt(draining.tokenBalance);
  // what the snapshot's reconciliation explained as owed without tokens behind it (external credit in collateral):
  // withdrawals do not change it, so the vault is solvent while the shortfall does not grow
  const snap = draining.snapshot;
  const gapAtSnapshot = BigInt(snap.tokenBalance) - (BigInt(snap.owed) - BigInt(snap.credit));
  const unbacked = snapshot.reconciliation.ok && gapAtSnapshot < 0n ? -gapAtSnapshot : 0n;
  return [
    namedResult(
      "funds-old-vault-halted",
      "Old vault does not trade: no OrderBook holds ORDERBOOK_ROLE there",
      trading.map((book) => ({
        subject: book,
        expected: "no ORDERBOOK_ROLE on the old vault",
        found: "holds ORDERBOOK_ROLE: its fills still move margin there",
        fix: "run corevault:migrate-funds --mode withdraw-only again (it revokes the role)",
      })),
      `${orderBooks.length} OrderBooks registered on ${vault}; ${trading.length} hold ORDERBOOK_ROLE`,
    ),
    namedResult(
      "funds-withdrawals-open",
      "Old vault is unpaused: users can withdraw",
      draining.paused
        ? [{ subject: vault, expected: "not paused", found: "paused", fix: "run the withdraw-only migration again" }]
        : [],
      `paused: ${draining.paused}`,
    ),
    namedResult(
      "funds-old-vault-solvent",
      "Old vault holds the collateral it still owes",
      balance + unbacked < owed
        ? [
            {
              subject: vault,
              expected: `at least ${owed - unbacked} collateral tokens (owed in tokens to ${draining.usersLeft} users, less ${unbacked} the snapshot explained as unbacked)`,
              found: String(balance),
              fix: `send the old vault ${owed - unbacked - balance} collateral tokens, or find who was paid twice`,
            },
          ]
        : [],
      `tokens ${balance}, owed in tokens ${owed} to ${draining.usersLeft} users left of ${snapshot.totals.users} (cross-chain credit apart: ${draining.credit}; unbacked at the snapshot, explained: ${unbacked})`,
    ),
  ];
}

/**
 * cutover:verify --funds-snapshot: these checks where the snapshot's money was left on its vault by a withdraw-only run
 * (its run is on disk); undefined otherwise.
 */
export async function withdrawOnlyChecksIfRun(
  hre: HardhatRuntimeEnvironment,
  network: string,
  reader: Reader,
  snapshot: Snapshot,
): Promise<CheckResult[] | undefined> {
  const runKey = runKeys.fundsMigrate("withdraw-only", snapshot.vault, snapshot.merkle.root);
  if (!new RunStore(hre.config.paths.root, network, runKey).loadPlan()) return undefined;
  const system = await observeOldVault(hre, network, reader, snapshot.vault);
  return withdrawOnlyChecks(reader, { snapshot, profile: hre.config.cutover.protocol, orderBooks: system.orderBooks });
}
