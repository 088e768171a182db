// The rehearsal report as a self-contained HTML page: the verdict, problems and failed steps first, every step of
// every plan as a grid coloured by status, the plans' order and senders as a diagram, then what changed.
import { diagram, escapeHtml, page, tileGrid, verdict, type DiagramNode, type Tone } from "../report/html.js";
import type { Rehearsal } from "./report.js";

const FINE = new Set(["done", "already done", "not needed"]);
const toneOf = (status: string): Tone => (FINE.has(status) ? "ok" : status === "awaiting" ? "warn" : "bad");

function problemsSection(r: Rehearsal): string[] {
  const failed = r.phases.flatMap((p) => p.results.filter((s) => !FINE.has(s.status)).map((s) => ({ p, s })));
  const items = [
    ...r.problems.map((problem) => `<div class="failure">${escapeHtml(problem)}</div>`),
    ...failed.map(
      ({ p, s }) =>
        `<div class="failure" data-step="${escapeHtml(s.id)}"><strong>${escapeHtml(p.task)}</strong> ${escapeHtml(s.label)}: ${escapeHtml(s.status)}${s.reason ? ` — ${escapeHtml(s.reason)}` : ""}</div>`,
    ),
  ];
  return [`<h2 id="failures">Failures (${items.length})</h2>`, ...(items.length > 0 ? items : ["<p>None.</p>"])];
}

function plansDiagram(r: Rehearsal): string {
  const nodes: DiagramNode[] = r.phases.map((p, i) => ({
    id: `plan${i}`,
    label: [p.task, `${p.results.length} steps, ${p.passed ? "passed" : "FAILED"}`],
    tone: p.passed ? "ok" : "bad",
    column: i,
  }));
  const edges = r.phases
    .slice(1)
    .map((_, i) => ({ from: `plan${i}`, to: `plan${i + 1}`, label: "then", tone: "ok" as Tone }));
  r.diff.bySender.forEach((s, i) =>
    nodes.push({
      id: `sender${i}`,
      label: [`sender ${s.sender.slice(0, 10)}…`, `${s.transactions} tx, ${s.gas} gas`],
      tone: "none",
      column: 0,
    }),
  );
  return diagram(nodes, edges);
}

export function renderRehearsalHtml(r: Rehearsal): string {
  const steps = r.phases.flatMap((p) =>
    p.results.map((s) => ({ label: s.label, status: s.status, tone: toneOf(s.status), title: `${p.task}: ${s.id}` })),
  );
  return page(`rehearsal ${r.network}`, [
    `<h1>Rehearsal on ${escapeHtml(r.network)} (chain ${r.chainId}) at block ${r.block}</h1>`,
    `<p class="meta">${escapeHtml(r.where)}, ${escapeHtml(r.at)}</p>`,
    `<p>${verdict(r.passed, r.passed ? "PASSED" : "FAILED")} ${r.diff.transactions} transaction(s), ${r.diff.gas} gas, ${escapeHtml(r.cost.ether)} ETH at the current fee</p>`,
    ...problemsSection(r),
    `<h2>Steps: ${steps.length}</h2>`,
    tileGrid("fleet", steps),
    `<h2>Plans and senders</h2>`,
    plansDiagram(r),
    `<h2>What changed (${r.diff.changes.length})</h2>`,
    `<table id="changes"><tr><th>contract</th><th>read</th><th>before</th><th>after</th></tr>`,
    ...r.diff.changes.map(
      (c) =>
        `<tr><td>${escapeHtml(c.contract)}</td><td>${escapeHtml(c.read)}</td><td><code>${escapeHtml(c.before)}</code></td><td><code>${escapeHtml(c.after)}</code></td></tr>`,
    ),
    `</table>`,
  ]);
}
