import { getAddress } from "ethers";
import { VAULT_ROLES, type VaultRole } from "../corevault/observe.js";

/** Holders by role. In a desired graph, a role that is absent is left alone. */
export type RoleGraph = Partial<Record<VaultRole, string[]>>;

export interface ReconcileInput {
  desired: RoleGraph;
  live: RoleGraph;
  /** The role that administers each role (grants and revokes it). */
  admins: Partial<Record<VaultRole, VaultRole>>;
  /** The account that sends every operation. */
  executor: string;
  /** Revoke live holders the desired graph does not list (otherwise they are kept and reported). */
  revokeExtra: boolean;
}

/**
 * Where an operation falls in the order: grants of roles the executor itself needs ("self"), temporary grants of admin
 * roles to the executor, the other grants, revokes of other accounts, and the executor's own renounces.
 */
export type RolePhase = "self" | "temporary" | "grant" | "revoke" | "renounce";

export interface RoleOperation {
  kind: "grant" | "revoke" | "renounce";
  phase: RolePhase;
  role: VaultRole;
  account: string;
  /** The admin role the executor holds temporarily to do this operation. */
  via?: VaultRole;
}

export interface Reconciliation {
  /** In the order they must land: grants, then revokes of others, then the executor's own renounces (DEFAULT_ADMIN_ROLE last). */
  operations: RoleOperation[];
  /** Live holders outside the desired graph, left in place because revokeExtra is off. */
  kept: { role: VaultRole; account: string }[];
  /** Why the desired graph cannot be applied; when any, nothing must be sent. */
  refusals: { role: VaultRole; message: string }[];
}

const ADMIN: VaultRole = "DEFAULT_ADMIN_ROLE";

const key = (a: string) => a.toLowerCase();

function unique(accounts: string[]): string[] {
  const seen = new Map<string, string>();
  for (const account of accounts) if (!seen.has(key(account))) seen.set(key(account), getAddress(account));
  return [...seen.values()];
}

interface Diff {
  grants: RoleOperation[];
  revokes: RoleOperation[];
  renounces: RoleOperation[];
  kept: Reconciliation["kept"];
  refusals: Reconciliation["refusals"];
}

/** Per desired role, in the vault's role order: holders to grant, to revoke (or renounce, the executor's own), to keep. */
function diffRoles(input: ReconcileInput, isExecutor: (a: string) => boolean): Diff {
  const diff: Diff = { grants: [], revokes: [], renounces: [], kept: [], refusals: [] };
  const order = (role: string) =>
    VAULT_ROLES.includes(role as VaultRole) ? VAULT_ROLES.indexOf(role as VaultRole) : VAULT_ROLES.length;
  for (const role of (Object.keys(input.desired) as VaultRole[]).sort((a, b) => order(a) - order(b))) {
    if (!input.admins[role]) {
      diff.refusals.push({ role, message: `${role} is not a role of this vault (its admin role is unknown)` });
      continue;
    }
    const desired = unique(input.desired[role]!);
    const live = unique(input.live[role] ?? []);
    const wantedKeys = new Set(desired.map(key));
    const liveKeys = new Set(live.map(key));
    for (const account of desired)
      if (!liveKeys.has(key(account))) diff.grants.push({ kind: "grant", phase: "grant", role, account });
    for (const account of live) {
      if (wantedKeys.has(key(account))) continue;
      if (!input.revokeExtra) diff.kept.push({ role, account });
      else if (isExecutor(account)) diff.renounces.push({ kind: "renounce", phase: "renounce", role, account });
      else diff.revokes.push({ kind: "revoke", phase: "revoke", role, account });
    }
  }
  return diff;
}

/** A refusal when the diff would leave DEFAULT_ADMIN_ROLE without a holder. */
function lastAdminRefusal(input: ReconcileInput, diff: Diff): Reconciliation["refusals"] {
  const removed = new Set(
    [...diff.revokes, ...diff.renounces].filter((op) => op.role === ADMIN).map((op) => key(op.account)),
  );
  const finalAdmins = [
    ...unique(input.live[ADMIN] ?? []).filter((a) => !removed.has(key(a))),
    ...diff.grants.filter((op) => op.role === ADMIN).map((op) => op.account),
  ];
  if (finalAdmins.length > 0 || removed.size === 0) return [];
  return [
    {
      role: ADMIN,
      message: `${ADMIN} would be left without a holder (the desired graph revokes ${[...removed].map((a) => getAddress(a)).join(", ")} and grants it to no one); keep at least one ${ADMIN} holder in the desired graph`,
    },
  ];
}

/** Grants to the executor it can make itself, in the order that lets each enable the next; `held` grows with them. */
function selfGrantsOf(
  input: ReconcileInput,
  grants: RoleOperation[],
  held: Set<VaultRole>,
  isExecutor: (a: string) => boolean,
): RoleOperation[] {
  const selfGrants: RoleOperation[] = [];
  for (let progressed = true; progressed;) {
    progressed = false;
    for (const op of grants) {
      if (!isExecutor(op.account) || selfGrants.includes(op) || !held.has(input.admins[op.role]!)) continue;
      selfGrants.push(op);
      op.phase = "self";
      held.add(op.role);
      progressed = true;
    }
  }
  return selfGrants;
}

/**
 * For each operation whose admin role the executor lacks: a temporary grant of that admin role when the executor holds
 * the admin's admin, else a refusal. Returns the temporary grants; sets `via` on the operations they enable.
 */
function authorize(
  input: ReconcileInput,
  executor: string,
  ops: RoleOperation[],
  held: Set<VaultRole>,
  refusals: Reconciliation["refusals"],
): RoleOperation[] {
  const temporary: RoleOperation[] = [];
  const refused = new Set<VaultRole>();
  for (const op of ops) {
    const admin = input.admins[op.role]!;
    if (held.has(admin)) continue;
    const adminOfAdmin = input.admins[admin];
    const canEscalate = adminOfAdmin !== undefined && adminOfAdmin !== admin;
    if (canEscalate && held.has(adminOfAdmin)) {
      if (!temporary.some((t) => t.role === admin))
        temporary.push({ kind: "grant", phase: "temporary", role: admin, account: executor });
      op.via = admin;
    } else if (!refused.has(op.role)) {
      refused.add(op.role);
      refusals.push({
        role: op.role,
        message: `the executor ${executor} cannot grant or revoke ${op.role}: it does not hold ${admin}, the admin role of ${op.role}${canEscalate ? `, nor ${adminOfAdmin}, which administers ${admin}` : ""}; run with an account that holds ${admin} (--signer)`,
      });
    }
  }
  return temporary;
}

/**
 * The grants and revokes that make the live role graph match the desired one, ordered so the executor never loses a
 * role it still needs, or refusals when that cannot be done safely.
 */
export function reconcileRoles(input: ReconcileInput): Reconciliation {
  const executor = getAddress(input.executor);
  const isExecutor = (a: string) => key(a) === key(executor);
  const diff = diffRoles(input, isExecutor);
  const refusals = [...diff.refusals, ...lastAdminRefusal(input, diff)];
  // The roles the executor holds while it works: live ones, then those it can grant itself directly (in that order).
  const held = new Set<VaultRole>(
    (Object.keys(input.live) as VaultRole[]).filter((role) => unique(input.live[role] ?? []).some(isExecutor)),
  );
  const selfGrants = selfGrantsOf(input, diff.grants, held, isExecutor);
  const otherGrants = diff.grants.filter((op) => !selfGrants.includes(op));
  const temporary = authorize(input, executor, [...otherGrants, ...diff.revokes], held, refusals);
  // The executor's own roles go last: temporary admin roles first, DEFAULT_ADMIN_ROLE at the very end.
  const releases = temporary.map((t): RoleOperation => ({
    kind: "renounce",
    phase: "renounce",
    role: t.role,
    account: executor,
  }));
  const ownLast = [...diff.renounces].sort((a, b) => Number(a.role === ADMIN) - Number(b.role === ADMIN));
  return {
    operations: [...selfGrants, ...temporary, ...otherGrants, ...diff.revokes, ...releases, ...ownLast],
    kept: diff.kept,
    refusals,
  };
}
