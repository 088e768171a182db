// Multicall3 aggregate3 calldata and return data, coded by hand: the ABI coder copies the rest of the buffer for every
// entry it reads (quadratic in a batch of thousands of reads) and builds a Result per entry; this walks the hex once.
// Layout (Solidity ABI): aggregate3((address target, bool allowFailure, bytes callData)[]) returns
// ((bool success, bytes returnData)[]).

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

/** aggregate3's return data as [success, returnData] pairs; throws on data that does not have its layout. */
export function decodeAggregate3(raw: string): [boolean, string][] {
  const hex = raw.slice(2);
  const bytes = hex.length / 2;
  const at = (position: number): number => {
    if (position < 0 || position + 32 > bytes) throw new Error("aggregate3 returned data shorter than its layout");
    const text = hex.slice(position * 2, position * 2 + 64);
    // Offsets, lengths and booleans: anything past 2^48 is not one.
    if (!/^0{52}/.test(text)) throw new Error("aggregate3 returned an offset or length out of range");
    return parseInt(text.slice(52), 16);
  };
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
