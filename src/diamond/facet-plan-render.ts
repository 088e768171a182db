// A facet plan for people: what it routes, what it changes, what the checks found, what undoes it.
import { renderTable } from "../report/table.js";
import { formatDuration } from "../timelock/duration.js";
import { EIP170_LIMIT, type FacetPlan } from "./facet-plan-format.js";

const short = (hash: string) => `${hash.slice(0, 10)}…`;

/** The plan for people: what it routes, what it changes, what the checks found, what undoes it. */
export function renderFacetPlan(plan: FacetPlan): string {
  const { checks, cut } = plan;
  const moved = new Map(checks.abi.moved.map((m) => [m.selector, m.from]));
  const added = new Set(checks.abi.added.map((a) => a.selector));
  const where =
    plan.kind === "dispatcher"
      ? `ManifestDispatcher ${plan.target} (dispatcher profile ${plan.dispatcherProfile ?? "reference"})`
      : `diamond ${plan.target} (${ownerLine(plan)})`;
  const lines = [
    `Plan ${plan.id} (${plan.network}, chain ${plan.chainId}): ${plan.status.toUpperCase()}`,
    `target: ${where}`,
    `${plan.epoch !== null ? `epoch ${plan.epoch}, ` : ""}activation delay ${formatDuration(plan.activationDelay)}, manifest root ${plan.root}${plan.kind === "dispatcher" ? ` (odd nodes: ${plan.oddNode})` : ""}`,
    renderTable(
      ["selector", "signature", "facet", "codehash", "proof", "change"],
      plan.entries.map((e) => [
        e.selector,
        e.signature,
        e.facetName,
        short(e.codehash),
        String(e.proof.length),
        added.has(e.selector) ? "add" : moved.has(e.selector) ? `replace (was ${moved.get(e.selector)})` : "unchanged",
      ]),
    ),
    `cut: add ${cut.summary.add}, replace ${cut.summary.replace}, remove ${cut.summary.remove}, unchanged ${cut.summary.unchanged}`,
    `ABI against live: ${checks.abi.added.length} added, ${checks.abi.removed.length} removed, ${checks.abi.changed.length} changed signature, ${checks.abi.moved.length} moved`,
    ...checks.abi.removed.map(
      (r) => `  removed ${r.selector} ${r.signature || "(unknown signature)"} (from ${r.from})`,
    ),
    ...checks.abi.changed.map((c) => `  changed ${c.name}: ${c.from} -> ${c.to}`),
    `EIP-170 (deployed code, limit ${EIP170_LIMIT} bytes): ${checks.size.map((s) => `${s.facet} ${s.bytes} (${s.percent}%)${s.status === "ok" ? "" : ` ${s.status.toUpperCase()}`}`).join(", ")}`,
    `collisions: ${checks.collisions.length}, takeovers: ${checks.takeovers.length} (${checks.takeovers.filter((t) => t.allowed).length} allowed), shadowed: ${checks.shadowed.length}, protected: ${checks.protected.length}`,
    ...checks.warnings.map((w) => `warning: ${w}`),
  ];
  if (plan.inverse) {
    const inv = plan.inverse;
    const how =
      plan.kind === "dispatcher"
        ? `${inv.entries.length > 0 ? `restore ${inv.entries.length} route(s) as epoch ${inv.epoch}'s manifest` : "no manifest"}${inv.removals.length > 0 ? `, removeRoutes for ${inv.removals.length} selector(s)` : ""}`
        : `one diamondCut of ${inv.cut.length} part(s) through the timelock, after the plan's own operation`;
    lines.push(`rollback (inverse): ${how}`);
  }
  if (plan.status === "refused") lines.push("REFUSED:", ...plan.reasons.map((r) => `  - ${r}`));
  return lines.join("\n");
}

/** Cuts lines longer than `width` (a plan's call arguments can be long: proofs, calldata). */
export function clipLines(text: string, width = 200): string {
  return text
    .split("\n")
    .map((line) => (line.length > width ? `${line.slice(0, width - 1)}…` : line))
    .join("\n");
}

/** Who owns the diamond, hence how its cut is sent, and why. */
export function ownerLine(plan: FacetPlan): string {
  const owner = plan.owner ?? { address: plan.timelock!, kind: "timelock" as const };
  switch (owner.kind) {
    case "timelock":
      return `owner: timelock ${owner.address}; the diamondCut is scheduled on it (scheduleBatch) and executed after its min delay`;
    case "safe":
      return `owner: Safe ${owner.address}; the diamondCut goes through the Safe's batch: apply with --executor safe --safe ${owner.address}, then the owners sign and execute it; there is no delay`;
    case "eoa":
      return `owner: EOA ${owner.address}; the owner sends the diamondCut directly (one transaction, no staging, no delay)`;
  }
}
