// The engine planners that stage and apply a facet plan's change (or its inverse): commitRoot / scheduleBatch, then
// applyRoutes + activateCommittedRoot + removeRoutes / executeBatch. Every transaction goes through the engine
// (runCutover): journal, resume, plan-only, drift and preflight come from there. Also the stage record and the check
// of the routes an apply leaves.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { getAddress, keccak256, ZeroAddress, ZeroHash } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { CutoverInputError, SignerCannotError } from "../errors.js";
import type { Addresses } from "../engine/apply.js";
import { ContractCatalog } from "../engine/contracts.js";
import { simulatePending } from "../engine/preflight.js";
import { Reader } from "../engine/reader.js";
import { runKeys } from "../engine/run-key.js";
import type { Planner, RunOutcome } from "../engine/run.js";
import type { CallStep, Plan, Step } from "../engine/types.js";
import { formatDuration } from "../timelock/duration.js";
import { NO_PREDECESSOR } from "../timelock/operation.js";
import { exists, writeAtomically } from "../util/fs.js";
import { toJson } from "../util/json.js";
import type { ChangeContext } from "./change.js";
import { namedRead, profileRead } from "./dispatcher-profile.js";
import { batches, MAX_APPLY_BATCH, routeDifferences, type PlanEntry } from "./facet-plan-format.js";
import { FacetPlanError, plansDir } from "./plan-file.js";
import { changeState, readLoupe, stateFacts, type ChangeState } from "./target.js";
import "../type-extensions.js";

const DISPATCHER_FACTS = [
  "dispatcher.activeRoot",
  "dispatcher.activeEpoch",
  "dispatcher.pendingRoot",
  "dispatcher.pendingEpoch",
];

// ------------------------------------------------------------------------------------------------ the steps

/** The steps that stage a change: commitRoot on a dispatcher, scheduleBatch on the diamond's timelock. */
function stageSteps(ctx: ChangeContext, signer: string, minDelay: number): Step[] {
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
function directCutStep(ctx: ChangeContext): Step {
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
function applySteps(ctx: ChangeContext, signer: string, batchSize: number): Step[] {
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
    label: `activate the root of epoch ${change.epoch}: the staged routes go live`,
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

// ------------------------------------------------------------------------------------------------ the runs

function refuse(ctx: ChangeContext, problem: string): never {
  throw new FacetPlanError(`${ctx.what[0].toUpperCase()}${ctx.what.slice(1)}: ${problem}\nNothing was sent.`);
}

/** The live routes must be those the change was computed from. */
async function requireLiveBefore(reader: Reader, ctx: ChangeContext): Promise<void> {
  const differences = routeDifferences(ctx.change.before, await readLoupe(reader, ctx.plan.target, ctx.plan.kind));
  if (differences.length > 0) {
    refuse(
      ctx,
      `the routes of ${ctx.plan.target} are not those it was computed from:\n${differences.map((d) => `  ${d}`).join("\n")}\n${ctx.rollback ? "The plan is not (or no longer) applied as planned; roll back by hand or plan again." : "Run diamond:plan again against the routes as they are now."}`,
    );
  }
}

/** The engine's pre-send simulation of one step, refused in the change's words. */
async function simulate(
  plan: Plan,
  reader: Reader,
  addresses: Addresses,
  ctx: ChangeContext,
  step: Step,
  fix: string,
): Promise<void> {
  try {
    await simulatePending(plan, reader, [step], addresses, fix);
  } catch (error) {
    if (error instanceof SignerCannotError)
      refuse(ctx, `${step.label} would revert when sent by ${error.sender}: ${error.reason}. ${fix}`);
    throw error;
  }
}

const stageName = (ctx: ChangeContext) => (ctx.rollback ? "diamond:rollback" : "diamond:stage-plan");

/** Stages a change through the engine (commitRoot / scheduleBatch); staging it again sends nothing. */
export function stagePlanner(ctx: ChangeContext, signer: string): Planner<number> {
  const { plan, change } = ctx;
  return {
    task: stageName(ctx),
    runKey: runKeys.diamondStage(ctx.id),
    async observe(reader) {
      const minDelay = ctx.timelock
        ? Number(
            await namedRead(
              reader,
              { to: ctx.timelock.address, contract: "Timelock", fn: "getMinDelay", args: [] },
              "the diamond's timelock",
              "TimelockController getMinDelay()",
            ),
          )
        : plan.activationDelay;
      return { facts: await stateFacts(reader, ctx), state: minDelay };
    },
    plan: (minDelay) => ({ steps: stageSteps(ctx, signer, minDelay) }),
    async preflight(enginePlan, reader, pending, addresses) {
      if (pending.length === 0) return;
      await requireLiveBefore(reader, ctx);
      if (ctx.timelock) {
        const owner = getAddress(
          String(
            await namedRead(
              reader,
              { to: plan.target, contract: "OwnershipFacet", fn: "owner", args: [] },
              "the diamond",
              "ERC-173 owner()",
            ),
          ),
        );
        if (owner !== getAddress(ctx.timelock.address))
          refuse(
            ctx,
            `${plan.target} is owned by ${owner}, not by the timelock ${ctx.timelock.address} the plan was made for; plan again`,
          );
        if (
          ctx.timelock.predecessor !== NO_PREDECESSOR &&
          !(await namedRead(
            reader,
            { to: ctx.timelock.address, contract: "Timelock", fn: "isOperationDone", args: [ctx.timelock.predecessor] },
            "the diamond's timelock",
            "TimelockController isOperationDone(bytes32)",
          ))
        ) {
          refuse(
            ctx,
            `its predecessor, the timelock operation ${ctx.timelock.predecessor} of the plan, is not executed`,
          );
        }
        await simulate(
          enginePlan,
          reader,
          addresses,
          ctx,
          pending[0],
          "Use --signer with an account holding the timelock's PROPOSER_ROLE.",
        );
      } else {
        const activeEpoch = Number(await profileRead(reader, ctx.profile!, plan.target, "activeEpoch"));
        const pendingRoot = String(await profileRead(reader, ctx.profile!, plan.target, "pendingRoot"));
        const acknowledged = !ctx.rollback && plan.checks.warnings.some((w) => w.startsWith(`root ${pendingRoot} `));
        if (pendingRoot !== ZeroHash && pendingRoot !== change.root && !acknowledged) {
          refuse(
            ctx,
            `root ${pendingRoot} is committed on ${plan.target} and not activated; staging would discard it and its staged routes. Find out whose it is; plan again to acknowledge it.`,
          );
        }
        if (activeEpoch + 1 !== change.epoch)
          refuse(
            ctx,
            `it is for epoch ${change.epoch}, but the dispatcher's active epoch is ${activeEpoch} (commitRoot takes ${activeEpoch + 1})${ctx.rollback ? "" : "; run diamond:plan again"}`,
          );
        await simulate(enginePlan, reader, addresses, ctx, pending[0], `Use --signer with ${ctx.profile!.authority}.`);
      }
    },
  };
}

/**
 * Applies a staged change through the engine. Refused before anything is sent when it is early (with the time left),
 * when a facet's code hash is not the planned one, or when the live routes are not those the change starts from.
 */
export function applyPlanner(ctx: ChangeContext, signer: string, batchSize = MAX_APPLY_BATCH): Planner<undefined> {
  const { plan, change } = ctx;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_APPLY_BATCH) {
    throw new CutoverInputError(
      "--batch-size",
      batchSize,
      `give a whole number of selectors per applyRoutes transaction from 1 to ${MAX_APPLY_BATCH}, e.g. --batch-size 50`,
    );
  }
  return {
    task: ctx.rollback ? "diamond:rollback" : "diamond:apply-plan",
    runKey: runKeys.diamondApply(ctx.id),
    async observe(reader) {
      return { facts: await stateFacts(reader, ctx), state: undefined };
    },
    plan: () => ({ steps: applySteps(ctx, signer, batchSize) }),
    async preflight(enginePlan, reader, pending, addresses) {
      if (pending.length === 0) return;
      const goesLive = pending.some((s) => s.id !== "remove-routes");
      if (!goesLive) return;
      const state = await changeState(reader, ctx);
      if (state.state === "unstaged")
        refuse(ctx, `it is not staged on ${plan.target}; run ${stageName(ctx)} --plan <file> first`);
      if (state.state === "staged" && state.eta > state.now) {
        refuse(
          ctx,
          `too early: it can be applied from ${new Date(state.eta * 1000).toISOString()} (chain time), ${formatDuration(state.eta - state.now)} from now. Run it again then.`,
        );
      }
      const mismatches: string[] = [];
      for (const facet of [...new Map(change.entries.map((e) => [e.facet, e])).values()]) {
        const code = await reader.code(facet.facet);
        const actual = code === "0x" ? "(no code)" : keccak256(code);
        if (actual !== facet.codehash)
          mismatches.push(
            `${facet.facetName || "facet"} ${facet.facet}: planned code hash ${facet.codehash}, on chain ${actual}`,
          );
      }
      if (mismatches.length > 0)
        refuse(
          ctx,
          `a facet's code is not the code it was planned with:\n${mismatches.map((m) => `  ${m}`).join("\n")}\nPlan again against the facets as deployed.`,
        );
      await requireLiveBefore(reader, ctx);
      await simulate(
        enginePlan,
        reader,
        addresses,
        ctx,
        pending[0],
        ctx.timelock
          ? "Use --signer with an account holding the timelock's EXECUTOR_ROLE."
          : ctx.direct
            ? `The diamond's owner ${ctx.direct.owner} sends the cut: ${ctx.direct.kind === "safe" ? `add --executor safe --safe ${ctx.direct.owner}` : "add its key to the network's accounts"}.`
            : `Use --signer with ${ctx.profile!.authority}.`,
      );
    },
  };
}

/** After an apply: the routes the change leaves, compared with the loupe. Empty: every selector routes as planned. */
export async function verifyRoutes(
  conn: NetworkConnection,
  hre: HardhatRuntimeEnvironment,
  ctx: ChangeContext,
): Promise<string[]> {
  const provider = conn.ethers.provider;
  const reader = new Reader(provider, new ContractCatalog(hre), await provider.getBlockNumber());
  return routeDifferences(ctx.change.after, await readLoupe(reader, ctx.plan.target, ctx.plan.kind));
}

export async function currentState(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  ctx: ChangeContext,
): Promise<ChangeState> {
  const provider = conn.ethers.provider;
  return changeState(new Reader(provider, new ContractCatalog(hre), await provider.getBlockNumber()), ctx);
}

/** Records what staging did next to the plan: plans/<network>/<planId>.stage.json (or .rollback.stage.json). */
export async function writeStageRecord(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  ctx: ChangeContext,
  outcome: RunOutcome,
  state: ChangeState,
): Promise<string> {
  const file = path.join(
    plansDir(hre.config.paths.root, conn.networkName),
    `${ctx.plan.id}${ctx.rollback ? ".rollback" : ""}.stage.json`,
  );
  const previous = (await exists(file))
    ? (JSON.parse(await readFile(file, "utf8")) as { transactions?: unknown[] })
    : undefined;
  const sent = (outcome.report?.results ?? [])
    .filter((r) => r.sentNow)
    .map((r) => ({ step: r.id, txHash: r.txHash, block: r.block, gasUsed: r.gasUsed }));
  const eta = state.state === "staged" ? state.eta : null;
  const record = {
    change: ctx.id,
    plan: ctx.plan.id,
    rollback: ctx.rollback,
    kind: ctx.plan.kind,
    target: ctx.plan.target,
    ...(ctx.timelock
      ? {
          timelock: ctx.timelock.address,
          operationId: ctx.timelock.operationId,
          salt: ctx.timelock.salt,
          predecessor: ctx.timelock.predecessor,
        }
      : { root: ctx.change.root, epoch: ctx.change.epoch }),
    eta,
    etaIso: eta ? new Date(eta * 1000).toISOString() : null,
    transactions: [...(previous?.transactions ?? []), ...sent],
  };
  await writeAtomically(file, toJson(record));
  return file;
}
