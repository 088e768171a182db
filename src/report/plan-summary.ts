// The plan and its results for people, summarised: runs of alike steps (the batches of one multicall, one change on
// each of many OrderBooks) on one line each, multicalls as counts of their functions. --verbose prints every call.
import { describeStep, describeValue } from "../engine/plan.js";
import type { Plan, Step } from "../engine/types.js";
import { renderTable, terminalWidth } from "./table.js";

const BATCH = / \((\d+)\/(\d+)\)$/;

/** Whether two labels name parts of one change: batches "(i/n)" of it, or the same change on different items. */
export function alikeLabels(a: string, b: string): boolean {
  if (BATCH.test(a) && BATCH.test(b)) return a.replace(BATCH, "") === b.replace(BATCH, "");
  const stem = (label: string) => label.slice(0, Math.max(0, label.lastIndexOf(" ")));
  return stem(a) !== "" && stem(a) === stem(b) && !BATCH.test(a) && !BATCH.test(b);
}

/** Consecutive runs of items that `same` says belong together, as [first, last] index pairs. */
export function runsOf<T>(items: T[], same: (a: T, b: T) => boolean): [number, number][] {
  const runs: [number, number][] = [];
  items.forEach((item, i) => {
    const last = runs[runs.length - 1];
    if (last && same(items[last[1]], item)) last[1] = i;
    else runs.push([i, i]);
  });
  return runs;
}

/** What a run of alike labels is called: "register OrderBooks", or "rewire ×200 (BTC-USD … ATOM10-USD)". */
export function runLabel(labels: string[]): string {
  if (labels.length === 1) return labels[0];
  if (BATCH.test(labels[0])) return labels[0].replace(BATCH, "");
  const stem = labels[0].slice(0, labels[0].lastIndexOf(" "));
  const item = (label: string) => label.slice(stem.length + 1);
  const items = labels.length === 2 ? item(labels[1]) : `… ${item(labels[labels.length - 1])}`;
  return `${stem} ×${labels.length} (${item(labels[0])} ${items})`;
}

/** "#" of a run: "7" or "13-212". */
export function runNumber([first, last]: [number, number]): string {
  return first === last ? String(first + 1) : `${first + 1}-${last + 1}`;
}

function shape(step: Step): string {
  if (step.kind === "deploy") return `deploy ${step.contract}`;
  if (step.kind === "presigned") return "presigned";
  return [...new Set(step.actions.map((a) => a.call.fn))].join();
}

function functionCounts(steps: Step[]): string {
  const counts = new Map<string, number>();
  for (const step of steps)
    if (step.kind === "call") for (const a of step.actions) counts.set(a.call.fn, (counts.get(a.call.fn) ?? 0) + 1);
  return [...counts].map(([fn, n]) => `${fn} ×${n}`).join(", ");
}

/** The call column of a run of steps: the call itself, or what the multicalls and repeated calls add up to. */
export function describeRun(steps: Step[], labels: Record<string, string>): string {
  const [first] = steps;
  if (first.kind !== "call" || (steps.length === 1 && first.actions.length === 1))
    return describeStep(first, labels)[0];
  const target = describeValue(first.actions[0].call.to, labels);
  const calls = steps.reduce((n, s) => n + (s.kind === "call" ? s.actions.length : 0), 0);
  if (steps.length === 1) return `multicall of ${calls} calls to ${target}: ${functionCounts(steps)}`;
  const largest = Math.max(...steps.map((s) => (s.kind === "call" ? s.actions.length : 0)));
  if (largest > 1)
    return `${steps.length} batches of up to ${largest} calls, ${calls} in all: ${functionCounts(steps)} on ${target}`;
  return `${functionCounts(steps)}, one transaction per target; first ${describeStep(first, labels)[0]}`;
}

/** Runs of the plan's steps that print as one line: alike labels, same state, same sender, same functions. */
export function planRuns(plan: Plan, alreadyDone: Set<string>): [number, number][] {
  return runsOf(
    plan.steps,
    (a, b) =>
      alikeLabels(a.label, b.label) &&
      alreadyDone.has(a.id) === alreadyDone.has(b.id) &&
      a.from === b.from &&
      shape(a) === shape(b),
  );
}

/** The first line of a printed plan. */
export function planHeading(plan: Plan, senders: Set<string>): string {
  return [
    `Plan ${plan.id}`,
    `${plan.task} on ${plan.network} (chain ${plan.chainId}), observed at block ${plan.observedBlock}: ${plan.steps.length} steps`,
    ...(senders.size === 1 ? [`all sent by ${[...senders][0]}`] : []),
  ].join("\n");
}

/** The plan for people: one line per step or run of alike steps, fitted to the terminal. */
export function renderPlanSummary(plan: Plan, alreadyDone: Set<string>): string {
  const senders = new Set(plan.steps.map((step) => step.from));
  const oneSender = senders.size === 1;
  const rows = planRuns(plan, alreadyDone).map((run) => {
    const steps = plan.steps.slice(run[0], run[1] + 1);
    return [
      runNumber(run),
      alreadyDone.has(steps[0].id) ? "done" : "to send",
      runLabel(steps.map((s) => s.label)),
      ...(oneSender ? [] : [steps[0].from]),
      describeRun(steps, plan.labels),
    ];
  });
  const header = ["#", "state", "step", ...(oneSender ? [] : ["sender"]), "call"];
  return [
    planHeading(plan, senders),
    renderTable(header, rows, { width: terminalWidth(), shrink: [2, header.length - 1] }),
    ...plan.notes.map((note) => `note: ${note}`),
    ...(rows.length < plan.steps.length ? ["(alike steps summarised on one line; --verbose prints every call)"] : []),
  ].join("\n");
}
