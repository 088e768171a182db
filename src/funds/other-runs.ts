// One snapshot, one way to pay: before a migration run sends, other migration runs that may already pay the same
// users (the same snapshot in any mode, payout or vault; another snapshot's run that credits or lets claim one of them).
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { getAddress } from "ethers";
import { RunStore } from "../engine/run-store.js";
import { CutoverInputError } from "../errors.js";
import type { Snapshot } from "./snapshot.js";

/** Where claim runs keep their per-user claim files, inside the run's folder. */
export const CLAIM_FILES_DIR = "claims";

/** The users another migration run pays (lower case): its claim files, or the users its credit steps credit. */
function paidBy(run: RunStore): string[] {
  const files = path.join(run.dir, CLAIM_FILES_DIR);
  const claimants = existsSync(files) ? readdirSync(files).map((f) => f.replace(/\.json$/, "").toLowerCase()) : [];
  const credited = (run.loadPlan()?.steps ?? []).flatMap((step) =>
    step.kind === "call" && step.id.startsWith("credit:")
      ? step.actions.map((a) => String(a.call.args[0]).toLowerCase())
      : [],
  );
  return [...claimants, ...credited];
}

/** Refuses (before sending) when another migration run that sent or proposed anything could pay these users twice. */
export function refuseOtherMigrations(
  where: { root: string; network: string; runKey: string },
  snapshot: Snapshot,
  snapshotFile: string,
): void {
  const users = new Set(snapshot.users.filter((u) => u.proof).map((u) => u.address.toLowerCase()));
  const acted = (s: RunStore) => s.entries().some((e) => e.type === "send" || e.type === "proposed");
  const others = RunStore.list(where.root, where.network).filter(
    (s) => s.runKey.startsWith("funds-migrate-") && s.runKey !== where.runKey && acted(s),
  );
  for (const other of others) {
    const fix = `finish that run (deployments/${where.network}/.cutover/${other.runKey}) instead`;
    if (other.runKey.endsWith(`-${snapshot.merkle.root.slice(2, 18)}`))
      throw new CutoverInputError(
        "--snapshot",
        snapshotFile,
        `run ${other.runKey} already migrates this snapshot: a second migration would pay its users twice; ${fix}`,
      );
    const shared = paidBy(other).find((u) => users.has(u));
    if (shared)
      throw new CutoverInputError(
        "--snapshot",
        snapshotFile,
        `${getAddress(shared)} is already paid by run ${other.runKey} (its claim contract or its credits): migrating them again would pay them twice; ${fix}`,
      );
  }
}
