// The checks of a facet plan, from its inputs alone: which live facets the plan supersedes, the ABI shape against what
// is live, collisions, takeovers, shadowed and protected selectors, EIP-170, and the reasons a plan is refused.
import { getAddress } from "ethers";
import type { Refusal } from "./cut.js";
import { DISPATCHER_PROFILES } from "./dispatcher-profile.js";
import {
  bySelector,
  EIP170_LIMIT,
  EIP170_WARN_BYTES,
  type AbiDiff,
  type FacetPlanChecks,
  type FacetPlanInputs,
  type LiveFacetView,
  type PlannedFacet,
  type SizeCheck,
} from "./facet-plan-format.js";

/** The inputs normalized, and what follows from them: who serves what live, which live facets the plan supersedes. */
export interface PlanView {
  target: string;
  /** Planned facets, sorted by name, addresses checksummed, code hashes lowercase. */
  facets: PlannedFacet[];
  live: LiveFacetView[];
  /** selector -> the live facet serving it. */
  liveOf: Map<string, LiveFacetView>;
  /** selector -> signature, where a live facet's ABI is known. */
  liveSignature: Map<string, string>;
  /** Live facet address -> the planned facet of its family that supersedes it. */
  supersededBy: Map<string, PlannedFacet>;
  /** selector (lowercase) -> the planned facets that have it. */
  plannedSelectors: Map<string, { signature: string; facet: PlannedFacet }[]>;
  /** The takeovers the operator allowed: all, or these selectors (lowercase). */
  userTakeover: true | string[];
}

const fnName = (signature: string) => signature.slice(0, signature.indexOf("("));
export const label = (name: string | undefined, address: string) => (name ? `${name} (${address})` : address);

/** Contract name without a trailing version suffix: MarketInfoFacetV2 and MarketInfoFacet are one family. */
export function facetFamily(name: string): string {
  return name.replace(/V\d+$/, "");
}

export function planView(inputs: FacetPlanInputs): PlanView {
  const target = getAddress(inputs.target);
  const facets = [...inputs.facets]
    .map((f) => ({ ...f, address: getAddress(f.address), codehash: f.codehash.toLowerCase() }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const live = inputs.live.map((f) => ({
    ...f,
    address: getAddress(f.address),
    selectors: f.selectors.map((s) => ({ ...s, selector: s.selector.toLowerCase() })),
  }));
  const liveOf = new Map<string, LiveFacetView>();
  for (const facet of live) for (const s of facet.selectors) liveOf.set(s.selector, facet);
  const liveSignature = new Map(
    live.flatMap((f) => f.selectors.filter((s) => s.signature).map((s) => [s.selector, s.signature!] as const)),
  );
  const plannedAt = new Set(facets.map((f) => f.address));

  // Superseded live facets: an earlier version of a planned facet, at another address.
  const supersededBy = new Map<string, PlannedFacet>();
  for (const facet of live) {
    if (!facet.name || plannedAt.has(facet.address)) continue;
    const successor = facets.find((p) => facetFamily(p.name) === facetFamily(facet.name!));
    if (successor) supersededBy.set(facet.address, successor);
  }
  const plannedSelectors = new Map<string, { signature: string; facet: PlannedFacet }[]>();
  for (const facet of facets)
    for (const s of facet.selectors)
      plannedSelectors.set(s.selector.toLowerCase(), [
        ...(plannedSelectors.get(s.selector.toLowerCase()) ?? []),
        { signature: s.signature, facet },
      ]);
  const userTakeover =
    inputs.allowTakeover === true ? true : (inputs.allowTakeover as string[]).map((s) => s.toLowerCase());
  return { target, facets, live, liveOf, liveSignature, supersededBy, plannedSelectors, userTakeover };
}

/** ABI shape against what is live: added, moved, removed (from superseded facets) and changed signatures. */
export function abiDiff(view: PlanView): AbiDiff {
  const { live, liveOf, plannedSelectors, supersededBy } = view;
  const abi: AbiDiff = { added: [], removed: [], changed: [], moved: [] };
  for (const [selector, owners] of plannedSelectors) {
    const current = liveOf.get(selector);
    for (const { signature, facet } of owners) {
      if (!current) abi.added.push({ selector, signature, facet: facet.name });
      else if (current.address !== facet.address)
        abi.moved.push({ selector, signature, from: label(current.name, current.address), to: facet.name });
    }
  }
  for (const address of supersededBy.keys()) {
    const facet = live.find((f) => f.address === address)!;
    for (const s of facet.selectors) {
      if (!plannedSelectors.has(s.selector))
        abi.removed.push({
          selector: s.selector,
          signature: s.signature ?? "",
          from: label(facet.name, facet.address),
        });
    }
  }
  for (const removed of abi.removed) {
    const name = fnName(removed.signature);
    for (const added of abi.added)
      if (name && fnName(added.signature) === name)
        abi.changed.push({ name, from: removed.signature, to: added.signature });
  }
  abi.added.sort(bySelector);
  abi.removed.sort(bySelector);
  abi.moved.sort(bySelector);
  return abi;
}

function sizeCheck(facet: PlannedFacet): SizeCheck {
  const percent = Math.round((facet.deployedSize / EIP170_LIMIT) * 1000) / 10;
  const status =
    facet.deployedSize > EIP170_LIMIT ? "oversize" : facet.deployedSize >= EIP170_WARN_BYTES ? "warn" : "ok";
  return { facet: facet.name, bytes: facet.deployedSize, limit: EIP170_LIMIT, percent, status };
}

/** Collisions, takeovers (not of superseded facets), shadowed and protected selectors, sizes, and the warnings. */
export function facetPlanChecks(
  view: PlanView,
  abi: AbiDiff,
  cutRefusals: Refusal[],
  inputs: Pick<FacetPlanInputs, "hostSelectors" | "pending" | "dispatcherProfile">,
): FacetPlanChecks {
  const { plannedSelectors, liveOf, supersededBy, userTakeover } = view;
  const checks: FacetPlanChecks = {
    collisions: [],
    takeovers: [],
    shadowed: [],
    protected: [],
    abi,
    size: view.facets.map(sizeCheck),
    warnings: [],
  };
  for (const [selector, owners] of plannedSelectors) {
    if (owners.length > 1)
      checks.collisions.push({
        selector,
        signature: owners[0].signature,
        facets: owners.map((o) => `${o.facet.name} (${o.facet.address})`),
      });
  }
  const userAllowed = (selector: string) => userTakeover === true || userTakeover.includes(selector);
  for (const moved of abi.moved) {
    const current = liveOf.get(moved.selector)!;
    if (supersededBy.has(current.address)) continue;
    checks.takeovers.push({
      selector: moved.selector,
      signature: moved.signature,
      from: moved.from,
      to: moved.to,
      allowed: userAllowed(moved.selector),
    });
  }
  const host = new Map(inputs.hostSelectors.map((s) => [s.selector.toLowerCase(), s.signature]));
  for (const [selector, owners] of plannedSelectors) {
    if (host.has(selector))
      for (const o of owners) checks.shadowed.push({ selector, signature: o.signature, facet: o.facet.name });
  }
  for (const refusal of cutRefusals.filter((r) => r.kind === "protected")) {
    checks.protected.push({ selector: refusal.selector, signature: refusal.signature ?? "", detail: refusal.detail });
  }
  checks.collisions.sort(bySelector);
  checks.takeovers.sort(bySelector);
  checks.shadowed.sort(bySelector);
  checks.warnings.push(...planWarnings(view, checks, inputs.pending));
  const profile = inputs.dispatcherProfile ? DISPATCHER_PROFILES[inputs.dispatcherProfile] : undefined;
  if (profile?.applyGoesLive)
    checks.warnings.push(
      `dispatcher profile ${profile.name}: applyRoutes makes routes live at once and checks no delay on chain; the tool refuses to apply before the pending root's commit time + activationDelay, and that refusal is the only thing enforcing the delay`,
    );
  return checks;
}

function planWarnings(view: PlanView, checks: FacetPlanChecks, pending: FacetPlanInputs["pending"]): string[] {
  const warnings: string[] = [];
  for (const size of checks.size) {
    if (size.status === "warn")
      warnings.push(
        `${size.facet}: deployed code is ${size.bytes} bytes, ${size.percent}% of the EIP-170 limit (${EIP170_LIMIT})`,
      );
  }
  if (pending) {
    warnings.push(
      `root ${pending.root} (epoch ${pending.epoch}) is committed and not yet activated; staging this plan replaces it and discards its staged routes`,
    );
  }
  for (const address of view.supersededBy.keys()) {
    const facet = view.live.find((f) => f.address === address)!;
    if (facet.selectors.some((s) => !s.signature))
      warnings.push(
        `${label(facet.name, address)}: some selectors have no known signature (no ABI for them); the ABI diff shows them by selector`,
      );
  }
  return warnings;
}

/** Why the plan is refused, one line per problem (empty: it is ready). */
export function refusalReasons(checks: FacetPlanChecks, cutRefusals: Refusal[], acceptBreaking: boolean): string[] {
  const { abi } = checks;
  const reasons: string[] = [];
  for (const c of checks.collisions)
    reasons.push(
      `[collision] ${c.selector} ${c.signature} is in more than one planned facet: ${c.facets.join(" and ")}. Keep it in exactly one of them.`,
    );
  for (const t of checks.takeovers.filter((t) => !t.allowed)) {
    reasons.push(
      `[takeover] ${t.selector} ${t.signature} is served by ${t.from}; ${t.to} would take it over. If intended, pass --allow-takeover ${t.selector}; otherwise drop it from ${t.to}.`,
    );
  }
  for (const s of checks.shadowed)
    reasons.push(
      `[shadowed] ${s.selector} ${s.signature} of ${s.facet} is a function of the target itself: a route for it would never be reached. Rename it in ${s.facet}.`,
    );
  for (const p of checks.protected) reasons.push(`[protected] ${p.detail}`);
  if (abi.removed.length > 0 && !acceptBreaking) {
    reasons.push(
      `[breaking] the plan removes ${abi.removed.length} live selector(s): ${abi.removed.map((r) => `${r.selector} ${r.signature || "(unknown signature)"} of ${r.from}`).join(", ")}. ` +
        `Callers of them will fail. If intended, acknowledge with --accept-breaking.`,
    );
  }
  for (const s of checks.size.filter((s) => s.status === "oversize")) {
    reasons.push(
      `[oversize] ${s.facet}: deployed code is ${s.bytes} bytes, over the EIP-170 limit of ${EIP170_LIMIT} (${s.percent}%). Split the facet.`,
    );
  }
  // Anything else the cut core refused that no check above explains.
  const explained = new Set(["collision", "takeover", "protected", "removal-not-allowed"]);
  for (const r of cutRefusals) if (!explained.has(r.kind)) reasons.push(`[${r.kind}] ${r.detail}`);
  return reasons;
}
