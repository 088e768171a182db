import { getAddress, isAddress } from "ethers";
import { CutoverInputError } from "../errors.js";

const ADDRESS_FIX = "give a 0x-prefixed 20-byte address (all lowercase or with a valid EIP-55 checksum)";

/** An optional address input, checksummed; undefined when not given. */
export function checkedAddress(input: string, value: string | undefined, fix = ADDRESS_FIX): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (!isAddress(value)) throw new CutoverInputError(input, value, fix);
  return getAddress(value);
}

/** A required address input, checksummed. */
export function requiredAddress(input: string, value: string | undefined, fix = ADDRESS_FIX): string {
  const address = checkedAddress(input, value, fix);
  if (!address) throw new CutoverInputError(input, value ?? "", fix);
  return address;
}

export const sameAddress = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
