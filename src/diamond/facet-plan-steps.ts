// The steps that stage and apply a facet plan's change (or its inverse) on its host: commitRoot, applyRoutes batches,
// activateCommittedRoot and removeRoutes on a dispatcher (through its profile); scheduleBatch / executeBatch on a
// diamond's timelock; one diamondCut sent by a diamond's EOA or Safe owner. Pure: no provider.
import { ZeroAddress, ZeroHash } from "ethers";
import type { CallStep, Step } from "../engine/types.js";
import type { ChangeContext } from "./change.js";
import { batches, type PlanEntry } from "./facet-plan-format.js";

const DISPATCHER_FACTS = [
  "dispatcher.activeRoot",
  "dispatcher.activeEpoch",
  "dispatcher.pendingRoot",
  "dispatcher.pendingEpoch",
];

// ------------------------------------------------------------------------------------------------ the steps

/** The steps that stage a change: commitRoot on a dispatcher, scheduleBatch on the diamond's timelock. */
export function stageSteps(ctx: ChangeContext, signer: string, minDelay: number): Step[] {
  return ctx.timelock ? [timelockStep(ctx, signer, "schedule", minDelay)] : [commitRootStep(ctx, signer)];
}

/** A step on the diamond's timelock: scheduleBatch or executeBatch of the change's one operation. */
function timelockStep(ctx: ChangeContext, signer: string, stage: "schedule" | "execute", minDelay = 0): Step {
  const t = ctx.timelock!;
  const batch = [t.targets, t.values.map(String), t.payloads, t.predecessor, t.salt];
  const operation = (fn: string) => ({
    read: { to: t.address, contract: "Timelock", fn, args: [t.operationId] },
    equals: true,
  });
  const [fn, args, done, label] =
    stage === "schedule"
      ? [
          "scheduleBatch",
          [...batch, String(minDelay)],
          operation("isOperation"),
          `schedule the diamondCut of the ${ctx.short} on the timelock`,
        ]
      : [
          "executeBatch",
          batch,
          operation("isOperationDone"),
          `execute the diamondCut of the ${ctx.short} through the timelock`,
        ];
  return {
    id: stage,
    kind: "call",
    label,
    from: signer,
    dependsOn: [],
    writes: stage === "schedule" ? ["timelock.operation"] : ["timelock.operation", "target.routes"],
    actions: [{ call: { to: t.address, contract: "Timelock", fn, args }, done: [done] }],
  };
}

/** The diamondCut, sent by the diamond's owner: an EOA directly, a Safe through its batch (--executor safe). */
export function directCutStep(ctx: ChangeContext): Step {
  const { change, plan } = ctx;
  const { owner, kind } = ctx.direct!;
  const facetOf = (selector: string) => ({
    read: { to: plan.target, contract: "DiamondLoupeFacet", fn: "facetAddress", args: [selector] },
  });
  return {
    id: "diamond-cut",
    kind: "call",
    label: `diamondCut of the ${ctx.short}, sent by the diamond's owner (${kind === "safe" ? "a Safe" : "an EOA"})`,
    from: owner,
    dependsOn: [],
    writes: ["target.routes"],
    actions: [
      {
        call: {
          to: plan.target,
          contract: "DiamondCutFacet",
          fn: "diamondCut",
          args: [change.cut.map((c) => [c.facetAddress, c.action, c.functionSelectors]), ZeroAddress, "0x"],
        },
        done: [
          ...change.after.flatMap((f) =>
            f.functionSelectors.map((sel) => ({ ...facetOf(sel), equals: f.facetAddress })),
          ),
          ...change.removals.map((sel) => ({ ...facetOf(sel), equals: ZeroAddress })),
        ],
      },
    ],
  };
}

function commitRootStep(ctx: ChangeContext, signer: string): Step {
  const { change } = ctx;
  const read = (fn: string) => dispatcherCall(ctx, fn, []);
  const { reads, writes } = ctx.profile!;
  return {
    id: "commit-root",
    kind: "call",
    label: `commit the manifest root of the ${ctx.short} for epoch ${change.epoch}`,
    from: signer,
    dependsOn: [],
    writes: ["dispatcher.pendingRoot", "dispatcher.pendingEpoch"],
    actions: [
      {
        call: dispatcherCall(ctx, writes.commitRoot, [change.root!, change.epoch!]),
        done: [
          { read: read(reads.pendingRoot), equals: change.root! },
          { read: read(reads.pendingEpoch), equals: change.epoch! },
        ],
      },
    ],
  };
}

/** The steps that apply a staged change: applyRoutes batches, activateCommittedRoot, removeRoutes; or executeBatch. */
export function applySteps(ctx: ChangeContext, signer: string, batchSize: number): Step[] {
  if (ctx.timelock) return [timelockStep(ctx, signer, "execute")];
  if (ctx.direct) return [directCutStep(ctx)];
  const { change } = ctx;
  const steps: Step[] = [];
  if (change.root !== null) {
    const groups = batches(change.entries, batchSize);
    groups.forEach((group, i) => steps.push(applyRoutesStep(ctx, signer, group, i, batchSize)));
    steps.push(activateStep(ctx, signer, groups.length));
  }
  if (change.removals.length > 0) steps.push(removeRoutesStep(ctx, signer));
  return steps;
}

function dispatcherCall(ctx: ChangeContext, fn: string, args: CallStep["actions"][number]["call"]["args"]) {
  return { to: ctx.plan.target, contract: ctx.profile!.contract, fn, args };
}

/**
 * The i-th batch of routes with their proofs (applyRoutes). On the reference dispatcher it stages them (live at the
 * activation); on a dispatcher whose applyRoutes goes live at once (payrox), done is read from the live routes.
 */
function applyRoutesStep(ctx: ChangeContext, signer: string, group: PlanEntry[], i: number, batchSize: number): Step {
  const call = (fn: string, args: CallStep["actions"][number]["call"]["args"]) => dispatcherCall(ctx, fn, args);
  const { reads, writes, applyGoesLive } = ctx.profile!;
  const range = `${i * batchSize + 1}-${i * batchSize + group.length} of ${ctx.change.entries.length}`;
  return {
    id: `apply-routes:${i + 1}`,
    kind: "call",
    label: applyGoesLive
      ? `route ${range} with their proofs (live at once on this dispatcher)`
      : `stage routes ${range} with their proofs`,
    from: signer,
    dependsOn: [],
    writes: applyGoesLive ? ["target.routes"] : [],
    // Staged routes are cleared by the activation: once it is done, these are not needed.
    ...(applyGoesLive ? {} : { temporary: true }),
    actions: [
      {
        call: call(writes.applyRoutes, [
          group.map((e) => e.selector),
          group.map((e) => e.facet),
          group.map((e) => e.codehash),
          group.map((e) => e.proof),
          group.map((e) => e.positions),
        ]),
        done: group.map((e) => ({
          read: call(applyGoesLive ? reads.route : reads.stagedRoute!, [e.selector]),
          equals: [e.facet, e.codehash],
        })),
      },
    ],
  };
}

function activateStep(ctx: ChangeContext, signer: string, groups: number): Step {
  const { change } = ctx;
  const call = (fn: string) => dispatcherCall(ctx, fn, []);
  const { reads, writes } = ctx.profile!;
  return {
    id: "activate",
    kind: "call",
    label: ctx.profile!.applyGoesLive
      ? `activate the root of epoch ${change.epoch} (its routes are live already on this dispatcher)`
      : `activate the root of epoch ${change.epoch}: the staged routes go live`,
    from: signer,
    dependsOn: Array.from({ length: groups }, (_, i) => `apply-routes:${i + 1}`),
    writes: [...DISPATCHER_FACTS, "target.routes"],
    actions: [
      {
        call: call(writes.activate),
        done: [
          { read: call(reads.activeRoot), equals: change.root },
          { read: call(reads.activeEpoch), equals: change.epoch! },
        ],
      },
    ],
  };
}

function removeRoutesStep(ctx: ChangeContext, signer: string): Step {
  const { change } = ctx;
  return {
    id: "remove-routes",
    kind: "call",
    label: `remove ${change.removals.length} route(s) the ${ctx.rollback ? "rollback" : "plan"} takes out`,
    from: signer,
    dependsOn: change.root !== null ? ["activate"] : [],
    writes: ["target.routes"],
    actions: [
      {
        call: dispatcherCall(ctx, ctx.profile!.writes.removeRoutes, [change.removals]),
        done: change.removals.map((s) => ({
          read: dispatcherCall(ctx, ctx.profile!.reads.route, [s]),
          equals: [ZeroAddress, ZeroHash],
        })),
      },
    ],
  };
}
