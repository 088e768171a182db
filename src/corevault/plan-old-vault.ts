import type { CallAction, Step } from "../engine/types.js";
import { CutoverInputError } from "../errors.js";
import { viewCall, writeCall } from "../profile/interpret.js";
import type { Profile } from "../profile/schema.js";
import { chunks } from "../util/chunks.js";
import { roleId, type LegacySystem, type VaultRole } from "./system.js";

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** --pause-old: the old vault paused by the account that administers it. */
export function pauseOldVault(system: LegacySystem, profile: Profile, from: string): Step {
  const vault = system.vault;
  const { pause } = profile.vault;
  return {
    id: "pause-old-vault",
    kind: "call",
    label: "pause the old vault",
    from,
    dependsOn: [],
    writes: ["oldVault.paused"],
    actions: [
      {
        call: writeCall(profile, pause.pause, vault, []),
        done: [{ read: viewCall(profile, pause.read, vault, []), equals: true }],
      },
    ],
  };
}

/** Who sends ORDERBOOK_ROLE changes on the old vault: the holder of its admin role among the authority and the signer. */
function orderBookRoleAdmin(
  system: LegacySystem,
  senders: { authority?: string; signer: string },
  flag: string,
  doing: string,
): string {
  const admin = system.roles.ORDERBOOK_ROLE.admin as VaultRole;
  const { signer } = senders;
  const candidates = admin === "DEFAULT_ADMIN_ROLE" ? [senders.authority ?? signer, signer] : [signer];
  const from = candidates.find((c) => system.roles[admin]?.holders.some((h) => same(h, c)));
  if (!from)
    throw new CutoverInputError(
      flag,
      true,
      `${doing} ORDERBOOK_ROLE on the old vault ${system.vault} needs its admin role ${admin}, which ${candidates.join(" / ")} does not hold; grant it first, or run without ${flag}`,
    );
  return from;
}

/**
 * --halt-old: ORDERBOOK_ROLE revoked from every OrderBook on the old vault, sent by whoever holds its admin role there
 * (the old vault's admin sender where it is DEFAULT_ADMIN_ROLE, else the signer if it holds that role).
 */
export function haltOldVault(
  system: LegacySystem,
  profile: Profile,
  senders: { authority?: string; signer: string; batchSize: number },
): Step[] {
  const books = system.roles.ORDERBOOK_ROLE.holders;
  if (books.length === 0) return [];
  const from = orderBookRoleAdmin(system, senders, "--halt-old", "revoking");
  const revoke = (book: string): CallAction => ({
    call: writeCall(profile, profile.vault.roles.revoke, system.vault, [roleId("ORDERBOOK_ROLE"), book]),
    done: [
      {
        read: viewCall(profile, profile.vault.roles.hasRole, system.vault, [roleId("ORDERBOOK_ROLE"), book]),
        equals: false,
      },
    ],
  });
  const batch = profile.vault.batching === "multicall" ? senders.batchSize : 1;
  return chunks(books.map(revoke), batch).map((actions, i, all) => ({
    id: all.length === 1 ? "halt-old-vault" : `halt-old-vault:${i + 1}`,
    kind: "call",
    label: `halt trading on the old vault: revoke ORDERBOOK_ROLE from its OrderBooks${all.length > 1 ? ` (${i + 1}/${all.length})` : ""}`,
    from,
    dependsOn: [],
    writes: ["oldVault.role.ORDERBOOK_ROLE.holders"],
    actions,
  }));
}

/**
 * --resume-old, the inverse of --halt-old and --pause-old: ORDERBOOK_ROLE granted back to the OrderBooks registered on
 * the old vault that lack it (the halt revoked it from them), and the vault unpaused when it is paused. `system` is
 * what the run observed first (the planner plans from its stored facts), so a rerun plans the same steps.
 */
export function resumeOldVault(
  system: LegacySystem,
  profile: Profile,
  senders: { authority?: string; signer: string; batchSize: number },
): Step[] {
  const { hasRole, grant } = profile.vault.roles;
  const role = roleId("ORDERBOOK_ROLE");
  const regrant = (book: string): CallAction => ({
    call: writeCall(profile, grant, system.vault, [role, book]),
    done: [{ read: viewCall(profile, hasRole, system.vault, [role, book]), equals: true }],
  });
  const holders = system.roles.ORDERBOOK_ROLE.holders;
  const books = system.orderBooks.filter((book) => !holders.some((h) => same(h, book)));
  const batch = profile.vault.batching === "multicall" ? senders.batchSize : 1;
  const grants: Step[] =
    books.length === 0
      ? []
      : chunks(books.map(regrant), batch).map((actions, i, all) => ({
          id: all.length === 1 ? "resume-old-vault" : `resume-old-vault:${i + 1}`,
          kind: "call",
          label: `resume trading on the old vault: grant ORDERBOOK_ROLE back to its OrderBooks${all.length > 1 ? ` (${i + 1}/${all.length})` : ""}`,
          from: orderBookRoleAdmin(system, senders, "--resume-old", "granting"),
          dependsOn: [],
          writes: ["oldVault.role.ORDERBOOK_ROLE.holders"],
          actions,
        }));
  if (!system.paused) return grants;
  return [...grants, unpauseOldVault(system, profile, senders.authority ?? senders.signer)];
}

/** The old vault unpaused by the account that administers it (--resume-old; withdraw-only, so users can withdraw). */
export function unpauseOldVault(system: LegacySystem, profile: Profile, from: string, dependsOn: string[] = []): Step {
  const { pause } = profile.vault;
  return {
    id: "unpause-old-vault",
    kind: "call",
    label: "unpause the old vault",
    from,
    dependsOn,
    writes: ["oldVault.paused"],
    actions: [
      {
        call: writeCall(profile, pause.unpause, system.vault, []),
        done: [{ read: viewCall(profile, pause.read, system.vault, []), equals: false }],
      },
    ],
  };
}
