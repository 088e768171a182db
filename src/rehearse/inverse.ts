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

/** The call that makes `check` read `before` again; undefined when there is none this module knows. */
function undoCall(forward: CallAction, check: ReadCheck, before: Value): CallAction["call"] | undefined {
  const { read } = check;
  const to = read.to as string;
  if (read.fn === "hasRole") return { to, contract: ROLES, fn: before ? "grantRole" : "revokeRole", args: read.args };
  if (read.fn === "paused") return { to, contract: PAUSE, fn: before ? "pause" : "unpause", args: [] };
  if (read.args.length > 0 || check.pick !== undefined) return undefined;
  if (forward.call.args.length === 1 && same(to, forward.call.to)) return { ...forward.call, to, args: [before] };
  if (read.fn === "vault" && forward.call.fn === "diamondCut")
    return { to, contract: SET_VAULT, fn: "setVault", args: [before] };
  return undefined;
}

/** Each done check of `plan` on a contract that existed, with the call that undoes it; last action first. */
async function undos(reader: Reader, plan: Plan): Promise<{ undo: Undo[]; none: string[] }> {
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
        const before = normalize(
          await reader.call({ to, contract: check.read.contract, fn: check.read.fn, args: check.read.args }),
        ) as Value;
        if (canonicalJson(before).toLowerCase() === canonicalJson(check.equals).toLowerCase()) continue; // unchanged
        const call = undoCall(action, check, before);
        if (!call) {
          none.push(`${step.label}: ${check.read.fn}(${check.read.args.join(", ")}) on ${to}`);
          continue;
        }
        undo.push({
          from: senderOn(plan, to, step.from),
          label: `undo ${step.label}: ${call.fn}(${call.args.map((a) => String(a)).join(", ")}) on ${to}`,
          action: { call, done: [{ read: check.read, equals: before }] },
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
): Promise<{ planner?: Planner<null>; none: string[] }> {
  const { undo, none } = await undos(new Reader(conn.ethers.provider, catalog, fromBlock), plan);
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
