// The facet plan file's format (diamond:plan writes it; stage, apply and rollback read it): its types and limits, its
// id, the integrity check of a file, the Merkle entries, a plan's change and its routes. Pure: no provider.
import { keccak256, toUtf8Bytes } from "ethers";
import { canonicalJson } from "../engine/plan.js";
import { buildManifestTree, manifestLeaf, verifyManifestProof, type OddNodeRule } from "../manifest/merkle.js";
import type { FacetCut, LiveFacet } from "./cut.js";
import type { DispatcherProfileName } from "./dispatcher-profile.js";
import type { SelectorInfo } from "./selectors.js";

export const PLAN_FORMAT = "hardhat-cutover/facet-plan@1";
/** EIP-170: the largest DEPLOYED (runtime) code a contract may have. */
export const EIP170_LIMIT = 24_576;
/** A facet at or above 90 % of the limit is reported (warning), not refused. */
export const EIP170_WARN_BYTES = Math.ceil((EIP170_LIMIT * 9) / 10);
/** applyRoutes carries at most this many selectors (with their proofs) per transaction. */
export const MAX_APPLY_BATCH = 100;

export type TargetKind = "dispatcher" | "diamond";
/** Who owns a diamond, which decides how its cut is sent: directly, through the Safe's batch, or scheduled. */
export type OwnerKind = "eoa" | "safe" | "timelock";

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
  /** Diamond: its owner and what it is (null on a dispatcher). */
  owner: { address: string; kind: OwnerKind } | null;
  /** Dispatcher: the profile it is read and written with (src/diamond/dispatcher-profile.ts); null on a diamond. */
  dispatcherProfile: DispatcherProfileName | null;
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
  /**
   * How many times the same change was applied before on this timelock (0 the first time). Part of the plan's content,
   * so re-planning after a rollback gives a new id, hence a new timelock salt, not an operation already executed.
   */
  application?: number;
  /** Dispatcher: how the manifest tree carries an odd node up (default promote; see src/manifest/merkle.ts). */
  oddNode?: OddNodeRule;
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

/** The plan file: the target as planned against (see FacetPlanInputs), the manifest, the cut, the checks, the inverse. */
export interface FacetPlan extends Pick<
  FacetPlanInputs,
  "network" | "chainId" | "target" | "kind" | "timelock" | "owner" | "dispatcherProfile" | "epoch" | "activationDelay"
> {
  format: typeof PLAN_FORMAT;
  /** See FacetPlanInputs.application. */
  application: number;
  /** See FacetPlanInputs.oddNode. */
  oddNode: OddNodeRule;
  /** keccak256 of the canonical JSON of everything else: same inputs, same id. */
  id: string;
  status: "ready" | "refused";
  reasons: string[];
  root: string;
  facets: { name: string; address: string; codehash: string; deployedSize: number }[];
  entries: PlanEntry[];
  cut: {
    facetCuts: FacetCut[];
    removals: string[];
    summary: { add: number; replace: number; remove: number; unchanged: number };
  };
  checks: FacetPlanChecks;
  live: { before: LiveFacet[]; after: LiveFacet[] | null };
  /** The change that undoes this plan (null for a refused plan). */
  inverse: RouteChange | null;
}

export const bySelector = (a: { selector: string }, b: { selector: string }) =>
  a.selector < b.selector ? -1 : a.selector > b.selector ? 1 : 0;

/** Merkle entries (sorted by selector, then facet) with leaves, proofs and position bits; the root. */
export function manifestEntries(
  routes: Omit<PlanEntry, "leaf" | "proof" | "positions">[],
  oddNode: OddNodeRule = "promote",
): {
  root: string | null;
  entries: PlanEntry[];
} {
  const sorted = [...routes].sort((a, b) => bySelector(a, b) || (a.facet < b.facet ? -1 : a.facet > b.facet ? 1 : 0));
  if (sorted.length === 0) return { root: null, entries: [] };
  const tree = buildManifestTree(
    sorted.map((r) => ({ selector: r.selector, facet: r.facet, codehash: r.codehash })),
    oddNode,
  );
  return {
    root: tree.root,
    entries: sorted.map((r, i) => ({
      ...r,
      leaf: tree.leaves[i],
      proof: tree.proofs[i].proof,
      positions: tree.proofs[i].isRight,
    })),
  };
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
  if (actual !== id)
    problems.push(`its content hashes to ${actual}, not to its id ${id}: the file was edited after it was planned`);
  const checkEntries = (what: string, root: string | null, entries: PlanEntry[]) => {
    for (const e of entries) {
      if (manifestLeaf(e.selector, e.facet, e.codehash) !== e.leaf)
        problems.push(
          `${what} entry ${e.selector}: leaf ${e.leaf} is not keccak256(abi.encode(selector, facet, codehash))`,
        );
      if (!root || !verifyManifestProof(root, e, e.proof, e.positions))
        problems.push(
          `${what} entry ${e.selector} (${e.facetName || e.facet}): its proof does not verify against root ${root}`,
        );
    }
  };
  checkEntries("plan", plan.root, plan.entries);
  if (plan.inverse) checkEntries("inverse", plan.inverse.root, plan.inverse.entries);
  return problems;
}

/** The plan's own change (a ready plan has its `after`). */
export function forwardChange(plan: FacetPlan): RouteChange {
  return {
    root: plan.root,
    epoch: plan.epoch,
    entries: plan.entries,
    removals: plan.cut.removals,
    cut: plan.cut.facetCuts,
    before: plan.live.before,
    after: plan.live.after ?? [],
  };
}

/** Id of a plan's rollback: names its run, its timelock salt and its stage record. */
export function rollbackId(planId: string): string {
  return keccak256(toUtf8Bytes(`hardhat-cutover/rollback/${planId}`));
}

/** Consecutive batches of at most `size` entries (applyRoutes calls). */
export function batches<T>(items: T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1 || size > MAX_APPLY_BATCH)
    throw new Error(`batch size must be an integer from 1 to ${MAX_APPLY_BATCH}, got ${size}`);
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
    if (a.get(selector) !== b.get(selector))
      out.push(`${selector}: expected ${a.get(selector) ?? "(no route)"}, live ${b.get(selector) ?? "(no route)"}`);
  }
  return out;
}
