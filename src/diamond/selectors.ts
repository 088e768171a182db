import { Interface, type InterfaceAbi } from "ethers";

export interface SelectorInfo {
  /** 4-byte selector, 0x-prefixed lowercase hex. */
  selector: string;
  /** Canonical signature, e.g. "diamondCut((address,uint8,bytes4[])[],address,bytes)". */
  signature: string;
}

/** Every function of an ABI (or an ethers Interface) with its selector, sorted by selector. */
export function selectorsOf(abi: Interface | InterfaceAbi): SelectorInfo[] {
  const result: SelectorInfo[] = [];
  Interface.from(abi).forEachFunction((fn) => {
    result.push({ selector: fn.selector, signature: fn.format("sighash") });
  });
  return result.sort((a, b) => (a.selector < b.selector ? -1 : a.selector > b.selector ? 1 : 0));
}

const PUSH1 = 0x60;
const PUSH3 = 0x62;
const PUSH4 = 0x63;
const PUSH32 = 0x7f;
const [GT, LT, EQ, DUP2] = [0x11, 0x10, 0x14, 0x81];

/**
 * The function selectors a contract's own dispatcher compares calldata with, read from its runtime bytecode: every
 * PUSH4 (or PUSH3: a leading zero byte) operand followed by EQ (or DUP2 EQ), or by GT / LT (solc's binary-search pivots are selectors of the set).
 * A superset at worst (a PUSH4 constant compared for another reason); it is how a target's host functions are known
 * when no ABI is given. Signatures are unknown: empty.
 */
export function bytecodeSelectors(code: string): SelectorInfo[] {
  const bytes = Buffer.from(code.replace(/^0x/, ""), "hex");
  const found = new Set<string>();
  for (let i = 0; i < bytes.length; i++) {
    const op = bytes[i];
    // solc drops a selector's leading zero byte: 0x00ebb5f0 is PUSH3 0xebb5f0.
    const width = op === PUSH4 ? 4 : op === PUSH3 ? 3 : 0;
    if (width > 0 && i + width + 1 < bytes.length) {
      const next = bytes[i + width + 1];
      const after = bytes[i + width + 2];
      if (next === EQ || next === GT || next === LT || (next === DUP2 && after === EQ))
        found.add(
          `0x${bytes
            .subarray(i + 1, i + width + 1)
            .toString("hex")
            .padStart(8, "0")}`,
        );
    }
    if (op >= PUSH1 && op <= PUSH32) i += op - PUSH1 + 1;
  }
  return [...found].sort().map((selector) => ({ selector, signature: "" }));
}
