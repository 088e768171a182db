// The inverse of a completed plan, for a rollback rehearsal: every done check of the plan on a contract that existed
// before it ran is brought back to the value it read at the start — a role granted is revoked and a role revoked or
// renounced is granted again, a pause is lifted, a pointer set (a setter, or an OrderBook's vault set through a
// diamondCut's init) is set back. What the plan deployed stays deployed; what has no inverse is named.
import type { NetworkConnection } from "hardhat/types/network";
import type { ContractCatalog } from "../engine/contracts.js";
import { canonicalJson, isRef } from "../engine/plan.js";
import { normalize, Reader } from "../engine/reader.js";
import type { Planner } from "../engine/run.js";
import type { CallAction, CallStep, Plan, ReadCheck, Value } from "../engine/types.js";

const ROLES =
  "AccessControl: function grantRole(bytes32 role, address account); function revokeRole(bytes32 role, address account)";
const PAUSE = "Pausable: function pause(); function unpause()";
const SET_VAULT = "VaultAdminFacet: function setVault(address newVault)";
const DEFAULT_ADMIN_ROLE = `0x${"0".repeat(64)}`;

interface Undo {
  from: string;
  label: string;
  action: CallAction;
}

const same = (a: unknown, b: unknown) => String(a).toLowerCase() === String(b).toLowerCase();

/** Who can send the inverse on `target`: the forward sender, unless the plan handed its admin role to another account. */
function senderOn(plan: Plan, target: string, forwardSender: string): string {
  const actions = plan.steps.flatMap((s) => (s.kind === "call" ? s.actions : []));
  const onTarget = actions.filter((a) => same(a.call.to, target) && same(a.call.args[0], DEFAULT_ADMIN_ROLE));
  const gaveUp = onTarget.some(
    (a) => ["revokeRole", "renounceRole"].includes(a.call.fn) && same(a.call.args[1], forwardSender),
  );
  const heir = onTarget.find((a) => a.call.fn === "grantRole" && !same(a.call.args[1], forwardSender));
  return gaveUp && heir ? String(heir.call.args[1]) : forwardSender;
}

/** `value` with each part equal to `from` (deep, also inside an `$encode`'s arguments) replaced by `to`. */
function substitute(value: Value, from: Value, to: Value): { value: Value; hits: number } {
  if (canonicalJson(value).toLowerCase() === canonicalJson(from).toLowerCase()) return { value: to, hits: 1 };
  if (value === null || typeof value !== "object") return { value, hits: 0 };
  let hits = 0;
  const swap = (v: Value) => {
    const r = substitute(v, from, to);
    hits += r.hits;
    return r.value;
  };
  const swapped = Array.isArray(value)
    ? value.map(swap)
    : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, swap(v as Value)]));
  return { value: swapped as Value, hits };
}

/** The call that makes `check` read `before` again; undefined when there is none this module knows. */
function undoCall(forward: CallAction, check: ReadCheck, before: Value): CallAction["call"] | undefined {
  const { read } = check;
  const to = read.to as string;
  if (read.fn === "hasRole") return { to, contract: ROLES, fn: before ? "grantRole" : "revokeRole", args: read.args };
  if (read.fn === "paused") return { to, contract: PAUSE, fn: before ? "pause" : "unpause", args: [] };
  if (read.args.length > 0 || !same(to, forward.call.to)) return undefined;
  if (check.pick === undefined && forward.call.args.length === 1) return { ...forward.call, to, args: [before] };
  if (read.fn === "vault" && forward.call.fn === "diamondCut")
    return { to, contract: SET_VAULT, fn: "setVault", args: [before] };
  // A setter that carries the new value among other arguments (a hub's setCoreVaultParams(vault, operator), a storage
  // rewire's diamondCut with the init's calldata): the same call with the value read before.
  const swapped = substitute(forward.call.args, check.equals, before);
  return swapped.hits > 0 ? { ...forward.call, args: swapped.value as Value[] } : undefined;
}

const shortArg = (a: Value) => (typeof a === "object" && a !== null ? "…" : String(a));

/**
 * Each done check of `plan` on a contract that existed, with the call that undoes it; last action first. What the plan
 * deployed (`deployed`, by record) is referred to by its address: the inverse is a plan of its own.
 */
async function undos(
  reader: Reader,
  plan: Plan,
  deployed: Record<string, string>,
): Promise<{ undo: Undo[]; none: string[] }> {
  const undo: Undo[] = [];
  const none: string[] = [];
  const seen = new Set<string>();
  for (const step of [...plan.steps].reverse().filter((s): s is CallStep => s.kind === "call"))
    for (const action of [...step.actions].reverse())
      for (const check of action.done) {
        const key = canonicalJson(check.read);
        if (isRef(check.read.to) || seen.has(key)) continue; // deployed by the plan: stays deployed
        seen.add(key);
        const to = check.read.to as string;
        const read = normalize(
          await reader.call({ to, contract: check.read.contract, fn: check.read.fn, args: check.read.args }),
        ) as Value;
        const before = check.pick !== undefined && Array.isArray(read) ? read[check.pick] : read;
        if (canonicalJson(before).toLowerCase() === canonicalJson(check.equals).toLowerCase()) continue; // unchanged
        const undone = undoCall(action, check, before);
        const call = undone && {
          ...undone,
          args: Object.entries(deployed).reduce(
            (args, [record, address]) => substitute(args, { $ref: record }, address).value as Value[],
            undone.args,
          ),
        };
        if (!call) {
          none.push(`${step.label}: ${check.read.fn}(${check.read.args.join(", ")}) on ${to}`);
          continue;
        }
        undo.push({
          from: senderOn(plan, to, step.from),
          label: `undo ${step.label}: ${call.fn}(${call.args.map(shortArg).join(", ")}) on ${to}`,
          action: { call, done: [{ ...check, equals: before }] },
        });
      }
  return { undo, none };
}

/**
 * The inverse of `plan` as a planner, from the values its done checks read at `fromBlock` (before it ran); `none`
 * names the changes it has no inverse for.
 */
export async function inversePlanner(
  conn: NetworkConnection,
  catalog: ContractCatalog,
  plan: Plan,
  fromBlock: number,
  deployed: Record<string, string> = {},
): Promise<{ planner?: Planner<null>; none: string[] }> {
  const { undo, none } = await undos(new Reader(conn.ethers.provider, catalog, fromBlock), plan, deployed);
  if (undo.length === 0) return { none };
  const steps: CallStep[] = undo.map((u, i) => ({
    kind: "call",
    id: `undo:${i + 1}`,
    label: u.label,
    from: u.from,
    dependsOn: i > 0 ? [`undo:${i}`] : [],
    writes: [],
    actions: [u.action],
  }));
  return {
    none,
    planner: {
      task: `rollback of ${plan.task}`,
      runKey: `rollback-${plan.runKey}`,
      observe: async () => ({ facts: { forwardPlan: plan.id }, state: null }),
      plan: () => ({ steps, labels: plan.labels }),
    },
  };
}
