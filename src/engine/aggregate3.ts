// Multicall3 aggregate3 calldata and return data, and the EIP-2535 loupe's facets() (read from every diamond of a
// fleet), coded by hand: the ABI coder copies the rest of the buffer for every
// entry it reads (quadratic in a batch of thousands of reads) and builds a Result per entry; this walks the hex once.
// Layout (Solidity ABI): aggregate3((address target, bool allowFailure, bytes callData)[]) returns
// ((bool success, bytes returnData)[]).

import { getAddress } from "ethers";

/** aggregate3's selector: keccak256("aggregate3((address,bool,bytes)[])")[0:4]. */
export const AGGREGATE3_SELECTOR = "0x82ad56cb";

const word = (n: number) => n.toString(16).padStart(64, "0");

/** Calldata of aggregate3 with allowFailure set on every call. */
export function encodeAggregate3(calls: { target: string; callData: string }[]): string {
  const heads: string[] = [];
  const tails: string[] = [];
  let offset = 32 * calls.length;
  for (const { target, callData } of calls) {
    const data = callData.slice(2);
    const bytes = data.length / 2;
    const padded = data.padEnd(Math.ceil(bytes / 32) * 64, "0");
    heads.push(word(offset));
    tails.push(target.slice(2).toLowerCase().padStart(64, "0") + word(1) + word(96) + word(bytes) + padded);
    offset += 128 + padded.length / 2;
  }
  return AGGREGATE3_SELECTOR + word(32) + word(calls.length) + heads.join("") + tails.join("");
}

/** The word at a byte position of ABI-encoded hex as a number (an offset, a length, a boolean); throws past the data. */
function words(hex: string, what: string): (position: number) => number {
  const bytes = hex.length / 2;
  return (position) => {
    if (position < 0 || position + 32 > bytes) throw new Error(`${what} returned data shorter than its layout`);
    const text = hex.slice(position * 2, position * 2 + 64);
    // Offsets, lengths and booleans: anything past 2^48 is not one.
    if (!/^0{52}/.test(text)) throw new Error(`${what} returned an offset or length out of range`);
    return parseInt(text.slice(52), 16);
  };
}

/** aggregate3's return data as [success, returnData] pairs; throws on data that does not have its layout. */
export function decodeAggregate3(raw: string): [boolean, string][] {
  const hex = raw.slice(2);
  const bytes = hex.length / 2;
  const at = words(hex, "aggregate3");
  const array = at(0);
  const count = at(array);
  const base = array + 32;
  const out: [boolean, string][] = [];
  for (let i = 0; i < count; i++) {
    const tuple = base + at(base + 32 * i);
    const success = at(tuple) !== 0;
    const data = tuple + at(tuple + 32);
    const length = at(data);
    if (data + 32 + length > bytes) throw new Error("aggregate3 returned data shorter than its layout");
    out.push([success, "0x" + hex.slice((data + 32) * 2, (data + 32 + length) * 2)]);
  }
  return out;
}

/** The ABI type of the loupe's facets() return: Facet[] = (address facetAddress, bytes4[] functionSelectors)[]. */
export const FACETS_OUTPUT = "(address,bytes4[])[]";

/** facets() return data as [facet address (checksummed), selectors (lower-case)] pairs, as the ABI coder gives them. */
export function decodeFacets(raw: string): [string, string[]][] {
  const hex = raw.slice(2);
  const at = words(hex, "facets()");
  const array = at(0);
  const count = at(array);
  const base = array + 32;
  const out: [string, string[]][] = [];
  for (let i = 0; i < count; i++) {
    const tuple = base + at(base + 32 * i);
    if ((tuple + 64) * 2 > hex.length) throw new Error("facets() returned data shorter than its layout");
    const address = getAddress("0x" + hex.slice(tuple * 2 + 24, tuple * 2 + 64));
    const list = tuple + at(tuple + 32);
    const selectors: string[] = [];
    for (let k = 0, n = at(list); k < n; k++) {
      const position = (list + 32 + 32 * k) * 2;
      if (position + 64 > hex.length) throw new Error("facets() returned data shorter than its layout");
      selectors.push("0x" + hex.slice(position, position + 8).toLowerCase());
    }
    out.push([address, selectors]);
  }
  return out;
}

/**
 * A lone static return value (address, bool, uint256, bytes32) as the ABI coder gives it, read from its one word;
 * undefined for any other type, or a word the coder would refuse (short, an address with high bits), left to it.
 */
export function decodeWord(type: string, raw: string): unknown {
  if (raw.length < 66) return undefined;
  const word = raw.slice(2, 66);
  if (type === "address") return /^0{24}/.test(word) ? getAddress("0x" + word.slice(24)) : undefined;
  if (type === "bool") return !/^0{64}$/.test(word);
  if (type === "uint256") return BigInt("0x" + word);
  if (type === "bytes32") return "0x" + word.toLowerCase();
  return undefined;
}
