// corevault:migrate-funds --mode credit (pure): grant the creditor role, credit each migrated user once, renounce.
import { id as roleId } from "ethers";
import type { PlanBody } from "../engine/run.js";
import type { CallStep, Step } from "../engine/types.js";
import { viewCall, writeCall } from "../profile/interpret.js";
import type { Profile } from "../profile/schema.js";
import { chunks } from "../util/chunks.js";
import type { Snapshot } from "./snapshot.js";

/** Credits per transaction where the vault batches (multicall); one per transaction where it does not. */
export const CREDITS_PER_BATCH = 50;

export interface CreditState {
  snapshot: Pick<Snapshot, "vault" | "block" | "merkle" | "totals" | "users">;
  newVault: string;
  /** Who holds the creditor role for the run: grants it to itself, credits, renounces. */
  creditor: string;
  /** Whether the creditor held the role before the run (then it is neither granted nor renounced). */
  heldRole: boolean;
  /** Credits per transaction (one multicall); 1 where the vault has no multicall. */
  batch: number;
}

export const creditStepId = (batch: number) => `credit:${batch}`;

/** The users a credit run moves, in snapshot order: those with something to migrate. */
export function creditedUsers(snapshot: CreditState["snapshot"]): { address: string; amount: string }[] {
  return snapshot.users.filter((u) => BigInt(u.migrate) > 0n).map((u) => ({ address: u.address, amount: u.migrate }));
}

/**
 * Credit batches have no done check on chain: crediting is additive, so a balance never says "already credited".
 * Each batch is done only when this run's journal holds its transaction, resolved by hash, mined successfully with
 * its exact calldata (the engine's rule for an action without a done check); a transaction that may still land is
 * never sent again with a new nonce.
 */
export function planCredit(state: CreditState, profile: Profile, funds = profile.vault.funds!): PlanBody {
  const role = roleId(funds.creditorRole);
  const { newVault, creditor } = state;
  const hasRole = (equals: boolean) => [
    { read: viewCall(profile, profile.vault.roles.hasRole, newVault, [role, creditor]), equals },
  ];
  const users = creditedUsers(state.snapshot);
  // nobody to credit: no role to hold either
  if (users.length === 0) return { steps: [], notes: creditNotes(state, users), labels: {} };
  const steps: Step[] = [];
  const grant: CallStep = {
    kind: "call",
    id: "grant-creditor",
    label: `grant ${funds.creditorRole} to ${creditor} on the new vault`,
    from: creditor,
    dependsOn: [],
    writes: ["creditorHeldRole"],
    temporary: true,
    actions: [{ call: writeCall(profile, profile.vault.roles.grant, newVault, [role, creditor]), done: hasRole(true) }],
  };
  if (!state.heldRole) steps.push(grant);
  for (const [i, batch] of chunks(users, state.batch).entries()) {
    steps.push({
      kind: "call",
      id: creditStepId(i),
      label:
        batch.length === 1
          ? `credit ${batch[0].address} ${batch[0].amount}`
          : `credit ${batch.length} users (${batch[0].address}…)`,
      from: creditor,
      dependsOn: state.heldRole ? [] : [grant.id],
      writes: [],
      actions: batch.map((u) => ({
        call: writeCall(profile, funds.creditWrite, newVault, [u.address, u.amount]),
        done: [],
      })),
    });
  }
  if (!state.heldRole)
    steps.push({
      kind: "call",
      id: "renounce-creditor",
      label: `${creditor} renounces ${funds.creditorRole} on the new vault`,
      from: creditor,
      dependsOn: steps.map((s) => s.id),
      writes: ["creditorHeldRole"],
      actions: [
        { call: writeCall(profile, profile.vault.roles.renounce, newVault, [role, creditor]), done: hasRole(false) },
      ],
    });
  return { steps, notes: creditNotes(state, users), labels: { [role]: funds.creditorRole } };
}

function creditNotes(state: CreditState, users: { amount: string }[]): string[] {
  const t = state.snapshot.totals;
  const total = users.reduce((a, u) => a + BigInt(u.amount), 0n);
  return [
    `credits ${users.length} users ${total} in total on ${state.newVault}, from the snapshot of ${state.snapshot.vault} at block ${state.snapshot.block} (Merkle root ${state.snapshot.merkle.root})`,
    t.leftUsers > 0
      ? `${t.leftUsers} users with open positions or reserved margin keep ${t.leftOnOldVault} on the old vault: their positions stay there (settle those markets, then migrate them with a later snapshot)`
      : "no user of the snapshot holds an open position or reserved margin: every balance migrates",
    `the new vault's credit is accounting: send it ${total} collateral tokens to back the credits; keep the old vault paused, it still lists the migrated balances`,
    "no user is credited twice: each batch is done only by this run's own journaled transaction (resolved by hash); before sending, the new vault's credit events are checked for any credit to these users sent by the creditor outside this run",
  ];
}
