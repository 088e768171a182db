// One snapshot, one way to pay: before a migration run sends, other migration runs that may already pay the same
// users (the same snapshot in any mode, payout or vault; a claim contract whose claim files name one of its users).
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { getAddress } from "ethers";
import { RunStore } from "../engine/run-store.js";
import { CutoverInputError } from "../errors.js";
import type { Snapshot } from "./snapshot.js";

/** Where claim runs keep their per-user claim files, inside the run's folder. */
export const CLAIM_FILES_DIR = "claims";

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
    const files = path.join(other.dir, CLAIM_FILES_DIR);
    const named = existsSync(files) ? readdirSync(files).map((f) => f.replace(/\.json$/, "").toLowerCase()) : [];
    const shared = named.find((u) => users.has(u));
    if (shared)
      throw new CutoverInputError(
        "--snapshot",
        snapshotFile,
        `${getAddress(shared)} can already claim from the claim contract of run ${other.runKey}: migrating them again would pay them twice; ${fix}`,
      );
  }
}
