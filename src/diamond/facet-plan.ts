// Facet plans (diamond:plan, diamond:stage-plan, diamond:apply-plan, diamond:rollback): the pure part. No provider.
//
// A plan routes the selectors of some facets on one host: a ManifestDispatcher (routes staged from a Merkle manifest,
// live after a delay) or an EIP-2535 diamond owned by a TimelockController (one diamondCut, scheduled then executed).
// The checks, the cut, the Merkle entries and the inverse all come from here; chain reads and sends live in
// facet-plan-planners.ts.
import { getAddress, keccak256, toUtf8Bytes, ZeroAddress } from "ethers";
import { canonicalJson } from "../engine/plan.js";
import { buildManifestTree, manifestLeaf, verifyManifestProof } from "../manifest/merkle.js";
import { renderTable } from "../report/table.js";
import { formatDuration } from "../timelock/duration.js";
import { applyCutToLive, computeCut, FacetCutAction, inverseCut, type FacetCut, type LiveFacet, type Refusal } from "./cut.js";
import type { SelectorInfo } from "./selectors.js";

export const PLAN_FORMAT = "hardhat-cutover/facet-plan@1";
/** EIP-170: the largest DEPLOYED (runtime) code a contract may have. */
export const EIP170_LIMIT = 24_576;
/** A facet at or above 90 % of the limit is reported (warning), not refused. */
export const EIP170_WARN_BYTES = Math.ceil((EIP170_LIMIT * 9) / 10);
/** applyRoutes carries at most this many selectors (with their proofs) per transaction. */
export const MAX_APPLY_BATCH = 100;

export type TargetKind = "dispatcher" | "diamond";

/** A facet to route, as it is (or will be, at its CREATE2 address) on chain. */
export interface PlannedFacet {
  name: string;
  address: string;
  /** EXTCODEHASH of the facet on chain; before it is deployed, keccak256 of the artifact's runtime code. */
  codehash: string;
  /** Bytes of deployed (runtime) code: on chain when deployed, else the artifact's deployedBytecode. */
  deployedSize: number;
  selectors: SelectorInfo[];
}

/** A facet the target routes to now (loupe), with what we know about it. */
export interface LiveFacetView {
  address: string;
  /** Contract name, when known from deployments/ records or an artifact with the same runtime code hash. */
  name?: string;
  /** EXTCODEHASH of the facet now. */
  codehash: string;
  /** In loupe order; `signature` when the facet's ABI is known. */
  selectors: { selector: string; signature?: string }[];
}

export interface FacetPlanInputs {
  network: string;
  chainId: number;
  target: string;
  kind: TargetKind;
  /** Diamond: the TimelockController that owns it. */
  timelock: string | null;
  /** Dispatcher: activeEpoch + 1 (the epoch commitRoot must be given). */
  epoch: number | null;
  /** Seconds between staging and the earliest apply: the dispatcher's activationDelay, or the timelock's minDelay. */
  activationDelay: number;
  facets: PlannedFacet[];
  live: LiveFacetView[];
  /** Functions the target answers itself: a route with one of these selectors would never be reached. */
  hostSelectors: SelectorInfo[];
  /** Dispatcher: a root committed and not yet activated (staging this plan would discard it). */
  pending: { root: string; epoch: number } | null;
  acceptBreaking: boolean;
  allowTakeover: boolean | string[];
}

export interface PlanEntry {
  selector: string;
  signature: string;
  facet: string;
  facetName: string;
  codehash: string;
  /** keccak256(abi.encode(bytes4 selector, address facet, bytes32 codehash)). */
  leaf: string;
  proof: string[];
  /** The dispatcher's isRight bits, one per proof element: true = the sibling is on the right of the running hash. */
  positions: boolean[];
}

export interface SizeCheck {
  facet: string;
  bytes: number;
  limit: number;
  percent: number;
  status: "ok" | "warn" | "oversize";
}

export interface AbiDiff {
  /** Planned selectors no live route serves. */
  added: { selector: string; signature: string; facet: string }[];
  /** Live selectors of a facet this plan supersedes (an earlier version) that the new version lacks. */
  removed: { selector: string; signature: string; from: string }[];
  /** Same function name, other signature: a removed and an added selector. */
  changed: { name: string; from: string; to: string }[];
  /** Planned selectors moved from another live facet. */
  moved: { selector: string; signature: string; from: string; to: string }[];
}

export interface FacetPlanChecks {
  /** One selector in two planned facets. */
  collisions: { selector: string; signature: string; facets: string[] }[];
  /** A planned selector served live by a facet this plan does not supersede. */
  takeovers: { selector: string; signature: string; from: string; to: string; allowed: boolean }[];
  /** A planned selector the target answers itself. */
  shadowed: { selector: string; signature: string; facet: string }[];
  /** Diamond cut, loupe and ownership selectors (and the diamond's own) that a cut may never move. */
  protected: { selector: string; signature: string; detail: string }[];
  abi: AbiDiff;
  size: SizeCheck[];
  warnings: string[];
}

/** One change of a host's routes: the forward plan, or its inverse. */
export interface RouteChange {
  /** Manifest root of `entries` (null when there is nothing to stage: a removal-only change). */
  root: string | null;
  /** Dispatcher epoch the manifest is committed under (null on a diamond, or with no entries). */
  epoch: number | null;
  /** Routes to stage (dispatcher) with their Merkle proofs; on a diamond, the same routes as a record. */
  entries: PlanEntry[];
  /** Selectors the change removes (dispatcher: removeRoutes; diamond: the Remove part of the cut). */
  removals: string[];
  /** The change as one EIP-2535 diamondCut. */
  cut: FacetCut[];
  /** Live routes the change starts from (the loupe), and those it leaves. */
  before: LiveFacet[];
  after: LiveFacet[];
}

export interface FacetPlan {
  format: typeof PLAN_FORMAT;
  /** keccak256 of the canonical JSON of everything else: same inputs, same id. */
  id: string;
  status: "ready" | "refused";
  reasons: string[];
  network: string;
  chainId: number;
  target: string;
  kind: TargetKind;
  timelock: string | null;
  epoch: number | null;
  activationDelay: number;
  root: string;
  facets: { name: string; address: string; codehash: string; deployedSize: number }[];
  entries: PlanEntry[];
  cut: { facetCuts: FacetCut[]; removals: string[]; summary: { add: number; replace: number; remove: number; unchanged: number } };
  checks: FacetPlanChecks;
  live: { before: LiveFacet[]; after: LiveFacet[] | null };
  /** The change that undoes this plan (null for a refused plan). */
  inverse: RouteChange | null;
}

const bySelector = (a: { selector: string }, b: { selector: string }) => (a.selector < b.selector ? -1 : a.selector > b.selector ? 1 : 0);
const fnName = (signature: string) => signature.slice(0, signature.indexOf("("));

/** Contract name without a trailing version suffix: MarketInfoFacetV2 and MarketInfoFacet are one family. */
export function facetFamily(name: string): string {
  return name.replace(/V\d+$/, "");
}

/** Merkle entries (sorted by selector, then facet) with leaves, proofs and position bits; the root. */
export function manifestEntries(routes: Omit<PlanEntry, "leaf" | "proof" | "positions">[]): { root: string | null; entries: PlanEntry[] } {
  const sorted = [...routes].sort((a, b) => bySelector(a, b) || (a.facet < b.facet ? -1 : a.facet > b.facet ? 1 : 0));
  if (sorted.length === 0) return { root: null, entries: [] };
  const tree = buildManifestTree(sorted.map((r) => ({ selector: r.selector, facet: r.facet, codehash: r.codehash })));
  return {
    root: tree.root,
    entries: sorted.map((r, i) => ({ ...r, leaf: tree.leaves[i], proof: tree.proofs[i].proof, positions: tree.proofs[i].isRight })),
  };
}

function sizeCheck(facet: PlannedFacet): SizeCheck {
  const percent = Math.round((facet.deployedSize / EIP170_LIMIT) * 1000) / 10;
  const status = facet.deployedSize > EIP170_LIMIT ? "oversize" : facet.deployedSize >= EIP170_WARN_BYTES ? "warn" : "ok";
  return { facet: facet.name, bytes: facet.deployedSize, limit: EIP170_LIMIT, percent, status };
}

const label = (name: string | undefined, address: string) => (name ? `${name} (${address})` : address);

/**
 * Builds the plan: the checks (collisions, takeovers, shadowing, protected selectors, ABI shape, EIP-170), the cut
 * against the live routes, the Merkle entries of every planned selector, and the inverse. A plan with any refusal is
 * "refused" and lists why; it is still a complete record of what was checked.
 *
 * A live facet is SUPERSEDED by a planned facet of the same family (same contract name, or the name without a
 * `V<n>` suffix): its selectors move to the new facet without counting as a takeover, and those the new facet lacks
 * are removed — an ABI-breaking removal, refused unless `acceptBreaking`.
 */
export function buildFacetPlan(inputs: FacetPlanInputs): FacetPlan {
  const target = getAddress(inputs.target);
  const facets = [...inputs.facets].map((f) => ({ ...f, address: getAddress(f.address), codehash: f.codehash.toLowerCase() })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const live = inputs.live.map((f) => ({ ...f, address: getAddress(f.address), selectors: f.selectors.map((s) => ({ ...s, selector: s.selector.toLowerCase() })) }));
  const liveOf = new Map<string, LiveFacetView>();
  for (const facet of live) for (const s of facet.selectors) liveOf.set(s.selector, facet);
  const liveSignature = new Map(live.flatMap((f) => f.selectors.filter((s) => s.signature).map((s) => [s.selector, s.signature!] as const)));
  const plannedAt = new Set(facets.map((f) => f.address));

  // Superseded live facets: an earlier version of a planned facet, at another address.
  const supersededBy = new Map<string, PlannedFacet>();
  for (const facet of live) {
    if (!facet.name || plannedAt.has(facet.address)) continue;
    const successor = facets.find((p) => facetFamily(p.name) === facetFamily(facet.name!));
    if (successor) supersededBy.set(facet.address, successor);
  }
  const plannedSelectors = new Map<string, { signature: string; facet: PlannedFacet }[]>();
  for (const facet of facets) for (const s of facet.selectors) plannedSelectors.set(s.selector.toLowerCase(), [...(plannedSelectors.get(s.selector.toLowerCase()) ?? []), { signature: s.signature, facet }]);

  // ABI shape against what is live.
  const abi: AbiDiff = { added: [], removed: [], changed: [], moved: [] };
  for (const [selector, owners] of plannedSelectors) {
    const current = liveOf.get(selector);
    for (const { signature, facet } of owners) {
      if (!current) abi.added.push({ selector, signature, facet: facet.name });
      else if (current.address !== facet.address) abi.moved.push({ selector, signature, from: label(current.name, current.address), to: facet.name });
    }
  }
  for (const address of supersededBy.keys()) {
    const facet = live.find((f) => f.address === address)!;
    for (const s of facet.selectors) {
      if (!plannedSelectors.has(s.selector)) abi.removed.push({ selector: s.selector, signature: s.signature ?? "", from: label(facet.name, facet.address) });
    }
  }
  for (const removed of abi.removed) {
    const name = fnName(removed.signature);
    for (const added of abi.added) if (name && fnName(added.signature) === name) abi.changed.push({ name, from: removed.signature, to: added.signature });
  }
  abi.added.sort(bySelector);
  abi.removed.sort(bySelector);
  abi.moved.sort(bySelector);

  // The cut, through the one cut core: planned facets, plus the removals the superseding implies.
  const versionMoves = [...plannedSelectors.keys()].filter((s) => {
    const current = liveOf.get(s);
    return current !== undefined && supersededBy.has(current.address);
  });
  const userTakeover = inputs.allowTakeover === true ? true : (inputs.allowTakeover as string[]).map((s) => s.toLowerCase());
  const removedSelectors = abi.removed.map((r) => r.selector);
  const result = computeCut(
    live.map((f) => ({ facetAddress: f.address, functionSelectors: f.selectors.map((s) => s.selector) })),
    [
      ...facets.map((f) => ({ name: f.name, facetAddress: f.address, selectors: f.selectors })),
      ...(removedSelectors.length > 0 ? [{ name: "the superseded facets' removed selectors", facetAddress: ZeroAddress, selectors: abi.removed.map((r) => ({ selector: r.selector, signature: r.signature })) }] : []),
    ],
    {
      allowTakeover: userTakeover === true ? true : [...versionMoves, ...userTakeover],
      removals: inputs.acceptBreaking ? removedSelectors : [],
      ...(inputs.kind === "diamond" ? { diamond: target } : {}),
    },
  );

  const checks: FacetPlanChecks = { collisions: [], takeovers: [], shadowed: [], protected: [], abi, size: facets.map(sizeCheck), warnings: [] };
  for (const [selector, owners] of plannedSelectors) {
    if (owners.length > 1) checks.collisions.push({ selector, signature: owners[0].signature, facets: owners.map((o) => `${o.facet.name} (${o.facet.address})`) });
  }
  const userAllowed = (selector: string) => userTakeover === true || userTakeover.includes(selector);
  for (const moved of abi.moved) {
    const current = liveOf.get(moved.selector)!;
    if (supersededBy.has(current.address)) continue;
    checks.takeovers.push({ selector: moved.selector, signature: moved.signature, from: moved.from, to: moved.to, allowed: userAllowed(moved.selector) });
  }
  const host = new Map(inputs.hostSelectors.map((s) => [s.selector.toLowerCase(), s.signature]));
  for (const [selector, owners] of plannedSelectors) {
    if (host.has(selector)) for (const o of owners) checks.shadowed.push({ selector, signature: o.signature, facet: o.facet.name });
  }
  for (const refusal of result.refusals.filter((r: Refusal) => r.kind === "protected")) {
    checks.protected.push({ selector: refusal.selector, signature: refusal.signature ?? "", detail: refusal.detail });
  }
  checks.collisions.sort(bySelector);
  checks.takeovers.sort(bySelector);
  checks.shadowed.sort(bySelector);
  for (const size of checks.size) {
    if (size.status === "warn") checks.warnings.push(`${size.facet}: deployed code is ${size.bytes} bytes, ${size.percent}% of the EIP-170 limit (${EIP170_LIMIT})`);
  }
  if (inputs.pending) {
    checks.warnings.push(`root ${inputs.pending.root} (epoch ${inputs.pending.epoch}) is committed and not yet activated; staging this plan replaces it and discards its staged routes`);
  }
  for (const address of supersededBy.keys()) {
    const facet = live.find((f) => f.address === address)!;
    if (facet.selectors.some((s) => !s.signature)) checks.warnings.push(`${label(facet.name, address)}: some selectors have no known signature (no ABI for them); the ABI diff shows them by selector`);
  }

  const reasons: string[] = [];
  for (const c of checks.collisions) reasons.push(`[collision] ${c.selector} ${c.signature} is in more than one planned facet: ${c.facets.join(" and ")}. Keep it in exactly one of them.`);
  for (const t of checks.takeovers.filter((t) => !t.allowed)) {
    reasons.push(`[takeover] ${t.selector} ${t.signature} is served by ${t.from}; ${t.to} would take it over. If intended, pass --allow-takeover ${t.selector}; otherwise drop it from ${t.to}.`);
  }
  for (const s of checks.shadowed) reasons.push(`[shadowed] ${s.selector} ${s.signature} of ${s.facet} is a function of the target itself: a route for it would never be reached. Rename it in ${s.facet}.`);
  for (const p of checks.protected) reasons.push(`[protected] ${p.detail}`);
  if (abi.removed.length > 0 && !inputs.acceptBreaking) {
    reasons.push(
      `[breaking] the plan removes ${abi.removed.length} live selector(s): ${abi.removed.map((r) => `${r.selector} ${r.signature || "(unknown signature)"} of ${r.from}`).join(", ")}. ` +
        `Callers of them will fail. If intended, acknowledge with --accept-breaking.`,
    );
  }
  for (const s of checks.size.filter((s) => s.status === "oversize")) {
    reasons.push(`[oversize] ${s.facet}: deployed code is ${s.bytes} bytes, over the EIP-170 limit of ${EIP170_LIMIT} (${s.percent}%). Split the facet.`);
  }
  // Anything else the cut core refused that no check above explains.
  const explained = new Set(["collision", "takeover", "protected", "removal-not-allowed"]);
  for (const r of result.refusals) if (!explained.has(r.kind)) reasons.push(`[${r.kind}] ${r.detail}`);

  const forward = manifestEntries(
    facets.flatMap((f) => f.selectors.map((s) => ({ selector: s.selector.toLowerCase(), signature: s.signature, facet: f.address, facetName: f.name, codehash: f.codehash }))),
  );
  const before = live.map((f) => ({ facetAddress: f.address, functionSelectors: f.selectors.map((s) => s.selector) }));
  const refused = reasons.length > 0;
  const removals = result.cut.filter((c) => c.action === FacetCutAction.Remove).flatMap((c) => c.functionSelectors);
  const after = refused ? null : applyCutToLive(before, result.cut);
  let inverse: RouteChange | null = null;
  if (after) {
    const cut = inverseCut(before, result.cut);
    const liveByAddress = new Map(live.map((f) => [f.address, f]));
    const restored = manifestEntries(
      cut
        .filter((c) => c.action !== FacetCutAction.Remove)
        .flatMap((c) => {
          const facet = liveByAddress.get(getAddress(c.facetAddress))!;
          return c.functionSelectors.map((selector) => ({ selector, signature: liveSignature.get(selector) ?? "", facet: facet.address, facetName: facet.name ?? "", codehash: facet.codehash.toLowerCase() }));
        }),
    );
    inverse = {
      root: restored.root,
      epoch: inputs.kind === "dispatcher" && restored.root !== null ? inputs.epoch! + 1 : null,
      entries: restored.entries,
      removals: cut.filter((c) => c.action === FacetCutAction.Remove).flatMap((c) => c.functionSelectors),
      cut,
      before: after,
      after: before,
    };
  }

  const content: Omit<FacetPlan, "id"> = {
    format: PLAN_FORMAT,
    status: refused ? "refused" : "ready",
    reasons,
    network: inputs.network,
    chainId: inputs.chainId,
    target,
    kind: inputs.kind,
    timelock: inputs.timelock === null ? null : getAddress(inputs.timelock),
    epoch: inputs.kind === "dispatcher" ? inputs.epoch : null,
    activationDelay: inputs.activationDelay,
    root: forward.root!,
    facets: facets.map((f) => ({ name: f.name, address: f.address, codehash: f.codehash, deployedSize: f.deployedSize })),
    entries: forward.entries,
    cut: { facetCuts: result.cut, removals, summary: { ...result.summary, unchanged: [...plannedSelectors].filter(([s, owners]) => owners.some((o) => o.facet.address === liveOf.get(s)?.address)).length } },
    checks,
    live: { before, after },
    inverse,
  };
  return { id: facetPlanId(content), ...content } as FacetPlan;
}

export function facetPlanId(content: Omit<FacetPlan, "id">): string {
  return keccak256(toUtf8Bytes(canonicalJson(content)));
}

/** Problems that make a plan file unusable: its id does not match its content, or a proof does not verify. */
export function planIntegrityProblems(plan: FacetPlan): string[] {
  const problems: string[] = [];
  if (plan.format !== PLAN_FORMAT) problems.push(`format is ${JSON.stringify(plan.format)}, expected ${PLAN_FORMAT}`);
  const { id, ...content } = plan;
  const actual = facetPlanId(content);
  if (actual !== id) problems.push(`its content hashes to ${actual}, not to its id ${id}: the file was edited after it was planned`);
  const checkEntries = (what: string, root: string | null, entries: PlanEntry[]) => {
    for (const e of entries) {
      if (manifestLeaf(e.selector, e.facet, e.codehash) !== e.leaf) problems.push(`${what} entry ${e.selector}: leaf ${e.leaf} is not keccak256(abi.encode(selector, facet, codehash))`);
      if (!root || !verifyManifestProof(root, e, e.proof, e.positions)) problems.push(`${what} entry ${e.selector} (${e.facetName || e.facet}): its proof does not verify against root ${root}`);
    }
  };
  checkEntries("plan", plan.root, plan.entries);
  if (plan.inverse) checkEntries("inverse", plan.inverse.root, plan.inverse.entries);
  return problems;
}

/** The plan's own change (a ready plan has its `after`). */
export function forwardChange(plan: FacetPlan): RouteChange {
  return { root: plan.root, epoch: plan.epoch, entries: plan.entries, removals: plan.cut.removals, cut: plan.cut.facetCuts, before: plan.live.before, after: plan.live.after ?? [] };
}

/** Id of a plan's rollback: names its run, its timelock salt and its stage record. */
export function rollbackId(planId: string): string {
  return keccak256(toUtf8Bytes(`hardhat-cutover/rollback/${planId}`));
}

/** Consecutive batches of at most `size` entries (applyRoutes calls). */
export function batches<T>(items: T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1 || size > MAX_APPLY_BATCH) throw new Error(`batch size must be an integer from 1 to ${MAX_APPLY_BATCH}, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** selector -> facet (lowercase) of a loupe view. */
export function routeMap(live: LiveFacet[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const f of live) for (const s of f.functionSelectors) map.set(s.toLowerCase(), f.facetAddress.toLowerCase());
  return map;
}

/** How two loupe views route differently, one line per selector (empty: the same routes, whatever the order). */
export function routeDifferences(expected: LiveFacet[], actual: LiveFacet[]): string[] {
  const a = routeMap(expected);
  const b = routeMap(actual);
  const out: string[] = [];
  for (const selector of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    if (a.get(selector) !== b.get(selector)) out.push(`${selector}: expected ${a.get(selector) ?? "(no route)"}, live ${b.get(selector) ?? "(no route)"}`);
  }
  return out;
}

const short = (hash: string) => `${hash.slice(0, 10)}…`;

/** The plan for people: what it routes, what it changes, what the checks found, what undoes it. */
export function renderFacetPlan(plan: FacetPlan): string {
  const { checks, cut } = plan;
  const moved = new Map(checks.abi.moved.map((m) => [m.selector, m.from]));
  const added = new Set(checks.abi.added.map((a) => a.selector));
  const where = plan.kind === "dispatcher" ? `ManifestDispatcher ${plan.target}` : `diamond ${plan.target} (owner: timelock ${plan.timelock})`;
  const lines = [
    `Plan ${plan.id} (${plan.network}, chain ${plan.chainId}): ${plan.status.toUpperCase()}`,
    `target: ${where}`,
    `${plan.epoch !== null ? `epoch ${plan.epoch}, ` : ""}activation delay ${formatDuration(plan.activationDelay)}, manifest root ${plan.root}`,
    renderTable(
      ["selector", "signature", "facet", "codehash", "proof", "change"],
      plan.entries.map((e) => [e.selector, e.signature, e.facetName, short(e.codehash), String(e.proof.length), added.has(e.selector) ? "add" : moved.has(e.selector) ? `replace (was ${moved.get(e.selector)})` : "unchanged"]),
    ),
    `cut: add ${cut.summary.add}, replace ${cut.summary.replace}, remove ${cut.summary.remove}, unchanged ${cut.summary.unchanged}`,
    `ABI against live: ${checks.abi.added.length} added, ${checks.abi.removed.length} removed, ${checks.abi.changed.length} changed signature, ${checks.abi.moved.length} moved`,
    ...checks.abi.removed.map((r) => `  removed ${r.selector} ${r.signature || "(unknown signature)"} (from ${r.from})`),
    ...checks.abi.changed.map((c) => `  changed ${c.name}: ${c.from} -> ${c.to}`),
    `EIP-170 (deployed code, limit ${EIP170_LIMIT} bytes): ${checks.size.map((s) => `${s.facet} ${s.bytes} (${s.percent}%)${s.status === "ok" ? "" : ` ${s.status.toUpperCase()}`}`).join(", ")}`,
    `collisions: ${checks.collisions.length}, takeovers: ${checks.takeovers.length} (${checks.takeovers.filter((t) => t.allowed).length} allowed), shadowed: ${checks.shadowed.length}, protected: ${checks.protected.length}`,
    ...checks.warnings.map((w) => `warning: ${w}`),
  ];
  if (plan.inverse) {
    const inv = plan.inverse;
    const how = plan.kind === "dispatcher" ? `${inv.entries.length > 0 ? `restore ${inv.entries.length} route(s) as epoch ${inv.epoch}'s manifest` : "no manifest"}${inv.removals.length > 0 ? `, removeRoutes for ${inv.removals.length} selector(s)` : ""}` : `one diamondCut of ${inv.cut.length} part(s) through the timelock, after the plan's own operation`;
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
