// cutover:verify --funds-snapshot after corevault:migrate-funds --mode claim: the claim contract against the snapshot,
// read from the chain (its immutables, its token balance, its Claimed events).
import { ZeroAddress } from "ethers";
import type { Reader } from "../engine/reader.js";
import { claimEvents } from "../funds/claim.js";
import { CLAIMS_ARTIFACT, type Payout } from "../funds/plan-claim.js";
import type { CheckResult, Failure } from "./checks.js";
import { namedResult } from "./checks-core.js";
import type { Snapshot } from "../funds/snapshot.js";
import type { Profile } from "../profile/schema.js";
import { tokenBalance } from "../funds/token-balance.js";

/** What the claim checks read against (cutover:verify's funds inputs). */
interface FundsVerifyInputs {
  snapshot: Snapshot;
  newVault: string;
  profile: Profile;
}

export interface ClaimContract {
  address: string;
  payout: Payout;
  /** Its deployment block (where its events start). */
  fromBlock: number;
}

async function immutables(reader: Reader, address: string) {
  const [root, total, token, vault, claimed] = await reader.callMany(
    ["merkleRoot", "total", "token", "vault", "claimedTotal"].map((fn) => ({
      to: address,
      contract: CLAIMS_ARTIFACT,
      fn,
      args: [],
    })),
  );
  return {
    root: String(root),
    total: BigInt(String(total)),
    token: String(token),
    vault: String(vault),
    claimed: BigInt(String(claimed)),
  };
}

/** Root, token, payout target and claimable total as the snapshot and the new vault say. */
function contractChecks(
  inputs: FundsVerifyInputs,
  claims: ClaimContract,
  on: Awaited<ReturnType<typeof immutables>>,
): CheckResult[] {
  const { snapshot, newVault } = inputs;
  const redeploy = "deploy a claim contract for this snapshot: corevault:migrate-funds --mode claim --replan";
  const rootFailures: Failure[] = [];
  const expect = (what: string, expected: string, found: string, fix = redeploy) => {
    if (expected.toLowerCase() !== found.toLowerCase())
      rootFailures.push({ subject: `${claims.address} ${what}`, expected, found, fix });
  };
  expect("merkleRoot", snapshot.merkle.root, on.root);
  expect("token", snapshot.collateralToken, on.token);
  expect("vault", claims.payout === "credit" ? newVault : ZeroAddress, on.vault);
  const totalFailures: Failure[] =
    on.total === BigInt(snapshot.totals.migrate)
      ? []
      : [{ subject: claims.address, expected: snapshot.totals.migrate, found: String(on.total), fix: redeploy }];
  return [
    namedResult(
      "funds-claim-root",
      "The claim contract holds the snapshot's Merkle root",
      rootFailures,
      `${claims.address}: root ${on.root}, token ${on.token}, ${claims.payout} payout; snapshot root ${snapshot.merkle.root}`,
    ),
    namedResult(
      "funds-claim-total",
      "Claimable total equals the snapshot's migrated total",
      totalFailures,
      `claimable ${on.total}, snapshot migrates ${snapshot.totals.migrate} to ${snapshot.totals.migratedUsers} users`,
    ),
  ];
}

/** The claim contract holds at least what is still unclaimed. */
async function funded(
  reader: Reader,
  inputs: FundsVerifyInputs,
  claims: ClaimContract,
  on: Awaited<ReturnType<typeof immutables>>,
) {
  const balance = await tokenBalance(reader, inputs.snapshot.collateralToken, claims.address);
  const unclaimed = on.total - on.claimed;
  const failures: Failure[] =
    balance >= unclaimed
      ? []
      : [
          {
            subject: claims.address,
            expected: `at least ${unclaimed} collateral tokens (unclaimed)`,
            found: String(balance),
            fix: `send the claim contract ${unclaimed - balance} of ${inputs.snapshot.collateralToken}`,
          },
        ];
  return namedResult(
    "funds-claim-funded",
    "The claim contract holds what is still unclaimed",
    failures,
    `tokens ${balance}, unclaimed ${unclaimed} (claimed ${on.claimed} of ${on.total})`,
  );
}

/** Each claim (Claimed events) by a user of the snapshot, with its amount, at most once; the claimed total adds up. */
async function claimedOnce(
  reader: Reader,
  inputs: FundsVerifyInputs,
  claims: ClaimContract,
  on: Awaited<ReturnType<typeof immutables>>,
) {
  const events = await claimEvents(reader, claims.address, claims.fromBlock, inputs.profile.discovery.logChunk);
  const owed = new Map(inputs.snapshot.users.filter((u) => u.proof).map((u) => [u.address, BigInt(u.migrate)]));
  const byUser = new Map<string, bigint[]>();
  for (const e of events) byUser.set(e.user, [...(byUser.get(e.user) ?? []), e.amount]);
  const failures: Failure[] = [];
  for (const [user, amounts] of byUser) {
    if (amounts.length === 1 && amounts[0] === owed.get(user)) continue;
    failures.push({
      subject: user,
      expected: owed.has(user) ? `at most one claim of ${owed.get(user)}` : "no claim (not in the snapshot's tree)",
      found: `${amounts.length} claims: ${amounts.join(", ")}`,
      fix: "the claim contract is not the one this snapshot's tree allows: stop it being funded and investigate",
    });
  }
  const sum = events.reduce((a, e) => a + e.amount, 0n);
  if (sum !== on.claimed)
    failures.push({
      subject: claims.address,
      expected: `claimedTotal ${on.claimed} = the sum of its Claimed events`,
      found: String(sum),
      fix: "the contract at this address is not the claim contract: check its code",
    });
  return namedResult(
    "funds-claimed-once",
    "Each user claimed at most once, the snapshot's amount",
    failures,
    `${byUser.size} of ${owed.size} users claimed, ${sum} in total (Claimed events of ${claims.address})`,
  );
}

export async function claimChecks(
  reader: Reader,
  inputs: FundsVerifyInputs,
  claims: ClaimContract,
): Promise<CheckResult[]> {
  const on = await immutables(reader, claims.address);
  return [
    ...contractChecks(inputs, claims, on),
    await funded(reader, inputs, claims, on),
    await claimedOnce(reader, inputs, claims, on),
  ];
}
