// The runs behind diamond:stage-plan, diamond:apply-plan and diamond:rollback: read the plan file, run the engine, print.
import path from "node:path";
import { jsonOutput } from "../cli/json-output.js";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { printRehearsal, resolveSigner, runOptions, runWithProgress, type EngineArgs } from "../cli/engine-command.js";
import { parseExecutorChoice, type ExecutorChoice } from "../engine/authority.js";
import { rehearseChange } from "./rehearse-change.js";
import { ContractCatalog } from "../engine/contracts.js";
import { CutoverInputError } from "../errors.js";
import type { RunOutcome } from "../engine/run.js";
import { clipLines } from "./facet-plan-render.js";
import { formatDuration } from "../timelock/duration.js";
import { forwardContext, rollbackContext, type ChangeContext } from "./change.js";
import { directCutsPlanner } from "./direct-cuts.js";
import { applyPlanner, currentState, stagePlanner, verifyRoutes, writeStageRecord } from "./facet-plan-planners.js";
import { FacetPlanError, loadPlan } from "./plan-file.js";
import type { ChangeState } from "./target.js";
import { renderAwaiting } from "../report/proposals.js";
import { renderResults } from "../report/results.js";
import "../type-extensions.js";

export interface ChangeArgs extends EngineArgs {
  plan: string;
  batchSize?: number;
  /** diamond:apply-plan --rehearse: also rehearse the rollback after the change. */
  withRollback?: boolean;
}

interface Session {
  hre: HardhatRuntimeEnvironment;
  conn: NetworkConnection;
  args: ChangeArgs;
  signer: string;
  run: ReturnType<typeof runOptions>;
  executor: ExecutorChoice;
  out: (text: string) => void;
  json: Record<string, unknown>;
}

async function session(hre: HardhatRuntimeEnvironment, args: ChangeArgs): Promise<Session> {
  const conn = await hre.network.getOrCreate();
  const signer = await resolveSigner(conn, args.signer);
  // --executor safe --safe <owner>: the cut of a Safe-owned diamond goes into the Safe's batch (routed by its `from`).
  const executor = { ...parseExecutorChoice(args), signer };
  const run = runOptions(hre, conn, args, executor, (text) => console.log(clipLines(text)));
  return {
    hre,
    conn,
    args,
    signer,
    run,
    executor,
    out: (text) => (args.json ? undefined : console.log(text)),
    json: {},
  };
}

function describeState(ctx: ChangeContext, state: ChangeState): string {
  const where = ctx.timelock
    ? `timelock operation ${ctx.timelock.operationId}`
    : ctx.direct
      ? `one diamondCut by its owner ${ctx.direct.owner}`
      : `root ${ctx.change.root} (epoch ${ctx.change.epoch})`;
  switch (state.state) {
    case "applied":
      return `${ctx.what} is applied (${where})`;
    case "staged":
      return state.eta > state.now
        ? `${ctx.what} is staged (${where}); it can be applied from ${new Date(state.eta * 1000).toISOString()} (chain time), in ${formatDuration(state.eta - state.now)}`
        : `${ctx.what} is staged (${where}) and can be applied now`;
    case "unstaged":
      return `${ctx.what} is not staged`;
    case "no staging needed":
      return ctx.direct
        ? `${ctx.what} needs no staging: the diamond's owner (${ctx.direct.kind === "safe" ? "a Safe" : "an EOA"} ${ctx.direct.owner}) cuts it directly, without a delay; run diamond:apply-plan`
        : `${ctx.what} only removes routes: nothing to stage, it applies without a delay`;
    case "spent":
      return `${ctx.what}: its ${where} was executed, but the loupe of ${ctx.plan.target} does not show the routes it leaves (rolled back or changed since)`;
  }
}

/** An executed operation cannot run again (same salt): a new application needs a new plan, hence a new salt. */
function refuseSpent(ctx: ChangeContext, state: ChangeState): void {
  if (state.state === "spent")
    throw new FacetPlanError(
      `${describeState(ctx, state)}. Nothing was sent. Run diamond:plan again: a plan made now gets a new id and a new timelock salt.`,
    );
}

function finish(s: Session, what: string, outcome: RunOutcome): boolean {
  const report = outcome.report!;
  s.out(renderResults(report));
  s.json[what] = {
    planId: outcome.plan.id,
    complete: report.complete,
    awaiting: report.awaiting,
    transactionsSent: report.transactionsSent,
    results: report.results,
    proposals: report.proposals,
  };
  if (report.awaiting) {
    process.exitCode = 2;
    const labels = Object.fromEntries(outcome.plan.steps.map((st) => [st.id, st.label]));
    s.out(`\n${renderAwaiting(report, path.dirname(outcome.planFile), labels)}`);
    s.out(`\nRun the same command again once the authority has executed it: the rest follows.`);
    return false;
  }
  if (!report.complete) {
    process.exitCode = 1;
    s.out(`\n${what} did not complete. Fix what failed, then run the same command again: only what remains is sent.`);
  }
  return report.complete;
}

async function stage(s: Session, ctx: ChangeContext): Promise<ChangeState> {
  const { hre, conn } = s;
  const before = await currentState(hre, conn, ctx);
  refuseSpent(ctx, before);
  if (before.state === "applied" || before.state === "no staging needed") {
    s.out(describeState(ctx, before));
    return before;
  }
  const outcome = await runWithProgress(hre, conn, stagePlanner(ctx, s.signer), s.run);
  if (s.args.planOnly) {
    s.out(
      `\nplan only: nothing sent. Engine plan written to ${path.relative(hre.config.paths.root, outcome.planFile)}`,
    );
    return before;
  }
  if (!finish(s, "stage", outcome)) return before;
  const state = await currentState(hre, conn, ctx);
  const record = await writeStageRecord(hre, conn, ctx, outcome, state);
  s.out(describeState(ctx, state));
  s.out(`stage record: ${path.relative(hre.config.paths.root, record)}`);
  s.json.state = state;
  s.json.stageRecord = path.relative(hre.config.paths.root, record);
  return state;
}

/** The owner of a directly cut diamond must be one we can send as: a configured account, or the chosen Safe. */
async function requireOwnerSender(s: Session, ctx: ChangeContext): Promise<void> {
  if (!ctx.direct) return;
  const { owner, kind } = ctx.direct;
  const safe = s.executor.kind === "safe" && s.executor.safe?.toLowerCase() === owner.toLowerCase();
  const accounts = (await s.conn.ethers.getSigners()).map((a) => a.address.toLowerCase());
  if (kind === "safe" && !safe)
    throw new FacetPlanError(
      `${ctx.what}: the diamond ${ctx.plan.target} is owned by the Safe ${owner}; its cut goes through the Safe's batch. Nothing was sent. Run it with --executor safe --safe ${owner}.`,
    );
  if (kind === "eoa" && !accounts.includes(owner.toLowerCase()))
    throw new FacetPlanError(
      `${ctx.what}: the diamond ${ctx.plan.target} is owned by ${owner}, which is not one of ${s.conn.networkName}'s accounts. Nothing was sent. Add the owner's key to the network's accounts.`,
    );
}

async function apply(s: Session, ctx: ChangeContext): Promise<void> {
  const { hre, conn } = s;
  const before = await currentState(hre, conn, ctx);
  refuseSpent(ctx, before);
  if (before.state !== "applied") await requireOwnerSender(s, ctx);
  if (before.state === "applied") {
    s.out(describeState(ctx, before));
  } else {
    // Not applied: a first application, a resume, or an application again after a rollback (whose earlier run's cut is
    // no longer on chain by design). The plan is computed afresh from the chain; the preflight's check of the live
    // routes against the change's starting routes is the drift check here.
    const outcome = await runWithProgress(hre, conn, applyPlanner(ctx, s.signer, s.args.batchSize), {
      ...s.run,
      replan: true,
    });
    if (s.args.planOnly) {
      s.out(
        `\nplan only: nothing sent. Engine plan written to ${path.relative(hre.config.paths.root, outcome.planFile)}`,
      );
      return;
    }
    if (!finish(s, "apply", outcome)) return;
  }
  const differences = await verifyRoutes(conn, hre, ctx);
  s.json.routesVerified = differences.length === 0;
  if (differences.length > 0) {
    process.exitCode = 1;
    s.out(`The loupe does not show the planned routes:\n${differences.map((d) => `  ${d}`).join("\n")}`);
    return;
  }
  const selectors = new Set(ctx.change.after.flatMap((f) => f.functionSelectors)).size;
  s.out(
    `verified: the loupe of ${ctx.plan.target} shows exactly the routes the ${ctx.rollback ? "rollback" : "plan"} leaves (${selectors} selector(s) routed)`,
  );
}

function done(s: Session, ctx: ChangeContext): void {
  if (s.args.json)
    console.log(jsonOutput("facet-change", { planId: ctx.plan.id, change: ctx.id, rollback: ctx.rollback, ...s.json }));
}

export async function stagePlan(args: ChangeArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  const s = await session(hre, args);
  const { plan } = await loadPlan(hre, s.conn, args.plan);
  const ctx = await forwardContext(new ContractCatalog(hre), plan, hre.config.cutover.diamond.dispatcherProfile);
  s.json.state = await stage(s, ctx);
  done(s, ctx);
}

const planFiles = (given: string) =>
  given
    .split(",")
    .map((f) => f.trim())
    .filter(Boolean);

/**
 * Several plans, each for a diamond its EOA or Safe owner cuts directly: one engine run, one diamondCut per diamond,
 * all sent back to back (pipelined); then every diamond's loupe is checked against the routes its plan leaves.
 */
async function applyMany(s: Session, files: string[], rollback: boolean): Promise<void> {
  const { hre, conn } = s;
  const catalog = new ContractCatalog(hre);
  const contexts: ChangeContext[] = [];
  for (const file of files) {
    const { plan } = await loadPlan(hre, conn, file);
    const ctx = await (rollback ? rollbackContext : forwardContext)(catalog, plan);
    if (!ctx.direct)
      throw new CutoverInputError(
        "--plan",
        file,
        "several plans in one run must each be for a diamond owned by an EOA or a Safe (one direct diamondCut each); stage and apply dispatcher and timelock plans one at a time",
      );
    if (contexts.some((c) => c.plan.target === plan.target))
      throw new CutoverInputError(
        "--plan",
        file,
        `another of the plans is for the same diamond ${plan.target}; give one plan per diamond`,
      );
    contexts.push(ctx);
  }
  const todo: ChangeContext[] = [];
  for (const ctx of contexts) {
    const state = await currentState(hre, conn, ctx);
    refuseSpent(ctx, state);
    if (state.state === "applied") continue;
    await requireOwnerSender(s, ctx);
    todo.push(ctx);
  }
  if (todo.length > 0) {
    const outcome = await runWithProgress(hre, conn, directCutsPlanner(todo), s.run);
    if (s.args.planOnly)
      return s.out(
        `\nplan only: nothing sent. Engine plan written to ${path.relative(s.hre.config.paths.root, outcome.planFile)}`,
      );
    if (!finish(s, "apply", outcome)) return;
  }
  const targets = [];
  for (const ctx of contexts) {
    const differences = await verifyRoutes(conn, hre, ctx);
    targets.push({ plan: ctx.plan.id, target: ctx.plan.target, verified: differences.length === 0, differences });
    s.out(
      differences.length === 0
        ? `verified: the loupe of ${ctx.plan.target} shows exactly the routes the ${ctx.rollback ? "rollback" : "plan"} leaves`
        : `The loupe of ${ctx.plan.target} does not show the planned routes:\n${differences.map((d) => `  ${d}`).join("\n")}`,
    );
  }
  s.json.targets = targets;
  s.json.routesVerified = targets.every((t) => t.verified);
  if (!s.json.routesVerified) process.exitCode = 1;
  if (s.args.json)
    console.log(jsonOutput("facet-change", { plans: contexts.map((c) => c.plan.id), rollback, ...s.json }));
}

export async function applyPlan(args: ChangeArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  const s = await session(hre, args);
  const files = planFiles(args.plan);
  if (files.length > 1) return applyMany(s, files, false);
  const { plan } = await loadPlan(hre, s.conn, args.plan);
  if (args.rehearse) {
    const { rehearsal, files } = await rehearseChange(hre, s.conn, plan, {
      signer: s.signer,
      batchSize: args.batchSize,
      withRollback: args.withRollback === true,
      run: s.run,
    });
    return printRehearsal(hre, s.conn.networkName, rehearsal, files, args.json);
  }
  const ctx = await forwardContext(new ContractCatalog(hre), plan, hre.config.cutover.diamond.dispatcherProfile);
  await apply(s, ctx);
  done(s, ctx);
}

/** Stages the inverse if it needs staging; applies it once it is due (a second run after the delay). */
export async function rollback(args: ChangeArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  const s = await session(hre, args);
  const files = planFiles(args.plan);
  if (files.length > 1) return applyMany(s, files, true);
  const { plan } = await loadPlan(hre, s.conn, args.plan);
  const ctx = await rollbackContext(new ContractCatalog(hre), plan, hre.config.cutover.diamond.dispatcherProfile);
  let state = await currentState(hre, s.conn, ctx);
  if (state.state === "unstaged") state = await stage(s, ctx);
  s.json.state = state;
  // A stage that did not complete left the state unstaged (and set the exit code).
  if (args.planOnly || state.state === "unstaged") return done(s, ctx);
  if (state.state === "staged" && state.eta > state.now) {
    s.out(`Run diamond:rollback --plan ${args.plan} again from then to apply it.`);
    return done(s, ctx);
  }
  await apply(s, ctx);
  s.json.state = await currentState(hre, s.conn, ctx);
  done(s, ctx);
}
