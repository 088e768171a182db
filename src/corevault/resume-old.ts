// corevault:redeploy --resume-old: trading given back on the old vault (the inverse of --halt-old and --pause-old),
// through the profile, as its own run (plan, journal, done checks) next to the redeploy's.
import { getAddress } from "ethers";
import type { EngineContext } from "../cli/engine-command.js";
import { CutoverInputError } from "../errors.js";
import type { Planner } from "../engine/run.js";
import { runKeys } from "../engine/run-key.js";
import { readSystemRecordIfAny } from "../records/records.js";
import { checkedAddress } from "../util/address.js";
import { observeOldVaultAdmin, type OldVaultState } from "./old-vault.js";
import { resumeOldVault } from "./plan-old-vault.js";
import { resolveOldVault } from "./redeploy-records.js";
import { VAULT_ROLES, type LegacySystem } from "./system.js";
import "../type-extensions.js";

export type ResumeOldState = OldVaultState;

/** Refused with the redeploy's own flags: a resume undoes the halt, it does not run a cutover. */
export function checkResumeAlone(flags: Record<string, boolean>): void {
  const mixed = Object.entries(flags).filter(([, on]) => on);
  if (mixed.length > 0)
    throw new CutoverInputError(
      "--resume-old",
      true,
      `it cannot be combined with ${mixed.map(([flag]) => flag).join(", ")}: it only gives trading back to the OrderBooks on the old vault; run it alone`,
    );
}

/** The observed system with what the resume plans from (the vault, its OrderBooks, roles and pause) as `facts` say. */
export function systemFromFacts(observed: LegacySystem, facts: Record<string, string>): LegacySystem {
  const list = (key: string) => (facts[key] ?? "").split(",").filter((a) => a !== "");
  const roles = Object.fromEntries(
    VAULT_ROLES.map((role) => [
      role,
      { admin: facts[`oldVault.role.${role}.admin`], holders: list(`oldVault.role.${role}.holders`) },
    ]),
  ) as LegacySystem["roles"];
  return {
    ...observed,
    vault: getAddress(facts["oldVault.address"]),
    orderBooks: list("oldVault.orderBooks").map((a) => getAddress(a)),
    paused: facts["oldVault.paused"] === "true",
    roles,
  };
}

export async function resumeOldPlanner(
  ctx: EngineContext,
  options: { oldVault?: string },
): Promise<Planner<ResumeOldState>> {
  const { hre, conn, signer, authority } = ctx;
  const root = hre.config.paths.root;
  const config = hre.config.cutover;
  const records = await readSystemRecordIfAny(root, conn.networkName);
  const oldVault = resolveOldVault(records, checkedAddress("--old-vault", options.oldVault));
  const profile = config.protocol;
  return {
    task: "corevault:redeploy --resume-old",
    runKey: runKeys.resumeOld(oldVault),
    observe: (reader) => observeOldVaultAdmin(hre, conn.networkName, reader, oldVault, authority),
    // the plan is a diff against roles and a pause the run itself changes: planned from the facts first observed
    planFromStoredFacts: true,
    plan({ system: observed, sender }, facts) {
      const system = systemFromFacts(observed, facts);
      const steps = resumeOldVault(system, profile, {
        authority: sender,
        signer,
        batchSize: config.redeploy.batchSize,
      });
      const notes = [
        `Trading resumes on the old vault ${system.vault}: its ${system.orderBooks.length} registered OrderBooks hold ORDERBOOK_ROLE there again${profile.vault.pause.haltsTrading ? "" : " (on this protocol that, not the pause, is what lets them trade)"}, and it is unpaused.`,
      ];
      return { steps, notes, labels: { [system.vault.toLowerCase()]: `old CoreVault ${system.vault}` } };
    },
  };
}
