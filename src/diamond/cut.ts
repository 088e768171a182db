import { Interface, ZeroAddress, getAddress, id } from "ethers";

/** One entry of the loupe's facets(): a facet and the selectors it serves, in the diamond's storage order. */
export interface LiveFacet {
  facetAddress: string;
  functionSelectors: string[];
}

/**
 * A facet as we want it on the diamond. A desired facet whose facetAddress is the zero address is a request to
 * remove its selectors (granted only for selectors in `CutPolicy.removals`).
 */
export interface DesiredFacet {
  name: string;
  facetAddress: string;
  /** `signature` may be "" where it is unknown (a removal of a selector whose ABI we do not have). */
  selectors: { selector: string; signature: string }[];
}

export enum FacetCutAction {
  Add = 0,
  Replace = 1,
  Remove = 2,
}

export interface FacetCut {
  facetAddress: string;
  action: FacetCutAction;
  functionSelectors: string[];
}

export interface CutPolicy {
  /** Selectors that may be moved away from the facet that serves them live, or true for any. */
  allowTakeover?: boolean | string[];
  /** Selectors that may be removed (and are removed when live). Everything else live is left alone. */
  removals?: string[];
  /** The diamond's own address: selectors registered under it are immutable (LibDiamond refuses to touch them). */
  diamond?: string;
}

export type RefusalKind = "takeover" | "protected" | "collision" | "removal-not-allowed";

export interface Refusal {
  kind: RefusalKind;
  selector: string;
  signature?: string;
  detail: string;
}

/**
 * `cut` holds only the changes that passed the policy. When `refusals` is non-empty it is partial and MUST NOT be
 * sent: show the refusals to the operator (or call `assertCutAllowed`) and stop.
 */
export interface CutResult {
  cut: FacetCut[];
  refusals: Refusal[];
  /** Live selectors the desired set does not mention and that are not removed, sorted. */
  untouched: string[];
  /** Counts of selectors (not of FacetCut entries) per action. */
  summary: { add: number; replace: number; remove: number };
}

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

const SELECTOR_RE = /^0x[0-9a-f]{8}$/;

function normSelector(selector: string, where: string): string {
  const s = selector.toLowerCase();
  if (!SELECTOR_RE.test(s)) throw new Error(`Invalid selector ${JSON.stringify(selector)} in ${where}: expected 0x + 8 hex digits`);
  return s;
}

function normAddress(address: string, where: string): string {
  try {
    return getAddress(address);
  } catch {
    throw new Error(`Invalid address ${JSON.stringify(address)} in ${where}`);
  }
}

const bySelector = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Selector -> facet address (checksummed) of a loupe view. */
function selectorMap(live: LiveFacet[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const facet of live) {
    const address = normAddress(facet.facetAddress, "live facets");
    for (const sel of facet.functionSelectors) map.set(normSelector(sel, `live facet ${address}`), address);
  }
  return map;
}

/**
 * Diff the live loupe view against the desired facets. Only selectors the desired set mentions, and live selectors in
 * `policy.removals`, are changed. Cut order: per desired facet (in order) its Add then its Replace, then one Remove.
 */
export function computeCut(live: LiveFacet[], desired: DesiredFacet[], policy: CutPolicy): CutResult {
  const liveMap = selectorMap(live);
  const diamond = policy.diamond === undefined ? undefined : normAddress(policy.diamond, "policy.diamond");
  const takeoverAll = policy.allowTakeover === true;
  const takeoverSet = new Set(
    Array.isArray(policy.allowTakeover) ? policy.allowTakeover.map((s) => normSelector(s, "policy.allowTakeover")) : [],
  );
  const removalSet = new Set((policy.removals ?? []).map((s) => normSelector(s, "policy.removals")));

  // Names for addresses, so messages say "OrderBookTradingFacet (0x…)" where we know it.
  const names = new Map<string, string>();
  const wanted: { name: string; address: string; selectors: Map<string, string> }[] = desired.map((facet) => {
    const address = normAddress(facet.facetAddress, `desired facet ${facet.name}`);
    if (address !== ZeroAddress && !names.has(address)) names.set(address, facet.name);
    const selectors = new Map<string, string>();
    for (const { selector, signature } of facet.selectors) {
      const sel = normSelector(selector, `desired facet ${facet.name}`);
      if (signature !== "" && id(signature).slice(0, 10) !== sel) {
        throw new Error(`Desired facet ${facet.name}: selector ${sel} does not match signature ${signature} (${id(signature).slice(0, 10)})`);
      }
      selectors.set(sel, signature);
    }
    return { name: facet.name, address, selectors };
  });
  const label = (address: string) => (names.has(address) ? `${names.get(address)} (${address})` : address);

  const refusals: Refusal[] = [];
  const refuse = (kind: RefusalKind, selector: string, signature: string | undefined, detail: string) =>
    refusals.push(signature === undefined ? { kind, selector, detail } : { kind, selector, signature, detail });
  const show = (sel: string, sig?: string) => (sig ? `${sel} ${sig}` : sel);

  // Immutable = registered under the diamond itself; protected = cut/loupe/ownership. Neither is ever moved.
  const protectedReason = (sel: string): string | undefined => {
    if (PROTECTED_SELECTORS.has(sel)) return "it is a diamond cut, loupe or ownership function";
    if (diamond !== undefined && liveMap.get(sel) === diamond) return "it is an immutable function of the diamond";
    return undefined;
  };

  // Collisions: one selector in two desired entries, or desired on a facet and also listed for removal.
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
      refuse("collision", sel, sig, `Selector ${show(sel, sig)} is in more than one desired facet: ${where}. Keep it in exactly one of them.`);
    } else if (removalSet.has(sel) && wanted[indexes[0]].address !== ZeroAddress) {
      collided.add(sel);
      const facet = wanted[indexes[0]];
      refuse(
        "collision",
        sel,
        sig,
        `Selector ${show(sel, sig)} is desired on ${facet.name} (${facet.address}) and also in the removal allowlist. ` +
          `Drop it from the removal allowlist or from ${facet.name}.`,
      );
    }
  }

  const adds = new Map<string, string[]>();
  const replaces = new Map<string, string[]>();
  const removes = new Set<string>();
  const push = (into: Map<string, string[]>, address: string, sel: string) => into.set(address, [...(into.get(address) ?? []), sel]);

  const tryRemove = (sel: string, sig: string | undefined, requestedBy: string) => {
    const current = liveMap.get(sel);
    if (current === undefined) return; // already absent: nothing to do
    const reason = protectedReason(sel);
    if (reason !== undefined) {
      refuse("protected", sel, sig ?? PROTECTED_SELECTORS.get(sel), `Selector ${show(sel, sig ?? PROTECTED_SELECTORS.get(sel))} on ${label(current)} cannot be removed: ${reason}. Drop it from ${requestedBy}.`);
    } else if (!removalSet.has(sel)) {
      refuse(
        "removal-not-allowed",
        sel,
        sig,
        `Removing selector ${show(sel, sig)} from ${label(current)} was requested by ${requestedBy} but it is not in the removal allowlist. ` +
          `If intended, add it to the removal allowlist.`,
      );
    } else {
      removes.add(sel);
    }
  };

  for (const facet of wanted) {
    for (const [sel, sig] of facet.selectors) {
      if (collided.has(sel)) continue;
      if (facet.address === ZeroAddress) {
        tryRemove(sel, sig, `desired facet ${facet.name}`);
        continue;
      }
      const current = liveMap.get(sel);
      if (current === undefined) {
        push(adds, facet.address, sel);
      } else if (current === facet.address) {
        // already served by this facet: LibDiamond rejects a same-facet Replace, and there is nothing to do
      } else {
        const reason = protectedReason(sel);
        if (reason !== undefined) {
          refuse(
            "protected",
            sel,
            sig,
            `Selector ${show(sel, sig)} is served by ${label(current)} and cannot be moved to ${facet.name} (${facet.address}): ${reason}. ` +
              `Remove it from ${facet.name}.`,
          );
        } else if (takeoverAll || takeoverSet.has(sel)) {
          push(replaces, facet.address, sel);
        } else {
          refuse(
            "takeover",
            sel,
            sig,
            `Selector ${show(sel, sig)} is served by ${label(current)}; the desired facet ${facet.name} (${facet.address}) would take it over. ` +
              `If intended, allow the takeover explicitly with --allow-takeover ${sel}; otherwise remove it from ${facet.name}.`,
          );
        }
      }
    }
  }
  for (const sel of removalSet) {
    if (!owners.has(sel)) tryRemove(sel, PROTECTED_SELECTORS.get(sel), "the removal allowlist");
  }

  const cut: FacetCut[] = [];
  const facetOrder = [...new Set(wanted.map((f) => f.address))].filter((a) => a !== ZeroAddress);
  for (const address of facetOrder) {
    for (const [action, group] of [
      [FacetCutAction.Add, adds],
      [FacetCutAction.Replace, replaces],
    ] as const) {
      const selectors = group.get(address);
      if (selectors) cut.push({ facetAddress: address, action, functionSelectors: [...selectors].sort(bySelector) });
    }
  }
  if (removes.size > 0) {
    cut.push({ facetAddress: ZeroAddress, action: FacetCutAction.Remove, functionSelectors: [...removes].sort(bySelector) });
  }

  const untouched = [...liveMap.keys()].filter((sel) => !owners.has(sel) && !removes.has(sel)).sort(bySelector);
  const count = (group: Map<string, string[]>) => [...group.values()].reduce((n, s) => n + s.length, 0);
  return { cut, refusals, untouched, summary: { add: count(adds), replace: count(replaces), remove: removes.size } };
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
export function predictDiamondCutEvent(cut: FacetCut[], init: string, calldata: string): { topic0: string; data: string } {
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
    (log) => log.address.toLowerCase() === address && log.topics[0]?.toLowerCase() === topic0 && log.data.toLowerCase() === data,
  );
}

/**
 * The loupe view after `cut`, replaying LibDiamond's storage updates (append on add, swap-and-pop on remove), so the
 * result has the same order facets() would return. Throws with LibDiamond's error name where the cut would revert
 * (immutable functions aside: the diamond's address is not known here).
 */
export function applyCutToLive(live: LiveFacet[], cut: FacetCut[]): LiveFacet[] {
  const facetAddresses: string[] = [];
  const selectorsOfFacet = new Map<string, string[]>();
  const facetOf = new Map<string, string>();

  const add = (facet: string, sel: string) => {
    let list = selectorsOfFacet.get(facet);
    if (!list || list.length === 0) {
      list = [];
      selectorsOfFacet.set(facet, list);
      facetAddresses.push(facet);
    }
    list.push(sel);
    facetOf.set(sel, facet);
  };
  const remove = (facet: string, sel: string) => {
    const list = selectorsOfFacet.get(facet)!;
    const position = list.indexOf(sel);
    list[position] = list[list.length - 1];
    list.pop();
    facetOf.delete(sel);
    if (list.length === 0) {
      const facetPosition = facetAddresses.indexOf(facet);
      facetAddresses[facetPosition] = facetAddresses[facetAddresses.length - 1];
      facetAddresses.pop();
    }
  };

  for (const facet of live) {
    const address = normAddress(facet.facetAddress, "live facets");
    for (const sel of facet.functionSelectors) add(address, normSelector(sel, `live facet ${address}`));
  }

  for (const entry of cut) {
    const facet = normAddress(entry.facetAddress, "cut");
    if (!(entry.action in FacetCutAction)) throw new Error(`Invalid FacetCutAction ${entry.action} for ${facet}`);
    if (entry.functionSelectors.length === 0) throw new Error(`NoSelectorsProvidedForFacetForCut(${facet})`);
    for (const selector of entry.functionSelectors) {
      const sel = normSelector(selector, `cut for ${facet}`);
      const old = facetOf.get(sel);
      if (entry.action !== FacetCutAction.Remove && facet === ZeroAddress) throw new Error(`NoBytecodeAtAddress(${facet})`);
      if (entry.action === FacetCutAction.Add) {
        if (old !== undefined) throw new Error(`CannotAddSelectorThatAlreadyExists(${sel})`);
        add(facet, sel);
      } else if (entry.action === FacetCutAction.Replace) {
        if (old === undefined) throw new Error(`CannotReplaceFunctionThatDoesNotExist(${sel})`);
        if (old === facet) throw new Error(`CannotReplaceFunctionWithTheSameFacet(${sel})`);
        remove(old, sel);
        add(facet, sel);
      } else {
        if (facet !== ZeroAddress) throw new Error(`RemoveFacetAddressMustBeZero(${facet})`);
        if (old === undefined) throw new Error(`CannotRemoveFunctionThatDoesNotExist(${sel})`);
        remove(old, sel);
      }
    }
  }

  return facetAddresses.map((facetAddress) => ({ facetAddress, functionSelectors: [...selectorsOfFacet.get(facetAddress)!] }));
}

/**
 * The cut that takes the diamond from `applyCutToLive(liveBefore, cut)` back to `liveBefore` (same selector -> facet
 * mapping; the loupe's order may differ, as swap-and-pop does not restore it). Replaces and Adds are grouped per
 * facet in liveBefore's order, then one Remove.
 */
export function inverseCut(liveBefore: LiveFacet[], cut: FacetCut[]): FacetCut[] {
  const before = selectorMap(liveBefore);
  const after = selectorMap(applyCutToLive(liveBefore, cut));

  const adds = new Map<string, string[]>();
  const replaces = new Map<string, string[]>();
  const removes: string[] = [];
  const push = (into: Map<string, string[]>, address: string, sel: string) => into.set(address, [...(into.get(address) ?? []), sel]);

  for (const [sel, was] of before) {
    const now = after.get(sel);
    if (now === undefined) push(adds, was, sel);
    else if (now !== was) push(replaces, was, sel);
  }
  for (const sel of after.keys()) if (!before.has(sel)) removes.push(sel);

  const result: FacetCut[] = [];
  for (const address of new Set(before.values())) {
    for (const [action, group] of [
      [FacetCutAction.Add, adds],
      [FacetCutAction.Replace, replaces],
    ] as const) {
      const selectors = group.get(address);
      if (selectors) result.push({ facetAddress: address, action, functionSelectors: selectors.sort(bySelector) });
    }
  }
  if (removes.length > 0) {
    result.push({ facetAddress: ZeroAddress, action: FacetCutAction.Remove, functionSelectors: removes.sort(bySelector) });
  }
  return result;
}
