// Renderings of check results: the terminal table, the markdown report (with a mermaid diagram of the wiring) and JSON.
import { VAULT_ROLES, type VaultRole } from "../corevault/observe.js";
import { renderTable } from "../report/table.js";
import type { CheckResult } from "./checks.js";
import type { DesiredState } from "./desired.js";
import type { ObservedState } from "./observe.js";

export interface VerifyReport {
  network: string;
  chainId: number;
  block: number;
  oldVault: string;
  newVault: string;
  planId: string;
  planFiles: string[];
  passed: number;
  failed: number;
  notApplicable: number;
  checks: CheckResult[];
  /** The wiring as read from chain: what the diagram shows. */
  wiring: Wiring;
}

export interface Wiring {
  admins: string[];
  roleHolders: Record<VaultRole, string[]>;
  /** The holders the plans wired: any other holder is drawn as a finding. */
  plannedHolders: Record<VaultRole, string[]>;
  oldVaultPaused?: boolean;
  pointers: { kind: string; address: string; vault?: string }[];
  orderBooks: { address: string; symbol: string; vault?: string }[];
}

export function buildReport(desired: DesiredState, observed: ObservedState, checks: CheckResult[]): VerifyReport {
  return {
    network: desired.network,
    chainId: desired.chainId,
    block: observed.block,
    oldVault: desired.oldVault,
    newVault: desired.newVault,
    planId: desired.planId,
    planFiles: desired.planFiles,
    passed: checks.filter((c) => c.status === "pass").length,
    failed: checks.filter((c) => c.status === "fail").length,
    notApplicable: checks.filter((c) => c.status === "n/a").length,
    checks,
    wiring: {
      admins: observed.roles.DEFAULT_ADMIN_ROLE,
      roleHolders: observed.roles,
      plannedHolders: desired.roles,
      oldVaultPaused: observed.oldVault.paused,
      pointers: desired.pointers.map((p) => ({
        kind: p.kind,
        address: p.address,
        vault: observed.pointers[p.address],
      })),
      orderBooks: desired.markets.map((m) => ({
        address: m.orderBook,
        symbol: m.symbol,
        vault: observed.orderBooks[m.orderBook]?.vault,
      })),
    },
  };
}

const STATUS = { pass: "pass", fail: "FAIL", "n/a": "n/a" } as const;

export function renderVerifyTable(report: VerifyReport): string {
  const lines = [
    `cutover:verify on ${report.network} (chain ${report.chainId}) at block ${report.block}: CoreVault ${report.oldVault} -> ${report.newVault} (plan ${report.planId.slice(0, 10)})`,
    "",
    renderTable(
      ["check", "status", "evidence"],
      report.checks.map((c) => [c.name, STATUS[c.status], c.evidence]),
    ),
  ];
  const failing = report.checks.filter((c) => c.status === "fail");
  for (const check of failing) {
    lines.push("", `FAIL ${check.name}: ${check.title}`);
    const shown = check.failures.slice(0, 20);
    for (const f of shown)
      lines.push(
        `  - ${f.subject}`,
        `      expected: ${f.expected}`,
        `      found:    ${f.found}`,
        `      fix:      ${f.fix}`,
      );
    if (check.failures.length > shown.length)
      lines.push(`  … and ${check.failures.length - shown.length} more (see the JSON report)`);
  }
  lines.push("", `${report.passed} passed, ${report.failed} failed, ${report.notApplicable} not applicable`);
  return lines.join("\n");
}

const short = (a: string) => `${a.slice(0, 6)}…${a.slice(-4)}`;
const OB_GROUP_THRESHOLD = 8;

/** A mermaid graph of the wiring as read: admin and role holders -> new vault, factory/hub -> their vault, OrderBooks (grouped when many). */
export function mermaidWiring(report: VerifyReport): string {
  const { wiring } = report;
  const same = (a: string | undefined, b: string) => a?.toLowerCase() === b.toLowerCase();
  const lines = [
    "graph LR",
    `  new["new CoreVault<br/>${short(report.newVault)}"]`,
    `  old["old CoreVault<br/>${short(report.oldVault)}${wiring.oldVaultPaused ? "<br/>paused" : ""}"]`,
  ];
  const target = (vault: string | undefined) =>
    same(vault, report.newVault) ? "new" : same(vault, report.oldVault) ? "old" : "other";
  let otherUsed = false;
  const edge = (from: string, label: string, vault: string | undefined, broken: boolean) => {
    const to = target(vault);
    if (to === "other") otherUsed = true;
    lines.push(`  ${from} -- "${label}" --> ${to}`);
    if (broken || to !== "new") lines.push(`  class ${from} bad`);
  };
  const planned = (role: VaultRole, holder: string) => wiring.plannedHolders[role].some((h) => same(h, holder));
  wiring.admins.forEach((admin, i) => {
    lines.push(`  admin${i}(["admin<br/>${short(admin)}"])`);
    lines.push(`  admin${i} -- "DEFAULT_ADMIN_ROLE" --> new`);
    if (!planned("DEFAULT_ADMIN_ROLE", admin)) lines.push(`  class admin${i} bad`);
  });
  for (const pointer of wiring.pointers) {
    const id = pointer.kind;
    const roles = VAULT_ROLES.filter((role) => wiring.roleHolders[role].some((h) => same(h, pointer.address))).map(
      (r) => r.replace(/_ROLE$/, ""),
    );
    lines.push(
      `  ${id}["${pointer.kind === "factory" ? "FuturesMarketFactory" : "CollateralHub"}<br/>${short(pointer.address)}${roles.length ? `<br/>${roles.join(", ")}` : ""}"]`,
    );
    edge(id, "vault()", pointer.vault, false);
  }
  const settlement = wiring.roleHolders.SETTLEMENT_ROLE.filter((h) => !wiring.pointers.some((p) => same(h, p.address)));
  settlement.forEach((holder, i) => {
    lines.push(
      `  settle${i}(["${planned("SETTLEMENT_ROLE", holder) ? "settlement operator" : "not in the plan"}<br/>${short(holder)}"]) -- "SETTLEMENT_ROLE" --> new`,
    );
    if (!planned("SETTLEMENT_ROLE", holder)) lines.push(`  class settle${i} bad`);
  });
  const books = wiring.orderBooks;
  if (books.length <= OB_GROUP_THRESHOLD) {
    books.forEach((book, i) => {
      lines.push(`  ob${i}["OrderBook ${book.symbol}<br/>${short(book.address)}"]`);
      edge(`ob${i}`, "vault()", book.vault, false);
    });
  } else {
    const groups = new Map<string, number>();
    for (const book of books) groups.set(target(book.vault), (groups.get(target(book.vault)) ?? 0) + 1);
    for (const [to, count] of groups) {
      lines.push(`  obs_${to}[["${count} OrderBooks"]]`);
      edge(`obs_${to}`, "vault()", to === "new" ? report.newVault : to === "old" ? report.oldVault : undefined, false);
    }
  }
  if (otherUsed) lines.push(`  other["another address"]`);
  lines.push("  classDef bad stroke:#c00,stroke-width:2px,color:#c00");
  return lines.join("\n");
}

export function renderVerifyMarkdown(report: VerifyReport): string {
  const escape = (s: string) => s.replace(/\|/g, "\\|");
  const lines = [
    `# Cutover verification: ${report.network} (chain ${report.chainId}), block ${report.block}`,
    "",
    `- old CoreVault: \`${report.oldVault}\``,
    `- new CoreVault: \`${report.newVault}\``,
    `- redeploy plan: \`${report.planId}\``,
    `- plans read: ${report.planFiles.map((f) => `\`${f}\``).join(", ")}`,
    `- result: **${report.failed === 0 ? "PASS" : "FAIL"}** (${report.passed} passed, ${report.failed} failed, ${report.notApplicable} not applicable)`,
    "",
    "## Wiring",
    "",
    "```mermaid",
    mermaidWiring(report),
    "```",
    "",
    "## Checks",
    "",
    "| check | status | evidence |",
    "| --- | --- | --- |",
    ...report.checks.map((c) => `| \`${c.name}\` | ${STATUS[c.status]} | ${escape(c.evidence)} |`),
  ];
  const failing = report.checks.filter((c) => c.status === "fail");
  if (failing.length > 0) {
    lines.push("", "## Failures");
    for (const check of failing) {
      lines.push(
        "",
        `### \`${check.name}\`: ${check.title}`,
        "",
        "| subject | expected | found | fix |",
        "| --- | --- | --- | --- |",
      );
      for (const f of check.failures)
        lines.push(`| ${escape(f.subject)} | ${escape(f.expected)} | ${escape(f.found)} | ${escape(f.fix)} |`);
    }
  }
  return lines.join("\n") + "\n";
}
