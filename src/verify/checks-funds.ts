// cutover:verify --funds-snapshot: the money after a credit migration, read from the chain (events and balances).
import type { Reader } from "../engine/reader.js";
import { creditEvents } from "../funds/migrate.js";
import { creditedUsers } from "../funds/plan-credit.js";
import { enumerateUsers, readUsers } from "../funds/read-users.js";
import { buildSnapshot, type Snapshot } from "../funds/snapshot.js";
import { fundsOf } from "../funds/take-snapshot.js";
import { fnName } from "../profile/interpret.js";
import type { Profile } from "../profile/schema.js";
import type { CheckResult, Failure } from "./checks.js";
import { namedResult } from "./checks-core.js";
import { claimChecks, type ClaimContract } from "./checks-claim.js";
import { tokenBalance } from "../funds/token-balance.js";

export interface FundsVerifyInputs {
  snapshot: Snapshot;
  newVault: string;
  profile: Profile;
  /** First block of the new vault's events (its deployment block). */
  fromBlock: number;
  /** The claim contract of a --mode claim migration of this snapshot: its checks replace the credit checks. */
  claims?: ClaimContract;
}

/** Each migrated user credited exactly once with the snapshot's amount; the credited total equals the snapshot's. */
async function creditedOnce(reader: Reader, inputs: FundsVerifyInputs): Promise<CheckResult[]> {
  const { snapshot, newVault, profile } = inputs;
  const users = creditedUsers(snapshot);
  const events = await creditEvents(
    reader,
    fundsOf(profile),
    newVault,
    users.map((u) => u.address),
    inputs.fromBlock,
    profile.discovery.logChunk,
  );
  const byUser = new Map<string, bigint[]>();
  for (const e of events) byUser.set(e.user, [...(byUser.get(e.user) ?? []), e.amount]);
  const failures: Failure[] = [];
  for (const u of users) {
    const credits = byUser.get(u.address) ?? [];
    if (credits.length === 1 && credits[0] === BigInt(u.amount)) continue;
    failures.push({
      subject: u.address,
      expected: `one credit of ${u.amount}`,
      found: credits.length === 0 ? "no credit" : `${credits.length} credits: ${credits.join(", ")}`,
      fix:
        credits.length === 0
          ? "run corevault:migrate-funds --mode credit again with the same snapshot"
          : "debit the excess (the vault's external debit) and find who sent the extra credit",
    });
  }
  const total = events.reduce((a, e) => a + e.amount, 0n);
  const totalFailures: Failure[] =
    total === BigInt(snapshot.totals.migrate)
      ? []
      : [
          {
            subject: newVault,
            expected: `${snapshot.totals.migrate} credited in total`,
            found: String(total),
            fix: "see funds-credited-once for the users whose credits differ",
          },
        ];
  return [
    namedResult(
      "funds-credited-once",
      "Each migrated user credited exactly once on the new vault",
      failures,
      `${users.length} users in the snapshot of block ${snapshot.block}; ${byUser.size} credited (credit events of ${newVault})`,
    ),
    namedResult(
      "funds-credited-total",
      "Credited total equals the snapshot's migrated total",
      totalFailures,
      `credited ${total}, snapshot migrates ${snapshot.totals.migrate}`,
    ),
  ];
}

/** Users left on the old vault still hold there what the snapshot left; the old vault stays paused. */
async function oldVaultLeft(reader: Reader, inputs: FundsVerifyInputs): Promise<CheckResult> {
  const { snapshot, profile } = inputs;
  const funds = fundsOf(profile);
  const left = snapshot.users.filter((u) => u.left !== undefined).map((u) => u.address);
  const now = buildSnapshot(
    { ...snapshot, marginInCollateral: funds.marginInCollateral },
    await readUsers(reader, funds, snapshot.vault, left),
    snapshot.vaultTotals,
  );
  const paused = await reader.call({
    to: snapshot.vault,
    contract: profile.vault.pause.read,
    fn: fnName(profile.vault.pause.read),
    args: [],
  });
  const failures: Failure[] = [];
  if (now.totals.total !== snapshot.totals.leftOnOldVault)
    failures.push({
      subject: snapshot.vault,
      expected: `${snapshot.totals.leftOnOldVault} owed to the ${left.length} users left there on purpose`,
      found: now.totals.total,
      fix: "positions kept trading on the old vault: halt its trading (--halt-old) and snapshot again",
    });
  if (paused !== true)
    failures.push({
      subject: snapshot.vault,
      expected: "paused: it still lists the migrated users' balances",
      found: "not paused",
      fix: "pause the old vault, or migrated users can withdraw there what was credited to them on the new vault",
    });
  return namedResult(
    "funds-old-vault-left",
    "Old vault owes only what was left on it on purpose",
    failures,
    `${left.length} users left with ${now.totals.total} (snapshot: ${snapshot.totals.leftOnOldVault}); paused: ${paused}`,
  );
}

/**
 * The new vault holds tokens for everything it owes its users now (credits included: the migration's credits have no
 * tokens behind them until the vault is funded); the old vault's backing is the snapshot's reconciliation.
 */
async function solvency(reader: Reader, inputs: FundsVerifyInputs): Promise<CheckResult> {
  const { snapshot, profile, newVault } = inputs;
  const funds = fundsOf(profile);
  const scan = { fromBlock: inputs.fromBlock, logChunk: profile.discovery.logChunk };
  const { users } = await enumerateUsers(reader, funds, newVault, scan);
  const reads = await readUsers(reader, funds, newVault, users);
  const meta = { ...snapshot, vault: newVault, marginInCollateral: funds.marginInCollateral };
  const owed = BigInt(buildSnapshot(meta, reads, snapshot.vaultTotals).totals.total);
  const balance = await tokenBalance(reader, snapshot.collateralToken, newVault);
  const failures: Failure[] = [];
  if (balance < owed)
    failures.push({
      subject: newVault,
      expected: `at least ${owed} collateral tokens (owed to its ${users.length} users)`,
      found: String(balance),
      fix: `send the new vault ${owed - balance} collateral tokens`,
    });
  const oldFlags = snapshot.reconciliation.differences.filter((d) => d.flagged).length;
  if (oldFlags > 0)
    failures.push({
      subject: snapshot.vault,
      expected: "a snapshot whose reconciliation holds",
      found: `${oldFlags} flagged differences at block ${snapshot.block}`,
      fix: "see the snapshot's reconciliation",
    });
  return namedResult(
    "funds-solvency",
    "Each vault holds the collateral it owes",
    failures,
    `new vault ${newVault}: tokens ${balance}, owed ${owed}; old vault ${snapshot.vault}: tokens ${snapshot.vaultTotals.tokenBalance} at block ${snapshot.block}, reconciliation ${snapshot.reconciliation.ok ? "ok" : "flagged"}`,
  );
}

export async function fundsChecks(reader: Reader, inputs: FundsVerifyInputs): Promise<CheckResult[]> {
  const moved = inputs.claims ? await claimChecks(reader, inputs, inputs.claims) : await creditedOnce(reader, inputs);
  return [...moved, await oldVaultLeft(reader, inputs), await solvency(reader, inputs)];
}
