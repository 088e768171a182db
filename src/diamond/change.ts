// A plan's change, or its inverse, with what staging and applying it needs (on a diamond: its timelock batch).
import { ZeroAddress } from "ethers";
import type { ContractCatalog } from "../engine/contracts.js";
import { changeSalt, hashOperationBatch, NO_PREDECESSOR } from "../timelock/operation.js";
import { DISPATCHER_PROFILES, type DispatcherProfile, type DispatcherProfileName } from "./dispatcher-profile.js";
import { forwardChange, rollbackId, type FacetPlan, type RouteChange } from "./facet-plan-format.js";

/** A plan's change (or its inverse) with what staging and applying it needs. */
export interface ChangeContext {
  plan: FacetPlan;
  /** The plan id, or the rollback id. */
  id: string;
  rollback: boolean;
  /** "plan 0x1234…" or "rollback of plan 0x1234…" (full id). */
  what: string;
  /** The same with a short id, for step labels. */
  short: string;
  change: RouteChange;
  /** Dispatcher: how it is read and written. */
  profile?: DispatcherProfile;
  /** Diamond owned by an EOA or a Safe: its owner sends the diamondCut itself (the Safe through its batch). */
  direct?: { owner: string; kind: "eoa" | "safe" };
  /** Diamond: the TimelockController batch. */
  timelock?: {
    address: string;
    targets: string[];
    values: bigint[];
    payloads: string[];
    predecessor: string;
    salt: string;
    operationId: string;
  };
}

async function timelockBatch(
  catalog: ContractCatalog,
  plan: FacetPlan,
  change: RouteChange,
  id: string,
  predecessor: string,
) {
  const payload = (await catalog.iface("DiamondCutFacet")).encodeFunctionData("diamondCut", [
    change.cut.map((c) => [c.facetAddress, c.action, c.functionSelectors]),
    ZeroAddress,
    "0x",
  ]);
  const targets = [plan.target];
  const values = [0n];
  const salt = changeSalt(id);
  return {
    address: plan.timelock!,
    targets,
    values,
    payloads: [payload],
    predecessor,
    salt,
    operationId: hashOperationBatch(targets, values, [payload], predecessor, salt),
  };
}

function directOwner(plan: FacetPlan): ChangeContext["direct"] {
  const owner = plan.owner!;
  return { owner: owner.address, kind: owner.kind === "safe" ? "safe" : "eoa" };
}

/** The configured profile wins over the one the plan was made with (plans of older versions: the reference one). */
const profileOf = (plan: FacetPlan, configured?: DispatcherProfileName) =>
  plan.kind === "dispatcher"
    ? { profile: DISPATCHER_PROFILES[configured ?? plan.dispatcherProfile ?? "reference"] }
    : {};

export async function forwardContext(
  catalog: ContractCatalog,
  plan: FacetPlan,
  configured?: DispatcherProfileName,
): Promise<ChangeContext> {
  const change = forwardChange(plan);
  const ctx: ChangeContext = {
    plan,
    id: plan.id,
    rollback: false,
    what: `plan ${plan.id}`,
    short: `plan ${plan.id.slice(0, 10)}`,
    change,
    ...profileOf(plan, configured),
  };
  if (plan.kind === "diamond" && plan.timelock)
    ctx.timelock = await timelockBatch(catalog, plan, change, plan.id, NO_PREDECESSOR);
  else if (plan.kind === "diamond") ctx.direct = directOwner(plan);
  return ctx;
}

/** The inverse stored in the plan. On a timelock, it runs only after the plan's own operation (its predecessor). */
export async function rollbackContext(
  catalog: ContractCatalog,
  plan: FacetPlan,
  configured?: DispatcherProfileName,
): Promise<ChangeContext> {
  const forward = await forwardContext(catalog, plan, configured);
  const id = rollbackId(plan.id);
  const change = plan.inverse!;
  const ctx: ChangeContext = {
    plan,
    id,
    rollback: true,
    what: `rollback of plan ${plan.id}`,
    short: `rollback of plan ${plan.id.slice(0, 10)}`,
    change,
    ...profileOf(plan, configured),
  };
  if (plan.kind === "diamond" && plan.timelock)
    ctx.timelock = await timelockBatch(catalog, plan, change, id, forward.timelock!.operationId);
  else if (plan.kind === "diamond") ctx.direct = directOwner(plan);
  return ctx;
}
