// A rehearsal's report (JSON for machines, markdown for people), stored in the real run's folder, and the check a real
// run makes against it before sending: "rehearsed at block N, plan id matches" (or, with cutover.requireRehearsal, a
// refusal when it is not).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { formatEther } from "ethers";
import type { StepResult } from "../engine/apply.js";
import type { RunStore } from "../engine/run-store.js";
import type { Plan } from "../engine/types.js";
import { RehearsalRequiredError } from "../errors.js";
import { renderTable } from "../report/table.js";
import { writeAtomically } from "../util/fs.js";
import { toJson } from "../util/json.js";
import type { RehearsalDiff } from "./diff.js";
import type { RehearsedVerify } from "./verify-on-fork.js";

export const REHEARSAL_SCHEMA = "hardhat-cutover/rehearsal@1";

/** One engine plan of a rehearsal. */
export interface RehearsedPlan {
  task: string;
  planId: string;
  runKey: string;
  /** Every step reached its done state on the throwaway chain. */
  passed: boolean;
  /** Engine runs it took (each Safe execution or timelock delay is followed by one more). */
  rounds: number;
  results: Pick<StepResult, "id" | "label" | "status" | "reason">[];
}

export interface Rehearsal {
  schema: typeof REHEARSAL_SCHEMA;
  network: string;
  chainId: number;
  /** The block of the target the throwaway chain copies. */
  block: number;
  where: string;
  at: string;
  /** Every plan passed and the end state has no problem. */
  passed: boolean;
  phases: RehearsedPlan[];
  /** What is wrong with the state the plans leave (e.g. routes not as planned, not back where they started). */
  problems: string[];
  /** `cutover:verify` on the throwaway chain once the forward plans completed (before any rollback). */
  verify?: RehearsedVerify;
  /** What the plans changed, up to the end of the forward plans. */
  diff: RehearsalDiff;
  /** With a rollback: what still differs from the starting state once the inverse plans ran. */
  remaining?: RehearsalDiff;
  cost: { gasLimit: string; blocksAtGasLimit: number; feePerGas: string; wei: string; ether: string };
}

export const rehearsalFiles = (store: RunStore) => ({
  json: path.join(store.dir, "rehearsal.json"),
  md: path.join(store.dir, "rehearsal.md"),
  html: path.join(store.dir, "rehearsal.html"),
});

export function renderRehearsal(r: Rehearsal): string {
  const failed = r.phases.flatMap((p) =>
    p.results.filter((s) => !["done", "already done", "not needed"].includes(s.status)),
  );
  return [
    `# Rehearsal on ${r.network} (chain ${r.chainId})`,
    "",
    `${r.passed ? "PASSED" : "FAILED"}: on ${r.where}; ${r.at}.`,
    "",
    renderTable(
      ["task", "plan", "rounds", "result"],
      r.phases.map((p) => [p.task, p.planId, p.rounds, p.passed ? "complete" : "NOT complete"]),
    ),
    ...(failed.length > 0
      ? [
          "",
          "## Steps that did not complete",
          "",
          renderTable(
            ["step", "status", "reason"],
            failed.map((s) => [s.label, s.status, s.reason ?? ""]),
          ),
        ]
      : []),
    ...(r.problems.length > 0 ? ["", "## Problems with the end state", "", ...r.problems.map((p) => `- ${p}`)] : []),
    ...renderVerify(r.verify),
    "",
    "## What changed (the values the plan's done checks read)",
    "",
    renderTable(
      ["contract", "read", "before", "after"],
      r.diff.changes.map((c) => [c.contract, c.read, c.before, c.after]),
    ),
    "",
    `## Storage slots written (${r.diff.storage.length})`,
    "",
    renderTable(
      ["contract", "slot", "before", "after"],
      r.diff.storage.map((c) => [c.contract, c.slot, c.before, c.after]),
    ),
    "",
    `## Events (${r.diff.events.length})`,
    "",
    renderTable(
      ["contract", "event", "arguments"],
      r.diff.events.map((e) => [e.contract, e.event, e.args]),
    ),
    "",
    "## Cost",
    "",
    renderTable(
      ["sender", "transactions", "gas"],
      r.diff.bySender.map((s) => [s.sender, s.transactions, s.gas]),
    ),
    "",
    `${r.diff.transactions} transaction(s), ${r.diff.gas} gas: at least ${r.cost.blocksAtGasLimit} block(s) at the block gas limit of ${r.cost.gasLimit}; ${r.cost.ether} ETH at ${r.cost.feePerGas} wei per gas (the network's current fee).`,
    ...renderRemaining(r.remaining),
    ...(Object.keys(r.diff.deployed).length > 0
      ? [
          "",
          `Deployed on the throwaway chain: ${Object.entries(r.diff.deployed)
            .map(([n, a]) => `${n} ${a}`)
            .join(", ")}.`,
        ]
      : []),
  ].join("\n");
}

function renderVerify(verify: Rehearsal["verify"]): string[] {
  if (!verify) return [];
  if (!verify.ran) return ["", `## cutover:verify on the throwaway chain`, "", `Not run: ${verify.reason}.`];
  return [
    "",
    "## cutover:verify on the throwaway chain",
    "",
    `${verify.failed === 0 ? "PASSED" : "FAILED"}: ${verify.passed} passed, ${verify.failed} failed, ${verify.notApplicable} n/a (report: ${verify.report}).`,
    ...verify.failures.map((f) => `- ${f}`),
  ];
}

/** After a rollback: every difference from the starting state that remains. */
function renderRemaining(remaining: Rehearsal["remaining"]): string[] {
  if (!remaining) return [];
  const rows = [
    ...remaining.changes.map((c) => [c.contract, c.read, c.before, c.after]),
    ...remaining.storage.map((c) => [c.contract, `slot ${c.slot}`, c.before, c.after]),
    ...Object.entries(remaining.deployed).map(([name, address]) => [`<new ${name}>`, "code", "(none)", address]),
  ];
  return [
    "",
    `## After the rollback: what still differs from the starting state (${rows.length})`,
    "",
    rows.length > 0
      ? renderTable(["contract", "what", "at the start", "now"], rows)
      : "Nothing: back where it started.",
  ];
}

export async function saveRehearsal(
  store: RunStore,
  rehearsal: Rehearsal,
  /** The page for people (report-html.ts), written next to the JSON and markdown. */
  html?: (rehearsal: Rehearsal) => string,
): Promise<{ json: string; md: string; html: string }> {
  const files = rehearsalFiles(store);
  await writeAtomically(files.json, toJson(rehearsal));
  await writeAtomically(files.md, `${renderRehearsal(rehearsal)}\n`);
  if (html) await writeAtomically(files.html, html(rehearsal));
  return files;
}

export function loadRehearsal(store: RunStore): Rehearsal | undefined {
  const { json } = rehearsalFiles(store);
  if (!existsSync(json)) return undefined;
  const value = JSON.parse(readFileSync(json, "utf8")) as Rehearsal;
  return value.schema === REHEARSAL_SCHEMA ? value : undefined;
}

export function costOf(gas: bigint, gasLimit: bigint, feePerGas: bigint): Rehearsal["cost"] {
  const wei = gas * feePerGas;
  return {
    gasLimit: gasLimit.toString(),
    blocksAtGasLimit: gasLimit > 0n ? Number((gas + gasLimit - 1n) / gasLimit) : 0,
    feePerGas: feePerGas.toString(),
    wei: wei.toString(),
    ether: formatEther(wei),
  };
}

/**
 * The real run's check before sending: it says when the plan was rehearsed (same plan id, passed, within `maxAgeHours`);
 * with `required`, a plan without such a rehearsal is refused.
 */
export function rehearsalGate(options: { required: boolean; maxAgeHours: number; print?: (text: string) => void }) {
  return (plan: Plan, store: RunStore): void => {
    const rehearsal = loadRehearsal(store);
    const ageHours = rehearsal ? (Date.now() - Date.parse(rehearsal.at)) / 3_600_000 : Infinity;
    const matches =
      rehearsal !== undefined &&
      rehearsal.phases.some((p) => p.planId === plan.id) &&
      rehearsal.passed &&
      ageHours <= options.maxAgeHours;
    if (matches) {
      options.print?.(
        `rehearsed at block ${rehearsal.block} (${ageHours.toFixed(1)} h ago), plan id matches: ${plan.id}`,
      );
      return;
    }
    if (options.required)
      throw new RehearsalRequiredError(
        plan.id,
        rehearsal
          ? `${rehearsal.passed ? "passed" : "failed"} for plan ${rehearsal.phases.map((p) => p.planId).join(", ")} ${ageHours.toFixed(1)} h ago`
          : "none",
        options.maxAgeHours,
      );
  };
}
