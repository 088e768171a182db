// Does deployed runtime code match a compiled artifact? Library links and immutables are the parts a deployment fills
// in: links are compared against the expected library addresses (or skipped when none are given), immutables skipped.
import { keccak256 } from "ethers";

type Ranges = Record<string, { start: number; length: number }[]>;

export interface RuntimeArtifact {
  contractName: string;
  deployedBytecode: string;
  deployedLinkReferences?: Record<string, Ranges>;
  immutableReferences?: Ranges;
}

export interface CodeComparison {
  match: boolean;
  /** What differs, in words, when it does not match. */
  reason?: string;
  liveHash: string;
  expectedHash: string;
}

export function compareRuntime(
  live: string,
  artifact: RuntimeArtifact,
  libraries?: Record<string, string>,
): CodeComparison {
  const expected = artifact.deployedBytecode.toLowerCase();
  const code = live.toLowerCase();
  const result = (match: boolean, reason?: string): CodeComparison => ({
    match,
    reason,
    liveHash: keccak256(code === "0x" ? "0x" : code),
    expectedHash: /__\$/.test(expected) ? "(linked)" : keccak256(expected),
  });
  if (code === "0x") return result(false, "no code at that address");
  if (code.length !== expected.length)
    return result(false, `runtime size ${(code.length - 2) / 2} bytes, the artifact's is ${(expected.length - 2) / 2}`);
  const skip: { start: number; length: number }[] = [...Object.values(artifact.immutableReferences ?? {}).flat()];
  for (const libs of Object.values(artifact.deployedLinkReferences ?? {})) {
    for (const [name, ranges] of Object.entries(libs)) {
      const want = libraries?.[name]?.toLowerCase().slice(2);
      for (const { start, length } of ranges) {
        skip.push({ start, length });
        const got = code.slice(2 + start * 2, 2 + (start + length) * 2);
        if (libraries && want !== got)
          return result(false, `library ${name} linked at 0x${got}, expected ${want ? `0x${want}` : "(none given)"}`);
      }
    }
  }
  let masked = code;
  let reference = expected;
  for (const { start, length } of skip) {
    const from = 2 + start * 2;
    const to = from + length * 2;
    masked = masked.slice(0, from) + "0".repeat(length * 2) + masked.slice(to);
    reference = reference.slice(0, from) + "0".repeat(length * 2) + reference.slice(to);
  }
  if (masked === reference) return result(true);
  let at = 2;
  while (masked[at] === reference[at]) at++;
  return result(false, `differs from the artifact at byte ${Math.floor((at - 2) / 2)}`);
}
