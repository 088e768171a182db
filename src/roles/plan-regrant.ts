import type { PlanBody } from "../engine/run.js";
import { chunks } from "../util/chunks.js";
import type { CallAction, CallSpec, ReadCheck, Step } from "../engine/types.js";
import { REFERENCE } from "../profile/builtins.js";
import { fnName, viewCall } from "../profile/interpret.js";
import type { Profile } from "../profile/schema.js";
import { roleId, VAULT_ROLES, type VaultRole } from "../corevault/observe.js";
import type { Reconciliation, RoleOperation, RolePhase } from "./reconcile.js";

export const REGRANT_TASK = "corevault:regrant-roles";

/** The observed fact holding a role's holders (lowercase, comma-separated). */
export function holdersFact(role: VaultRole): string {
  return `vault.role.${role}.holders`;
}

export interface RegrantPlanInputs {
  vault: string;
  reconciliation: Reconciliation;
  /** Sends every step. */
  executor: string;
  /** Calls per multicall transaction (1 where the profile's vault has no multicall). */
  batchSize: number;
  /** How the vault's roles are read and written (default: the reference mock). */
  profile?: Profile;
}

function rolesIn(ops: RoleOperation[]): string {
  return [...new Set(ops.map((op) => op.role))].join(", ");
}

/**
 * The reconciliation as a plan of multicall batches against the vault. Phases run in order (each waits for the whole
 * previous one); batches within a phase are independent, except the renounces, which run one after another so that
 * DEFAULT_ADMIN_ROLE goes last.
 */
export function planRegrant(inputs: RegrantPlanInputs): Required<PlanBody> {
  const { vault, reconciliation, executor } = inputs;
  if (reconciliation.refusals.length > 0)
    throw new Error(
      `Cannot plan a refused reconciliation: ${reconciliation.refusals.map((r) => r.message).join("; ")}`,
    );
  if (!Number.isInteger(inputs.batchSize) || inputs.batchSize < 1)
    throw new Error(`batchSize must be a positive integer, got ${inputs.batchSize}`);
  const profile = inputs.profile ?? REFERENCE;
  const { roles } = profile.vault;
  const batchSize = profile.vault.batching === "multicall" ? inputs.batchSize : 1;
  // A direct caller without a profile gets the reference mock's artifact as the ABI (the tasks pass the active profile).
  const call = (signature: string, op: RoleOperation): CallSpec =>
    inputs.profile
      ? viewCall(profile, signature, vault, [roleId(op.role), op.account])
      : { to: vault, contract: "CoreVault", fn: fnName(signature), args: [roleId(op.role), op.account] };
  const effect = (op: RoleOperation): ReadCheck => ({ read: call(roles.hasRole, op), equals: op.kind === "grant" });
  const temporaryRoles = new Set(
    reconciliation.operations.filter((op) => op.phase === "temporary").map((op) => op.role),
  );
  const action = (op: RoleOperation): CallAction => {
    const done = [effect(op)];
    // Releasing a temporary role is done only once the work it enabled is: before that, "not held" means "not granted yet".
    if (op.kind === "renounce" && temporaryRoles.has(op.role))
      done.push(...reconciliation.operations.filter((o) => o.via === op.role).map(effect));
    return { call: call(roles[op.kind].signature, op), done };
  };
  const base = (id: string, label: string, ops: RoleOperation[], dependsOn: string[]): Step => ({
    id,
    kind: "call",
    label,
    from: executor,
    dependsOn,
    writes: [...new Set(ops.map((op) => holdersFact(op.role)))],
    actions: ops.map(action),
  });

  const steps: Step[] = [];
  const temporaryStep = new Map<VaultRole, string>();
  let previousPhase: string[] = [];
  const phase = (name: RolePhase) => reconciliation.operations.filter((op) => op.phase === name);
  const batched = (name: RolePhase, label: (ops: RoleOperation[]) => string, sequential = false) => {
    const ids: string[] = [];
    chunks(phase(name), batchSize).forEach((ops, i, all) => {
      const id = name === "self" ? `grant:self:${i + 1}` : `${name}:${i + 1}`;
      const via = ops.flatMap((op) => (op.via ? [temporaryStep.get(op.via)!] : []));
      const dependsOn = [...new Set([...previousPhase, ...via, ...(sequential ? ids.slice(-1) : [])])];
      steps.push(base(id, `${label(ops)}${all.length > 1 ? ` (${i + 1}/${all.length})` : ""}`, ops, dependsOn));
      ids.push(id);
    });
    if (ids.length > 0) previousPhase = ids;
  };

  batched("self", (ops) => `grant the executor ${rolesIn(ops)}`);
  const temporaryIds: string[] = [];
  for (const op of phase("temporary")) {
    const id = `grant:temporary:${op.role}`;
    const enabled = rolesIn(reconciliation.operations.filter((o) => o.via === op.role));
    steps.push({
      ...base(id, `grant the executor ${op.role} for as long as it grants or revokes ${enabled}`, [op], previousPhase),
      temporary: true,
    });
    temporaryStep.set(op.role, id);
    temporaryIds.push(id);
  }
  if (temporaryIds.length > 0) previousPhase = temporaryIds;
  batched("grant", (ops) => `grant ${rolesIn(ops)}`);
  batched("revoke", (ops) => `revoke ${rolesIn(ops)}`);
  batched("renounce", (ops) => `the executor renounces ${rolesIn(ops)}`, true);

  return {
    steps,
    notes: regrantNotes(reconciliation, [...temporaryStep.keys()], steps.length),
    labels: Object.fromEntries(VAULT_ROLES.map((role) => [roleId(role).toLowerCase(), role])),
  };
}

function regrantNotes(reconciliation: Reconciliation, temporaryRoles: VaultRole[], stepCount: number): string[] {
  const notes: string[] = [];
  const keptByRole = new Map<VaultRole, string[]>();
  for (const { role, account } of reconciliation.kept) keptByRole.set(role, [...(keptByRole.get(role) ?? []), account]);
  for (const [role, accounts] of keptByRole)
    notes.push(
      `extra, kept: ${role} held by ${accounts.join(", ")}, not in the desired graph (pass --revoke-extra to revoke)`,
    );
  for (const role of temporaryRoles)
    notes.push(`the executor holds ${role} only while it needs it, and renounces it at the end`);
  if (stepCount === 0) notes.push("the live roles already match the desired graph: nothing to send");
  return notes;
}
