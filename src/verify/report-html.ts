// The verify report as a self-contained HTML page: the verdict, the failures first, the fleet as a grid of markets
// coloured by status, the wiring as a diagram, then every check.
import { diagram, escapeHtml, page, tileGrid, verdict, type DiagramNode, type Tone } from "../report/html.js";
import type { VerifyReport } from "./report.js";

const short = (a: string) => `${a.slice(0, 8)}…${a.slice(-6)}`;
const same = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();

/** Each market's status: on the new vault, still on the old one, elsewhere, or named by a failed check. */
export function fleetTiles(report: VerifyReport): { label: string; status: string; tone: Tone; title: string }[] {
  const failing = report.checks.filter((c) => c.status === "fail").flatMap((c) => c.failures.map((f) => ({ c, f })));
  return report.wiring.orderBooks.map((book) => {
    const where = same(book.vault, report.newVault)
      ? "new vault"
      : same(book.vault, report.oldVault)
        ? "old vault"
        : book.vault
          ? "other vault"
          : "unread";
    const named = failing.find(({ f }) => f.subject.toLowerCase().includes(book.address.toLowerCase()));
    const status = named ? `FAIL ${named.c.name}` : where;
    const tone: Tone =
      named || where === "old vault" || where === "other vault" ? "bad" : where === "unread" ? "none" : "ok";
    return { label: book.symbol, status, tone, title: `${book.symbol} ${book.address}: ${where}` };
  });
}

function wiringDiagram(report: VerifyReport): string {
  const { wiring } = report;
  const target = (vault: string | undefined) =>
    same(vault, report.newVault) ? "new" : same(vault, report.oldVault) ? "old" : undefined;
  const nodes: DiagramNode[] = [
    { id: "new", label: ["new CoreVault", short(report.newVault)], tone: "ok", column: 1 },
    {
      id: "old",
      label: ["old CoreVault", `${short(report.oldVault)}${wiring.oldVaultPaused ? " (paused)" : ""}`],
      tone: "none",
      column: 1,
    },
  ];
  const edges: { from: string; to: string; label: string; tone: Tone }[] = [];
  wiring.admins.forEach((admin, i) => {
    const planned = wiring.plannedHolders.DEFAULT_ADMIN_ROLE.some((h) => same(h, admin));
    nodes.push({ id: `admin${i}`, label: ["admin", short(admin)], tone: planned ? "ok" : "bad", column: 0 });
    edges.push({ from: `admin${i}`, to: "new", label: "DEFAULT_ADMIN_ROLE", tone: planned ? "ok" : "bad" });
  });
  for (const pointer of wiring.pointers) {
    const to = target(pointer.vault);
    const tone: Tone = to === "new" ? "ok" : "bad";
    nodes.push({ id: pointer.kind, label: [pointer.kind, short(pointer.address)], tone, column: 0 });
    if (to) edges.push({ from: pointer.kind, to, label: "vault()", tone });
  }
  for (const [to, tone] of [
    ["new", "ok"],
    ["old", "bad"],
  ] as const) {
    const books = wiring.orderBooks.filter((b) => target(b.vault) === to);
    if (books.length === 0) continue;
    nodes.push({ id: `books-${to}`, label: [`${books.length} OrderBooks`, `on the ${to} vault`], tone, column: 0 });
    edges.push({ from: `books-${to}`, to, label: "vault", tone });
  }
  return diagram(nodes, edges);
}

function failuresSection(report: VerifyReport): string[] {
  const failing = report.checks.filter((c) => c.status === "fail");
  if (failing.length === 0) return [`<h2 id="failures">Failures</h2>`, `<p>None: every check holds.</p>`];
  return [
    `<h2 id="failures">Failures (${failing.length})</h2>`,
    ...failing.map(
      (c) =>
        `<div class="failure" data-check="${escapeHtml(c.name)}"><strong>${escapeHtml(c.name)}</strong>: ${escapeHtml(c.title)}<ul>` +
        c.failures
          .map(
            (f) =>
              `<li>${escapeHtml(f.subject)}: expected <code>${escapeHtml(f.expected)}</code>, found <code>${escapeHtml(f.found)}</code>. Fix: ${escapeHtml(f.fix)}</li>`,
          )
          .join("") +
        `</ul></div>`,
    ),
  ];
}

export function renderVerifyHtml(report: VerifyReport): string {
  const passed = report.failed === 0;
  return page(`cutover:verify ${report.network}`, [
    `<h1>cutover:verify on ${escapeHtml(report.network)} (chain ${report.chainId}) at block ${report.block}</h1>`,
    `<p class="meta">CoreVault <code>${report.oldVault}</code> → <code>${report.newVault}</code>, plan <code>${report.planId.slice(0, 10)}</code></p>`,
    `<p>${verdict(passed, passed ? "PASS" : "FAIL")} ${report.passed} passed, ${report.failed} failed, ${report.notApplicable} not applicable</p>`,
    ...failuresSection(report),
    `<h2>Fleet: ${report.wiring.orderBooks.length} markets</h2>`,
    tileGrid("fleet", fleetTiles(report)),
    `<h2>Wiring as read from the chain</h2>`,
    wiringDiagram(report),
    `<h2>Checks</h2>`,
    `<table id="checks"><tr><th>check</th><th>status</th><th>evidence</th></tr>`,
    ...[...report.checks]
      .sort((a, b) => Number(b.status === "fail") - Number(a.status === "fail"))
      .map(
        (c) =>
          `<tr data-status="${c.status}"><td>${escapeHtml(c.name)}</td><td>${c.status === "fail" ? "FAIL" : c.status}</td><td>${escapeHtml(c.evidence)}</td></tr>`,
      ),
    `</table>`,
  ]);
}
