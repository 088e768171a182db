// The custom errors a protocol's contracts revert with, so that a call whose ABI is one of the profile's signatures
// (not an artifact) still reads as `ErrorName(args)` when it reverts: the errors the profile declares (`errors`, and
// those its probes expect) and those in the ABIs of the artifacts it names (the new vault's, the replacement factory's…).
import { ErrorFragment, type InterfaceAbi, type JsonFragment } from "ethers";
import type { Profile } from "./schema.js";

/** Every string in `value` (depth first), with the key it sits under. */
function* strings(value: unknown, key = ""): Generator<[string, string]> {
  if (typeof value === "string") yield [key, value];
  else if (Array.isArray(value)) for (const item of value) yield* strings(item, key);
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) yield* strings(v, k);
}

/** The error signatures of an ABI, human-readable ("error InvalidMmrParams(string reason)"). */
function errorsOf(abi: InterfaceAbi | undefined): string[] {
  if (!Array.isArray(abi)) return [];
  return (abi as (JsonFragment | string)[])
    .filter((entry) => typeof entry === "object" && entry.type === "error")
    .map((entry) => ErrorFragment.from(entry).format("full"));
}

/**
 * The profile's errors, then its artifacts' (each artifact once; one this project does not have is skipped: its
 * errors then read as raw data). `abiOf` loads an artifact's ABI.
 */
export async function profileErrors(
  profile: Profile,
  abiOf: (artifact: string) => Promise<InterfaceAbi | undefined>,
): Promise<string[]> {
  const found = [...strings(profile)];
  const declared = found.map(([, text]) => text).filter((text) => /^error \w+\(/.test(text));
  const artifacts = new Set(found.filter(([key]) => /artifact$/i.test(key)).map(([, name]) => name));
  const abis = await Promise.all([...artifacts].map((name) => abiOf(name).catch(() => undefined)));
  return [...new Set([...declared, ...abis.flatMap(errorsOf)])];
}
