// The new vault's linked libraries are the recorded ones and run the library artifacts' code. The links are read from
// the vault's runtime code at the artifact's link offsets; a swapped pair, or a link to a contract that is not the
// library (any code passes a plain "has code" test), makes every call the vault delegates to it do something else.
import { getAddress, keccak256 } from "ethers";
import { isLibraryCode } from "../engine/input-checks.js";
import type { RuntimeArtifact } from "./bytecode.js";
import type { DesiredState } from "./desired.js";
import type { ObservedState } from "./observe.js";

interface LibraryFailure {
  subject: string;
  expected: string;
  found: string;
  fix: string;
}

interface LibraryInput {
  desired: DesiredState;
  observed: ObservedState;
  artifacts: Record<string, RuntimeArtifact>;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const bytes = (code: string) => (code.length - 2) / 2;

/** What the code at a linked address is, in words: which of the expected libraries it is, if any. */
function describeCode(code: string, artifacts: Record<string, RuntimeArtifact>, names: string[]): string {
  if (code === "0x") return "no code there";
  const other = names.find((n) => artifacts[n] && isLibraryCode(code, artifacts[n].deployedBytecode));
  return other
    ? `the ${other} library's code`
    : `other code (${bytes(code)} bytes, code hash ${keccak256(code).slice(0, 18)}…)`;
}

function libraryFailures({ desired, observed, artifacts }: LibraryInput): LibraryFailure[] {
  const failures: LibraryFailure[] = [];
  const names = Object.keys(observed.newVault.libraries);
  for (const [name, found] of Object.entries(observed.newVault.libraries)) {
    const fix = `the vault delegates to whatever is linked: redeploy it linking the deployed ${name} (corevault:redeploy --libraries), and fix the records if they are what is wrong`;
    const record = desired.libraryRecords[name];
    if (record?.address && !same(record.address, found))
      failures.push({
        subject: `library ${name} linked into the new vault`,
        expected: `${record.address} (the records' ${record.key})`,
        found,
        fix,
      });
    const code = observed.newVault.libraryCode[getAddress(found)];
    const artifact = artifacts[name];
    // a link to an address neither the plan nor the records name: its code was not read (the address is reported)
    if (code === undefined || !artifact || isLibraryCode(code, artifact.deployedBytecode)) continue;
    failures.push({
      subject: `library ${name} at ${found}`,
      expected: `the ${name} artifact's runtime code (${bytes(artifact.deployedBytecode)} bytes)`,
      found: describeCode(code, artifacts, names),
      fix,
    });
  }
  return failures;
}

export const LIBRARY_CODE_CHECK = {
  name: "vault.library-code",
  title: "each library linked into the new vault is the recorded one and runs the library artifact's code",
  run(input: LibraryInput) {
    const failures = libraryFailures(input);
    const linked = Object.entries(input.observed.newVault.libraries);
    return {
      status: (linked.length === 0 ? "n/a" : failures.length > 0 ? "fail" : "pass") as "n/a" | "fail" | "pass",
      evidence:
        linked.map(([n, a]) => `${n}=${a.slice(0, 6)}…${a.slice(-4)}`).join(", ") +
        (linked.length === 0 ? "no linked libraries read" : ": records and code compared"),
      failures,
    };
  },
};
