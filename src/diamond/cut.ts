// computeCut: the diff of a diamond's live loupe view against the desired facets, under a policy (takeovers, removals,
// protected and immutable selectors). Pure. The vocabulary is in cut-model.ts, the replay on a loupe view in
// cut-replay.ts (both re-exported here).
import { Interface, ZeroAddress, id } from "ethers";
import {
  bySelector,
  FacetCutAction,
  normAddress,
  normSelector,
  selectorMap,
  type CutPolicy,
  type CutResult,
  type DesiredFacet,
  type FacetCut,
  type LiveFacet,
  type Refusal,
  type RefusalKind,
} from "./cut-model.js";

export * from "./cut-model.js";
export { applyCutToLive, inverseCut } from "./cut-replay.js";

const PROTECTED_SIGNATURES = [
  "diamondCut((address,uint8,bytes4[])[],address,bytes)",
  "facets()",
  "facetFunctionSelectors(address)",
  "facetAddresses()",
  "facetAddress(bytes4)",
  "supportsInterface(bytes4)",
  "owner()",
  "transferOwnership(address)",
];

/** Selector -> signature of the functions a cut may never replace or remove (cut, loupe, ERC-165, ERC-173). */
export const PROTECTED_SELECTORS: ReadonlyMap<string, string> = new Map(
  PROTECTED_SIGNATURES.map((signature) => [id(signature).slice(0, 10), signature]),
);

/** A desired facet, normalized: checksummed address, selector -> signature (checked against each other). */
interface WantedFacet {
  name: string;
  address: string;
  selectors: Map<string, string>;
}

/** What computeCut works from, and what it collects. */
interface CutState {
  liveMap: Map<string, string>;
  diamond: string | undefined;
  takeoverAll: boolean;
  takeoverSet: Set<string>;
  removalSet: Set<string>;
  /** Names for addresses, so messages say "OrderBookTradingFacet (0x…)" where we know it. */
  names: Map<string, string>;
  refusals: Refusal[];
  adds: Map<string, string[]>;
  replaces: Map<string, string[]>;
  removes: Set<string>;
}

function normalizeDesired(desired: DesiredFacet[], names: Map<string, string>): WantedFacet[] {
  return desired.map((facet) => {
    const address = normAddress(facet.facetAddress, `desired facet ${facet.name}`);
    if (address !== ZeroAddress && !names.has(address)) names.set(address, facet.name);
    const selectors = new Map<string, string>();
    for (const { selector, signature } of facet.selectors) {
      const sel = normSelector(selector, `desired facet ${facet.name}`);
      if (signature !== "" && id(signature).slice(0, 10) !== sel) {
        throw new Error(
          `Desired facet ${facet.name}: selector ${sel} does not match signature ${signature} (${id(signature).slice(0, 10)})`,
        );
      }
      selectors.set(sel, signature);
    }
    return { name: facet.name, address, selectors };
  });
}

const labelOf = (state: CutState, address: string) =>
  state.names.has(address) ? `${state.names.get(address)} (${address})` : address;
const show = (sel: string, sig?: string) => (sig ? `${sel} ${sig}` : sel);

function refuse(
  state: CutState,
  kind: RefusalKind,
  selector: string,
  signature: string | undefined,
  detail: string,
): void {
  state.refusals.push(signature === undefined ? { kind, selector, detail } : { kind, selector, signature, detail });
}

/** Immutable = registered under the diamond itself; protected = cut/loupe/ownership. Neither is ever moved. */
function protectedReason(state: CutState, sel: string): string | undefined {
  if (PROTECTED_SELECTORS.has(sel)) return "it is a diamond cut, loupe or ownership function";
  if (state.diamond !== undefined && state.liveMap.get(sel) === state.diamond)
    return "it is an immutable function of the diamond";
  return undefined;
}

/** Collisions: one selector in two desired entries, or desired on a facet and also listed for removal. */
function findCollisions(
  state: CutState,
  wanted: WantedFacet[],
): { owners: Map<string, number[]>; collided: Set<string> } {
  const owners = new Map<string, number[]>();
  wanted.forEach((facet, index) => {
    for (const sel of facet.selectors.keys()) owners.set(sel, [...(owners.get(sel) ?? []), index]);
  });
  const collided = new Set<string>();
  for (const [sel, indexes] of owners) {
    const sig = wanted[indexes[0]].selectors.get(sel);
    if (indexes.length > 1) {
      collided.add(sel);
      const where = indexes.map((i) => `${wanted[i].name} (${wanted[i].address})`).join(" and ");
      refuse(
        state,
        "collision",
        sel,
        sig,
        `Selector ${show(sel, sig)} is in more than one desired facet: ${where}. Keep it in exactly one of them.`,
      );
    } else if (state.removalSet.has(sel) && wanted[indexes[0]].address !== ZeroAddress) {
      collided.add(sel);
      const facet = wanted[indexes[0]];
      refuse(
        state,
        "collision",
        sel,
        sig,
        `Selector ${show(sel, sig)} is desired on ${facet.name} (${facet.address}) and also in the removal allowlist. ` +
          `Drop it from the removal allowlist or from ${facet.name}.`,
      );
    }
  }
  return { owners, collided };
}

const push = (into: Map<string, string[]>, address: string, sel: string) =>
  into.set(address, [...(into.get(address) ?? []), sel]);

function tryRemove(state: CutState, sel: string, sig: string | undefined, requestedBy: string): void {
  const current = state.liveMap.get(sel);
  if (current === undefined) return; // already absent: nothing to do
  const reason = protectedReason(state, sel);
  if (reason !== undefined) {
    refuse(
      state,
      "protected",
      sel,
      sig ?? PROTECTED_SELECTORS.get(sel),
      `Selector ${show(sel, sig ?? PROTECTED_SELECTORS.get(sel))} on ${labelOf(state, current)} cannot be removed: ${reason}. Drop it from ${requestedBy}.`,
    );
  } else if (!state.removalSet.has(sel)) {
    refuse(
      state,
      "removal-not-allowed",
      sel,
      sig,
      `Removing selector ${show(sel, sig)} from ${labelOf(state, current)} was requested by ${requestedBy} but it is not in the removal allowlist. ` +
        `If intended, add it to the removal allowlist.`,
    );
  } else {
    state.removes.add(sel);
  }
}

/** One desired selector on a facet: add it, replace the live one (takeover), leave it, or refuse. */
function placeSelector(state: CutState, facet: WantedFacet, sel: string, sig: string): void {
  const current = state.liveMap.get(sel);
  if (current === undefined) {
    push(state.adds, facet.address, sel);
  } else if (current === facet.address) {
    // already served by this facet: LibDiamond rejects a same-facet Replace, and there is nothing to do
  } else {
    const reason = protectedReason(state, sel);
    if (reason !== undefined) {
      refuse(
        state,
        "protected",
        sel,
        sig,
        `Selector ${show(sel, sig)} is served by ${labelOf(state, current)} and cannot be moved to ${facet.name} (${facet.address}): ${reason}. ` +
          `Remove it from ${facet.name}.`,
      );
    } else if (state.takeoverAll || state.takeoverSet.has(sel)) {
      push(state.replaces, facet.address, sel);
    } else {
      refuse(
        state,
        "takeover",
        sel,
        sig,
        `Selector ${show(sel, sig)} is served by ${labelOf(state, current)}; the desired facet ${facet.name} (${facet.address}) would take it over. ` +
          `If intended, allow the takeover explicitly with --allow-takeover ${sel}; otherwise remove it from ${facet.name}.`,
      );
    }
  }
}

/** Cut order: per desired facet (in order) its Add then its Replace, then one Remove. */
function assembleCut(state: CutState, wanted: WantedFacet[]): FacetCut[] {
  const cut: FacetCut[] = [];
  const facetOrder = [...new Set(wanted.map((f) => f.address))].filter((a) => a !== ZeroAddress);
  for (const address of facetOrder) {
    for (const [action, group] of [
      [FacetCutAction.Add, state.adds],
      [FacetCutAction.Replace, state.replaces],
    ] as const) {
      const selectors = group.get(address);
      if (selectors) cut.push({ facetAddress: address, action, functionSelectors: [...selectors].sort(bySelector) });
    }
  }
  if (state.removes.size > 0) {
    cut.push({
      facetAddress: ZeroAddress,
      action: FacetCutAction.Remove,
      functionSelectors: [...state.removes].sort(bySelector),
    });
  }
  return cut;
}

/**
 * Diff the live loupe view against the desired facets. Only selectors the desired set mentions, and live selectors in
 * `policy.removals`, are changed. Cut order: per desired facet (in order) its Add then its Replace, then one Remove.
 */
export function computeCut(live: LiveFacet[], desired: DesiredFacet[], policy: CutPolicy): CutResult {
  const liveMap = selectorMap(live);
  const diamond = policy.diamond === undefined ? undefined : normAddress(policy.diamond, "policy.diamond");
  const takeoverSet = new Set(
    Array.isArray(policy.allowTakeover) ? policy.allowTakeover.map((s) => normSelector(s, "policy.allowTakeover")) : [],
  );
  const removalSet = new Set((policy.removals ?? []).map((s) => normSelector(s, "policy.removals")));
  const state: CutState = {
    liveMap,
    diamond,
    takeoverAll: policy.allowTakeover === true,
    takeoverSet,
    removalSet,
    names: new Map(),
    refusals: [],
    adds: new Map(),
    replaces: new Map(),
    removes: new Set(),
  };
  const wanted = normalizeDesired(desired, state.names);

  const { owners, collided } = findCollisions(state, wanted);
  for (const facet of wanted) {
    for (const [sel, sig] of facet.selectors) {
      if (collided.has(sel)) continue;
      if (facet.address === ZeroAddress) tryRemove(state, sel, sig, `desired facet ${facet.name}`);
      else placeSelector(state, facet, sel, sig);
    }
  }
  for (const sel of removalSet) {
    if (!owners.has(sel)) tryRemove(state, sel, PROTECTED_SELECTORS.get(sel), "the removal allowlist");
  }

  const cut = assembleCut(state, wanted);
  const untouched = [...liveMap.keys()].filter((sel) => !owners.has(sel) && !state.removes.has(sel)).sort(bySelector);
  const count = (group: Map<string, string[]>) => [...group.values()].reduce((n, s) => n + s.length, 0);
  return {
    cut,
    refusals: state.refusals,
    untouched,
    summary: { add: count(state.adds), replace: count(state.replaces), remove: state.removes.size },
  };
}

export class CutRefusedError extends Error {
  constructor(readonly refusals: Refusal[]) {
    super(
      `The diamond cut was refused (${refusals.length} problem${refusals.length === 1 ? "" : "s"}); nothing was sent:\n` +
        refusals.map((r) => `  - [${r.kind}] ${r.detail}`).join("\n"),
    );
    this.name = "CutRefusedError";
  }
}

/** Throws a CutRefusedError listing every refusal; returns the cut when there is none. */
export function assertCutAllowed(result: CutResult): FacetCut[] {
  if (result.refusals.length > 0) throw new CutRefusedError(result.refusals);
  return result.cut;
}

const diamondCutEvent = new Interface([
  "event DiamondCut((address facetAddress,uint8 action,bytes4[] functionSelectors)[] _diamondCut, address _init, bytes _calldata)",
]);

/** The DiamondCut log the diamond emits for this cut (no indexed parameters, so topic0 + data identify it). */
export function predictDiamondCutEvent(
  cut: FacetCut[],
  init: string,
  calldata: string,
): { topic0: string; data: string } {
  const { topics, data } = diamondCutEvent.encodeEventLog("DiamondCut", [
    cut.map((c) => [c.facetAddress, c.action, c.functionSelectors]),
    init,
    calldata,
  ]);
  return { topic0: topics[0], data };
}

/** True when one of the logs was emitted by `diamond` with exactly the predicted topic0 and data. */
export function receiptHasDiamondCut(
  logs: readonly { address: string; topics: readonly string[]; data: string }[],
  diamond: string,
  predicted: { topic0: string; data: string },
): boolean {
  const address = diamond.toLowerCase();
  const topic0 = predicted.topic0.toLowerCase();
  const data = predicted.data.toLowerCase();
  return logs.some(
    (log) =>
      log.address.toLowerCase() === address &&
      log.topics[0]?.toLowerCase() === topic0 &&
      log.data.toLowerCase() === data,
  );
}
