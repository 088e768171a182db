// corevault:migrate-funds: the planners of each mode, on the engine; credits counted from the chain's events.
import { getAddress, id as roleId, Interface, ZeroHash, zeroPadValue, type EventFragment } from "ethers";
import type { EngineContext } from "../cli/engine-command.js";
import type { Reader } from "../engine/reader.js";
import type { Planner } from "../engine/run.js";
import { RunStore } from "../engine/run-store.js";
import { runKeys } from "../engine/run-key.js";
import { senderFor } from "../engine/authority.js";
import { CutoverInputError } from "../errors.js";
import { fnName } from "../profile/interpret.js";
import type { FundsProfile, Profile } from "../profile/schema.js";
import { chunks } from "../util/chunks.js";
import { CREDITS_PER_BATCH, creditedUsers, planCredit, type CreditState } from "./plan-credit.js";
import type { Snapshot } from "./snapshot.js";
import { fundsOf } from "./take-snapshot.js";
import { refuseOtherMigrations } from "./other-runs.js";

export interface MigrateInputs {
  snapshot: Snapshot;
  snapshotFile: string;
  newVault: string;
  profile: Profile;
  /** First block scanned for the new vault's credit events (its deployment block where the records know it). */
  fromBlock: number;
  /** Credits per transaction (--batch); default CREDITS_PER_BATCH where the vault has multicall, else 1. */
  batch?: number;
}

/** --batch checked against the vault: several credits in one transaction need the vault's multicall. */
export function creditBatch(profile: Profile, given: number | undefined): number {
  const multicall = profile.vault.batching === "multicall";
  if (given === undefined) return multicall ? CREDITS_PER_BATCH : 1;
  if (!Number.isSafeInteger(given) || given < 1 || given > 500 || (!multicall && given > 1))
    throw new CutoverInputError(
      "--batch",
      given,
      multicall
        ? "give 1 to 500 credits per transaction, e.g. --batch 50"
        : `profile ${profile.name}'s vault has no multicall: each credit is its own transaction; leave --batch out or give 1`,
    );
  return given;
}

/** Credits to `users` on `vault` (the profile's credit event), by user, with the transaction of each. */
export async function creditEvents(
  reader: Reader,
  funds: FundsProfile,
  vault: string,
  users: string[],
  fromBlock: number,
  logChunk: number,
): Promise<{ user: string; amount: bigint; hash: string }[]> {
  const iface = new Interface([funds.credited.event]);
  const topic = (iface.fragments[0] as EventFragment).topicHash;
  const out: { user: string; amount: bigint; hash: string }[] = [];
  for (const group of chunks(users, 200)) {
    const userTopics = group.map((u) => zeroPadValue(u, 32));
    for (let from = fromBlock; from <= reader.block; from += logChunk) {
      const to = Math.min(from + logChunk - 1, reader.block);
      const logs = await reader.provider.getLogs({
        address: vault,
        topics: [topic, userTopics],
        fromBlock: from,
        toBlock: to,
      });
      for (const log of logs) {
        const args = iface.parseLog({ topics: [...log.topics], data: log.data })!.args;
        out.push({
          user: getAddress(args.getValue(funds.credited.user) as string),
          amount: BigInt(args.getValue(funds.credited.amount)),
          hash: log.transactionHash,
        });
      }
    }
  }
  return out;
}

/**
 * The transactions this run's journal holds: every hash it recorded, and every (sender, nonce) it journaled before
 * sending (a transaction broadcast just before a crash has no hash in the journal yet, but its nonce is there).
 */
function journaledTransactions(store: RunStore): { hashes: Set<string>; nonces: Set<string> } {
  const entries = store.entries();
  return {
    hashes: new Set(entries.flatMap((e) => (e.type === "sent" ? [e.hash.toLowerCase()] : []))),
    nonces: new Set(
      entries.flatMap((e) => (e.type === "send" ? [`${e.tx.from.toLowerCase()}:${BigInt(e.tx.nonce)}`] : [])),
    ),
  };
}

/**
 * Refuses before anything is sent when a user still to credit was already credited on the new vault by the creditor
 * in a transaction this run's journal does not hold (a lost journal, --replan, another snapshot's run): crediting
 * is additive, so that user would be credited twice.
 */
async function refuseOutsideCredits(
  reader: Reader,
  inputs: MigrateInputs,
  creditor: string,
  users: string[],
  store: RunStore,
): Promise<void> {
  const funds = fundsOf(inputs.profile);
  const events = await creditEvents(
    reader,
    funds,
    inputs.newVault,
    users,
    inputs.fromBlock,
    inputs.profile.discovery.logChunk,
  );
  const ours = journaledTransactions(store);
  for (const event of events) {
    if (ours.hashes.has(event.hash.toLowerCase())) continue;
    const tx = await reader.provider.getTransaction(event.hash);
    if (tx && ours.nonces.has(`${tx.from.toLowerCase()}:${BigInt(tx.nonce)}`)) continue;
    const to = tx?.to?.toLowerCase();
    const byCreditor =
      (to === inputs.newVault.toLowerCase() && tx?.from.toLowerCase() === creditor.toLowerCase()) ||
      to === creditor.toLowerCase();
    if (byCreditor)
      throw new CutoverInputError(
        "--snapshot",
        inputs.snapshotFile,
        `${event.user} was already credited ${event.amount} on ${inputs.newVault} by ${creditor} in ${event.hash}, a transaction this run's journal does not hold (a lost journal, --replan, or an earlier snapshot's run): crediting again would credit twice. Check that user by hand, then migrate the others with a snapshot that leaves them out`,
      );
  }
}

export async function creditPlanner(ctx: EngineContext, inputs: MigrateInputs): Promise<Planner<CreditState>> {
  const { profile, snapshot, newVault } = inputs;
  const funds = fundsOf(profile);
  const batch = creditBatch(profile, inputs.batch);
  const runKey = runKeys.fundsMigrate("credit", newVault, snapshot.merkle.root);
  const store = new RunStore(ctx.hre.config.paths.root, ctx.conn.networkName, runKey);
  const hasRole = profile.vault.roles.hasRole;
  const read = (reader: Reader, role: string, account: string) =>
    reader.call({ to: newVault, contract: hasRole, fn: fnName(hasRole), args: [role, account] });
  return {
    task: "corevault:migrate-funds",
    runKey,
    async observe(reader) {
      const adminHolds = ctx.authority.chosen ? await read(reader, ZeroHash, ctx.authority.chosen) : false;
      const creditor = senderFor(ctx.authority, () => adminHolds === true);
      const heldRole = (await read(reader, roleId(funds.creditorRole), creditor)) === true;
      const facts = { newVault, snapshotRoot: snapshot.merkle.root, creditor, creditorHeldRole: String(heldRole) };
      return { facts, state: { snapshot, newVault, creditor, heldRole, batch } };
    },
    // the run's own grant changes whether the creditor holds the role: a rerun plans from what the run started with
    planFromStoredFacts: true,
    plan: (state, facts) => planCredit({ ...state, heldRole: facts.creditorHeldRole === "true" }, profile),
    async preflight(plan, reader, pending) {
      if (!pending.some((s) => s.id.startsWith("credit:"))) return;
      const creditor = plan.facts.creditor;
      const users = creditedUsers(snapshot).map((u) => u.address);
      await refuseOutsideCredits(reader, inputs, creditor, users, store);
      refuseOtherMigrations(
        { root: ctx.hre.config.paths.root, network: ctx.conn.networkName, runKey },
        snapshot,
        inputs.snapshotFile,
      );
    },
  };
}

/** How often each migrated user was credited on the new vault (from its events), and who is missing or doubled. */
export async function countCredits(
  reader: Reader,
  inputs: MigrateInputs,
): Promise<{ credited: number; total: string; doubled: string[]; missing: string[] }> {
  const funds = fundsOf(inputs.profile);
  const users = creditedUsers(inputs.snapshot);
  const events = await creditEvents(
    reader,
    funds,
    inputs.newVault,
    users.map((u) => u.address),
    inputs.fromBlock,
    inputs.profile.discovery.logChunk,
  );
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.user, (counts.get(e.user) ?? 0) + 1);
  return {
    credited: counts.size,
    total: events.reduce((a, e) => a + e.amount, 0n).toString(),
    doubled: [...counts].filter(([, n]) => n > 1).map(([u]) => u),
    missing: users.filter((u) => !counts.has(u.address)).map((u) => u.address),
  };
}
