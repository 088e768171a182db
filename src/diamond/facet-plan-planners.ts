// The engine planners that stage and apply a facet plan's change (or its inverse), with the steps of
// facet-plan-steps.ts. Every transaction goes through the engine
// (runCutover): journal, resume, plan-only, drift and preflight come from there. Also the stage record and the check
// of the routes an apply leaves.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { getAddress, keccak256, ZeroHash } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { CutoverInputError, SignerCannotError } from "../errors.js";
import type { Addresses } from "../engine/apply.js";
import { ContractCatalog } from "../engine/contracts.js";
import { simulatePending } from "../engine/preflight.js";
import { Reader } from "../engine/reader.js";
import { runKeys } from "../engine/run-key.js";
import type { Planner, RunOutcome } from "../engine/run.js";
import type { Plan, Step } from "../engine/types.js";
import { formatDuration } from "../timelock/duration.js";
import { NO_PREDECESSOR } from "../timelock/operation.js";
import { exists, writeAtomically } from "../util/fs.js";
import { toJson } from "../util/json.js";
import type { ChangeContext } from "./change.js";
import { namedRead, profileRead } from "./dispatcher-profile.js";
import { MAX_APPLY_BATCH, routeDifferences } from "./facet-plan-format.js";
import { applySteps, stageSteps } from "./facet-plan-steps.js";
import { FacetPlanError, plansDir } from "./plan-file.js";
import { changeState, readLoupe, stateFacts, type ChangeState } from "./target.js";
import "../type-extensions.js";

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
  const { plan } = ctx;
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
      await checkApply(enginePlan, reader, addresses, ctx, pending[0]);
    },
  };
}

/**
 * Before a change's first apply step is sent: every facet's on-chain code is the planned code, the live routes are
 * those the change starts from, and the step succeeds when simulated as its sender. Refused otherwise.
 */
export async function checkApply(
  enginePlan: Plan,
  reader: Reader,
  addresses: Addresses,
  ctx: ChangeContext,
  step: Step,
): Promise<void> {
  const mismatches: string[] = [];
  for (const facet of [...new Map(ctx.change.entries.map((e) => [e.facet, e])).values()]) {
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
    step,
    ctx.timelock
      ? "Use --signer with an account holding the timelock's EXECUTOR_ROLE."
      : ctx.direct
        ? `The diamond's owner ${ctx.direct.owner} sends the cut: ${ctx.direct.kind === "safe" ? `add --executor safe --safe ${ctx.direct.owner}` : "add its key to the network's accounts"}.`
        : `Use --signer with ${ctx.profile!.authority}.`,
  );
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
