// The one pre-send simulator: every step still to send, tried as its sender at the pinned block before anything is sent.
import type { Interface } from "ethers";
import { SignerCannotError, RpcUnavailableError } from "../errors.js";
import { actionDone, Addresses } from "./apply.js";
import { contractLabel } from "./contracts.js";
import { reason } from "./executor-eoa.js";
import { containsEncoded, describeValue } from "./plan.js";
import { revertData } from "../profile/trading.js";
import type { Reader } from "./reader.js";
import type { CallAction, CallStep, Plan, Step, Value } from "./types.js";

/** Stands for a contract the plan deploys and has not deployed yet. */
const PLACEHOLDER_ADDRESS = "0x000000000000000000000000000000000000c0DE";

interface Pending {
  step: CallStep;
  action: CallAction;
  to: string;
  data: string;
}

/**
 * The revert decoded as one of the target's errors where it is one (Error(string), Panic(uint256) and custom errors),
 * labelled with the plan's names; else the provider's reason, with the raw revert data when it does not show it.
 */
export function revertReason(iface: Interface, error: unknown, labels: Record<string, string>): string {
  const data = revertData(error);
  let parsed: ReturnType<Interface["parseError"]> = null;
  try {
    parsed = data ? iface.parseError(data) : null;
  } catch {
    // not one of the target's errors
  }
  if (parsed) {
    const inputs = parsed.fragment.inputs;
    const args = parsed.args.map((a, i) =>
      inputs[i]?.type === "string" ? JSON.stringify(a) : describeValue(String(a), labels),
    );
    return `${parsed.name}(${args.join(", ")})`;
  }
  const text = reason(error);
  return data && data !== "0x" && !text.includes(data) ? `${text} (revert data ${data})` : text;
}

/** The actions to simulate, in plan order: not on chain yet, aimed at an existing contract, calldata known now. */
async function pendingActions(plan: Plan, reader: Reader, pending: Step[], addresses: Addresses): Promise<Pending[]> {
  const pendingIds = new Set(pending.map((s) => s.id));
  const placeholders = new Addresses(
    {
      ...Object.fromEntries(plan.steps.flatMap((s) => (s.kind === "deploy" ? [[s.record, PLACEHOLDER_ADDRESS]] : []))),
      ...addresses.deployed,
    },
    reader.catalog,
  );
  const out: Pending[] = [];
  for (const step of pending) {
    if (step.kind !== "call") continue;
    // A temporary step whose every dependent is done will not be sent (the engine marks it "not needed").
    if (step.temporary && !plan.steps.some((s) => s.dependsOn.includes(step.id) && pendingIds.has(s.id))) continue;
    for (const action of step.actions) {
      // A call to a contract the plan deploys, or whose calldata embeds what the plan deploys first, is left to the run.
      if (typeof action.call.to !== "string" || action.call.args.some(containsEncoded)) continue;
      if (await actionDone(reader, action, addresses)) continue;
      const iface = await reader.catalog.iface(action.call.contract);
      const data = iface.encodeFunctionData(
        action.call.fn,
        action.call.args.map((a: Value) => placeholders.resolve(a)),
      );
      out.push({ step, action, to: action.call.to, data });
    }
  }
  return out;
}

/** Consecutive actions with one sender and one target: run as one `multicall` where the target has it. */
function runs(actions: Pending[]): Pending[][] {
  const groups: Pending[][] = [];
  for (const action of actions) {
    const last = groups.at(-1)?.[0];
    if (
      last &&
      last.step.from === action.step.from &&
      last.to.toLowerCase() === action.to.toLowerCase() &&
      contractLabel(last.action.call.contract) === contractLabel(action.action.call.contract)
    )
      groups.at(-1)!.push(action);
    else groups.push([action]);
  }
  return groups;
}

/**
 * Simulates every pending action as its sender, in plan order, at the observed block, so a missing role fails here and
 * not mid-run. Consecutive actions to one target that has `multicall` are simulated as one multicall, so each sees the
 * effect of those before it (a temporary admin role granted earlier); the first failing one is found by bisection.
 * Throws SignerCannotError naming the step, the call, the decoded revert and `fix`.
 */
export async function simulatePending(
  plan: Plan,
  reader: Reader,
  pending: Step[],
  addresses: Addresses,
  fix: string | ((action: CallAction) => string),
): Promise<void> {
  for (const group of runs(await pendingActions(plan, reader, pending, addresses))) {
    const { step, action, to } = group[0];
    const iface = await reader.catalog.iface(action.call.contract);
    const batched = group.length > 1 && iface.getFunction("multicall") !== null;
    const attempt = (n: number): Promise<unknown> => {
      const data = batched
        ? iface.encodeFunctionData("multicall", [group.slice(0, n).map((p) => p.data)])
        : group[n - 1].data;
      return reader.provider.call({ from: step.from, to, data, blockTag: reader.block }).then(
        () => undefined,
        (error: unknown) => {
          // the RPC did not answer: not a revert of the signer's step
          if (error instanceof RpcUnavailableError) throw error;
          return error ?? new Error("reverted");
        },
      );
    };
    const failing = batched
      ? await firstFailing(attempt, group.length)
      : await firstFailingAlone(attempt, group.length);
    if (!failing) continue;
    const failed = group[failing.index];
    const call = `${contractLabel(failed.action.call.contract)} ${failed.to}.${failed.action.call.fn}(${failed.action.call.args.map((a) => describeValue(a, plan.labels)).join(", ")})`;
    throw new SignerCannotError(
      failed.step.from,
      failed.step.label,
      call,
      revertReason(iface, failing.error, plan.labels),
      typeof fix === "string" ? fix : fix(failed.action),
    );
  }
}

/** Each action alone (no multicall): the first that reverts. */
async function firstFailingAlone(
  attempt: (n: number) => Promise<unknown>,
  count: number,
): Promise<{ index: number; error: unknown } | undefined> {
  for (let n = 1; n <= count; n++) {
    const error = await attempt(n);
    if (error !== undefined) return { index: n - 1, error };
  }
  return undefined;
}

/** The shortest failing prefix of a multicall, by bisection (attempt(n) runs the first n actions). */
async function firstFailing(
  attempt: (n: number) => Promise<unknown>,
  count: number,
): Promise<{ index: number; error: unknown } | undefined> {
  let error = await attempt(count);
  if (error === undefined) return undefined;
  let [low, high] = [1, count]; // attempt(high) fails
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    const failed = await attempt(mid);
    if (failed !== undefined) [high, error] = [mid, failed];
    else low = mid + 1;
  }
  return { index: high - 1, error };
}
