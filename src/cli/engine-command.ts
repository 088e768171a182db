// The one way a state-changing task runs: resolve the signer and the executor, run the engine, print, set the exit code.
import path from "node:path";
import { jsonOutput } from "./json-output.js";
import { phaseProgress, type PhaseProgress } from "./phase-progress.js";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import type { ApplyReport } from "../engine/apply.js";
import { parseFault } from "../engine/faults.js";
import { authorityOf, parseExecutorChoice, type Authority, type ExecutorChoice } from "../engine/authority.js";
import { retryConnectionReads } from "../engine/rpc-retry.js";
import { ContractCatalog } from "../engine/contracts.js";
import { checkChosenAuthority } from "../engine/input-checks.js";
import { runCutover, type Planner, type RunOptions, type RunOutcome } from "../engine/run.js";
import { CutoverInputError } from "../errors.js";
import { progressLine } from "../report/progress.js";
import { renderAwaiting } from "../report/proposals.js";
import { renderResults, sendSummary } from "../report/results.js";
import { onePlan, rehearse, withRollback } from "../rehearse/rehearse.js";
import { rehearsalGate, renderRehearsal, type Rehearsal } from "../rehearse/report.js";
import { wholePlanSimulation } from "../rehearse/whole-plan.js";
import { toJson } from "../util/json.js";
import { checkedAddress } from "../util/address.js";
import { EXIT } from "./exit-codes.js";
import "../type-extensions.js";

/** The options `engineTask` adds to every state-changing task. */
export interface EngineArgs {
  planOnly: boolean;
  replan: boolean;
  yes: boolean;
  json: boolean;
  sequential: boolean;
  /** Print every call of the plan and every step and OrderBook of the results (default: a summary). */
  verbose?: boolean;
  /** Apply the plan on a throwaway copy of the network instead, and report what it changed. */
  rehearse?: boolean;
  /** With --rehearse: then apply the plan's inverse there, and report what differs from the start. */
  withRollback?: boolean;
  signer: string;
  executor?: string;
  safe?: string;
  timelock?: string;
}

/** What a task's planner is built from. */
export interface EngineContext {
  hre: HardhatRuntimeEnvironment;
  conn: NetworkConnection;
  /** The account that sends what no authority sends (--signer, default the network's first account). */
  signer: string;
  executor: ExecutorChoice;
  authority: Authority;
}

/** A task's own part of the output; `failed` makes a finished run exit 1 (e.g. a check that does not hold). */
export interface CommandResult {
  json?: Record<string, unknown>;
  /** Printed instead of the results table. */
  text?: string[];
  failed?: boolean;
  /** Closing words when the run is not complete. */
  unfinished?: string;
}

export interface EngineCommand<S> {
  planner(ctx: EngineContext): Planner<S> | Promise<Planner<S>>;
  /** After the run, and after --plan-only (then `outcome.report` is undefined). */
  results?(ctx: EngineContext, outcome: RunOutcome<S>): CommandResult | Promise<CommandResult>;
}

const UNFINISHED =
  "The run is not complete. Fix what failed, then run the same command again: finished steps are skipped, nothing is sent twice.";

/** The account given with --signer (one of the network's accounts), or the network's first account. */
export async function resolveSigner(conn: NetworkConnection, given: string): Promise<string> {
  const accounts = (await conn.ethers.getSigners()).map((s) => s.address);
  const signer = checkedAddress("--signer", given, "give the 0x address of one of this network's configured accounts");
  if (!signer) return accounts[0];
  if (!accounts.some((a) => a.toLowerCase() === signer.toLowerCase())) {
    throw new CutoverInputError(
      "--signer",
      given,
      `it is not one of the ${accounts.length} accounts configured for ${conn.networkName}; add its key to the network's accounts or pick another`,
    );
  }
  return signer;
}

/** The engine's run options from the task's: a progress line, the plan printed unless --json. */
export function runOptions(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  args: Pick<EngineArgs, "planOnly" | "replan" | "yes" | "json" | "sequential" | "verbose">,
  executor?: ExecutorChoice,
  print = (text: string) => console.log(text),
): RunOptions & { progress: ReturnType<typeof progressLine> } {
  const progress = progressLine(!args.json);
  let sending: PhaseProgress | undefined;
  return {
    planOnly: args.planOnly,
    replan: args.replan,
    yes: args.yes,
    pipeline: !args.sequential,
    verbose: args.verbose === true,
    confirmations: hre.config.cutover.confirmations[conn.networkName] ?? 1,
    executor,
    onProgress: (p) => {
      sending ??= phaseProgress("sending", { enabled: !args.json, total: p.total, line: progress });
      sending.update(p.done, `${p.step}${p.hash ? ` ${p.hash}` : ""}`);
    },
    print: args.json ? undefined : print,
    beforeSend: rehearsalGate({
      required: hre.config.cutover.requireRehearsal,
      maxAgeHours: hre.config.cutover.rehearsalMaxAgeHours,
      print: args.json ? undefined : print,
    }),
    simulate: wholePlanSimulation(hre),
    // Crash tests inject a fault through the environment (CUTOVER_FAULT="kill-after-<journal|broadcast|complete|record>:N").
    fault: parseFault(process.env.CUTOVER_FAULT),
    progress,
  };
}

/** Runs a planner through the engine with the task's options, printing the send summary when anything ran. */
export async function runWithProgress<S>(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  planner: Planner<S>,
  options: ReturnType<typeof runOptions>,
): Promise<RunOutcome<S>> {
  const started = Date.now();
  // Observation and planning until the plan is printed (or the run ends): elapsed time on the progress line.
  const observing = phaseProgress("observing the chain and planning", { enabled: true, line: options.progress });
  let observed = false;
  const endObserving = () => {
    if (!observed) observing.end(`observed and planned in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    observed = true;
  };
  const print = options.print;
  const outcome = await runCutover(hre, conn, planner, {
    ...options,
    print: print && ((text) => (endObserving(), print(text))),
  }).finally(endObserving);
  if (outcome.report) options.progress.done(sendSummary(outcome.report, (Date.now() - started) / 1000));
  return outcome;
}

/** Resolves the signer and executor, runs the task's planner through the engine, prints and sets the exit code. */
export async function runEngineCommand<S>(
  hre: HardhatRuntimeEnvironment,
  args: EngineArgs,
  command: EngineCommand<S>,
): Promise<void> {
  const conn = await hre.network.getOrCreate();
  // Before the planner resolves its inputs: a dropped read must not look like bad input.
  await retryConnectionReads(conn);
  const signer = await resolveSigner(conn, args.signer);
  const executor = { ...parseExecutorChoice(args), signer };
  await checkChosenAuthority(conn, new ContractCatalog(hre), executor);
  const ctx: EngineContext = { hre, conn, signer, executor, authority: authorityOf(executor, signer) };
  if (args.rehearse) return rehearseCommand(ctx, args, command);
  const planner = await command.planner(ctx);
  const outcome = await runWithProgress(hre, conn, planner, runOptions(hre, conn, args, executor));
  const result = (await command.results?.(ctx, outcome)) ?? {};
  // The task has written what a completed run writes (records, app config): a rerun need not write it again.
  if (outcome.completedNow) outcome.markRecorded();
  const { report } = outcome;
  if (!report) {
    if (args.json)
      console.log(
        jsonOutput("plan", {
          plan: outcome.plan,
          planFile: path.relative(hre.config.paths.root, outcome.planFile),
          alreadyDone: outcome.alreadyDone,
          ...result.json,
        }),
      );
    else
      console.log(
        [
          ...(result.text ?? []),
          `\nplan only: nothing sent. Plan written to ${path.relative(hre.config.paths.root, outcome.planFile)}`,
        ].join("\n"),
      );
    return;
  }
  const failed = result.failed === true;
  if (args.json) {
    const { planId, awaiting, transactionsSent, deployed, results, proposals } = report;
    console.log(
      jsonOutput("run", {
        planId,
        planFile: path.relative(hre.config.paths.root, outcome.planFile),
        complete: report.complete && !failed,
        awaiting,
        transactionsSent,
        deployed,
        results,
        proposals,
        ...result.json,
      }),
    );
  } else {
    console.log((result.text ?? [renderResults(report, args.verbose === true)]).join("\n"));
  }
  finishRun({ ...outcome, report }, args.json, failed, result.unfinished);
}

/** --rehearse: the same planner, on a throwaway copy of the network; the report printed, exit code 1 unless it passed. */
async function rehearseCommand<S>(ctx: EngineContext, args: EngineArgs, command: EngineCommand<S>): Promise<void> {
  const { hre, conn } = ctx;
  const options = runOptions(hre, conn, args, ctx.executor);
  const { rehearsal, files } = await rehearse(
    hre,
    conn,
    async (throwaway) => {
      const planner = (await command.planner({ ...ctx, conn: throwaway })) as Planner<unknown>;
      let forward: RunOutcome<unknown> | undefined;
      // What the real run writes once complete (records, app config), written in the rehearsal's workspace.
      const script = onePlan(planner, async (rehearsalHre, outcome) => {
        forward = outcome;
        await command.results?.({ ...ctx, hre: rehearsalHre, conn: throwaway }, outcome as RunOutcome<S>);
        if (outcome.completedNow) outcome.markRecorded();
      });
      return args.withRollback ? withRollback(hre, throwaway, script, () => forward) : script;
    },
    options,
  );
  printRehearsal(hre, conn.networkName, rehearsal, files, args.json);
}

/** A rehearsal's report for people (markdown) or machines (JSON); exit code 1 unless it passed. */
export function printRehearsal(
  hre: HardhatRuntimeEnvironment,
  network: string,
  rehearsal: Rehearsal,
  files: { json: string; md: string; html?: string },
  json: boolean,
): void {
  const relative = {
    json: path.relative(hre.config.paths.root, files.json),
    md: path.relative(hre.config.paths.root, files.md),
    ...(files.html ? { html: path.relative(hre.config.paths.root, files.html) } : {}),
  };
  if (json) console.log(toJson({ ...rehearsal, files: relative }));
  else
    console.log(
      `\n${renderRehearsal(rehearsal)}\n\nreport: ${relative.md} (and ${relative.json}${relative.html ? `, ${relative.html}` : ""}); nothing was sent to ${network}.`,
    );
  if (!rehearsal.passed) process.exitCode = EXIT.checkFailed;
}

/**
 * The exit code and closing words of a run: 2 while steps wait for their authority (the proposal is shown), 1 when
 * something failed or is left, 0 when complete.
 */
export function finishRun(
  outcome: RunOutcome & { report: ApplyReport },
  json: boolean,
  failed = false,
  unfinished = UNFINISHED,
): void {
  const { report } = outcome;
  if (report.awaiting && !failed) {
    process.exitCode = EXIT.awaiting;
    if (!json)
      console.log(
        `\n${renderAwaiting(report, path.dirname(outcome.planFile), Object.fromEntries(outcome.plan.steps.map((s) => [s.id, s.label])))}`,
      );
  } else if (!report.complete || failed) {
    process.exitCode = EXIT.checkFailed;
    if (!json) console.log(`\n${unfinished}`);
  }
}
