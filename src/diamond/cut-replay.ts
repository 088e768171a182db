// Replaying a cut on a loupe view the way LibDiamond stores it, and the cut that undoes one. Pure.
import { ZeroAddress } from "ethers";
import {
  bySelector,
  FacetCutAction,
  normAddress,
  normSelector,
  selectorMap,
  type FacetCut,
  type LiveFacet,
} from "./cut-model.js";

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
      if (entry.action !== FacetCutAction.Remove && facet === ZeroAddress)
        throw new Error(`NoBytecodeAtAddress(${facet})`);
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

  return facetAddresses.map((facetAddress) => ({
    facetAddress,
    functionSelectors: [...selectorsOfFacet.get(facetAddress)!],
  }));
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
  const push = (into: Map<string, string[]>, address: string, sel: string) =>
    into.set(address, [...(into.get(address) ?? []), sel]);

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
    result.push({
      facetAddress: ZeroAddress,
      action: FacetCutAction.Remove,
      functionSelectors: removes.sort(bySelector),
    });
  }
  return result;
}
