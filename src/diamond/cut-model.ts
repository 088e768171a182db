// The vocabulary of an EIP-2535 cut (loupe views, desired facets, cuts, policy, refusals) and the normalization every
// cut computation shares. Pure.
import { getAddress } from "ethers";

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

const SELECTOR_RE = /^0x[0-9a-f]{8}$/;

export function normSelector(selector: string, where: string): string {
  const s = selector.toLowerCase();
  if (!SELECTOR_RE.test(s))
    throw new Error(`Invalid selector ${JSON.stringify(selector)} in ${where}: expected 0x + 8 hex digits`);
  return s;
}

export function normAddress(address: string, where: string): string {
  try {
    return getAddress(address);
  } catch {
    throw new Error(`Invalid address ${JSON.stringify(address)} in ${where}`);
  }
}

export const bySelector = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Selector -> facet address (checksummed) of a loupe view. */
export function selectorMap(live: LiveFacet[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const facet of live) {
    const address = normAddress(facet.facetAddress, "live facets");
    for (const sel of facet.functionSelectors) map.set(normSelector(sel, `live facet ${address}`), address);
  }
  return map;
}
