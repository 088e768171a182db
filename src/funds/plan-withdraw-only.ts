// corevault:migrate-funds --mode withdraw-only: nothing is moved. Trading is halted on the old vault (the --halt-old
// machinery: ORDERBOOK_ROLE revoked from its OrderBooks) and the old vault is unpaused, so users withdraw themselves.
import type { EngineContext } from "../cli/engine-command.js";
import type { Planner } from "../engine/run.js";
import { runKeys } from "../engine/run-key.js";
import { haltOldVault, unpauseOldVault } from "../corevault/plan-old-vault.js";
import { observeOldVaultAdmin, type OldVaultState } from "../corevault/old-vault.js";
import { systemFromFacts } from "../corevault/resume-old.js";
import { roleId, type LegacySystem, type VaultRole } from "../corevault/system.js";
import type { Step } from "../engine/types.js";
import { viewCall, writeCall } from "../profile/interpret.js";
import type { Profile } from "../profile/schema.js";
import type { Snapshot } from "./snapshot.js";

export type WithdrawOnlyState = OldVaultState;

export interface WithdrawOnlyInputs {
  snapshot: Snapshot;
  profile: Profile;
}

/** The plan's words: what the run changes, and that users withdraw themselves. */
export function withdrawOnlyNotes(snapshot: Snapshot, system: LegacySystem, profile: Profile): string[] {
  const t = snapshot.totals;
  return [
    `withdraw-only: nothing is moved. Users withdraw their own money from the old vault ${system.vault}: trading there is halted (ORDERBOOK_ROLE revoked from its ${system.roles.ORDERBOOK_ROLE.holders.length} OrderBook holders${profile.vault.pause.haltsTrading ? "" : "; on this protocol the pause does not stop trading, the role does"}) and the vault is ${system.paused ? "unpaused" : "kept unpaused"} so withdrawals are open`,
    `the snapshot of block ${snapshot.block} lists ${t.users} users owed ${t.total}, of which ${t.free} is free to withdraw now (${t.migratedUsers} users, with ${t.migrate}, hold no position or reserved margin)`,
    `${t.leftUsers} users with open positions or reserved margin (${t.leftOnOldVault}) can withdraw only their free part: their positions stay open on the halted vault until their markets are settled`,
    `follow the draining with cutover:status --funds-snapshot <this snapshot>: the old vault's token balance left and the users left with a balance`,
  ];
}

export async function withdrawOnlyPlanner(
  ctx: EngineContext,
  inputs: WithdrawOnlyInputs,
): Promise<Planner<WithdrawOnlyState>> {
  const { hre, conn, signer, authority } = ctx;
  const { snapshot, profile } = inputs;
  const config = hre.config.cutover;
  const oldVault = snapshot.vault;
  return {
    task: "corevault:migrate-funds --mode withdraw-only",
    runKey: runKeys.fundsMigrate("withdraw-only", oldVault, snapshot.merkle.root),
    observe: (reader) => observeOldVaultAdmin(hre, conn.networkName, reader, oldVault, authority),
    // the run revokes roles and unpauses: a rerun plans from what the run first observed
    planFromStoredFacts: true,
    plan({ system: observed, sender }, facts) {
      const system = systemFromFacts(observed, facts);
      const steps = haltAndOpen(system, profile, sender, { signer, batchSize: config.redeploy.batchSize });
      return {
        steps,
        notes: withdrawOnlyNotes(snapshot, system, profile),
        labels: { [system.vault.toLowerCase()]: `old CoreVault ${system.vault}` },
      };
    },
  };
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Halt, then unpause (no fill can move margin while users withdraw). Where ORDERBOOK_ROLE's admin is a role the old
 * vault's admin does not hold (FACTORY_ROLE on the reference mock), the admin holds it only for the halt: granted to
 * itself (a temporary step), then renounced.
 */
export function haltAndOpen(
  system: LegacySystem,
  profile: Profile,
  sender: string,
  options: { signer: string; batchSize: number },
): Step[] {
  const admin = system.roles.ORDERBOOK_ROLE.admin as VaultRole;
  const holds = system.roles[admin]?.holders.some((h) => same(h, sender) || same(h, options.signer));
  const borrow =
    admin !== "DEFAULT_ADMIN_ROLE" &&
    !holds &&
    system.roles.ORDERBOOK_ROLE.holders.length > 0 &&
    system.roles[admin]?.admin === "DEFAULT_ADMIN_ROLE";
  const lent: LegacySystem = borrow
    ? { ...system, roles: { ...system.roles, [admin]: { ...system.roles[admin], holders: [sender] } } }
    : system;
  const halt = haltOldVault(lent, profile, { authority: sender, signer: options.signer, batchSize: options.batchSize });
  const role = roleId(admin);
  const { grant, renounce, hasRole } = profile.vault.roles;
  const held = (equals: boolean) => [{ read: viewCall(profile, hasRole, system.vault, [role, sender]), equals }];
  const take: Step = {
    kind: "call",
    id: "grant-orderbook-role-admin",
    label: `grant ${admin} to ${sender} on the old vault (the admin of ORDERBOOK_ROLE), for the halt only`,
    from: sender,
    dependsOn: [],
    writes: [`oldVault.role.${admin}.holders`],
    temporary: true,
    actions: [{ call: writeCall(profile, grant, system.vault, [role, sender]), done: held(true) }],
  };
  const giveBack: Step = {
    kind: "call",
    id: "renounce-orderbook-role-admin",
    label: `${sender} renounces ${admin} on the old vault`,
    from: sender,
    dependsOn: halt.map((s) => s.id),
    writes: [`oldVault.role.${admin}.holders`],
    actions: [{ call: writeCall(profile, renounce, system.vault, [role, sender]), done: held(false) }],
  };
  const steps = borrow ? [take, ...halt.map((s) => ({ ...s, dependsOn: [...s.dependsOn, take.id] })), giveBack] : halt;
  if (!system.paused) return steps;
  const unpause = unpauseOldVault(
    system,
    profile,
    sender,
    halt.map((s) => s.id),
  );
  return [...steps, unpause];
}
