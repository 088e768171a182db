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
