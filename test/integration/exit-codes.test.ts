// The exit codes, the same in every task, checked through the real Hardhat CLI (a child process): 0 done, 1 a check
// failed, 3 bad input or could not run, and the table in every task's --help. Code 2 (awaiting a Safe / timelock) is
// asserted through the tasks in multisig.test.ts and safe-versions.test.ts, where the Safe and the timelock exist.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { EXIT, EXIT_CODES_HELP } from "../../src/cli/exit-codes.js";
import { finished, hardhat } from "../helpers/node.js";
import { taskError } from "../helpers/tasks.js";

const OLD = "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9";
const cli = (args: string[]) => finished(hardhat(args));

describe("exit codes", function () {
  this.timeout(180_000);

  it("3 for bad input, with the error naming the input; 0 when done; 1 when a check fails (real CLI)", async () => {
    const bad = await cli(["corevault:redeploy", "--old-vault", "0x1234", "--plan-only"]);
    expect(bad.code, bad.stderr + bad.stdout).to.equal(EXIT.couldNotRun);
    expect(bad.stderr + bad.stdout).to.include("--old-vault");
    // Refused by Hardhat's own argument parsing, before the task's action runs: also 3.
    const unparsable = await cli(["mocks:deploy-system", "--markets", "abc"]);
    expect(unparsable.code, unparsable.stderr + unparsable.stdout).to.equal(EXIT.couldNotRun);
    expect(unparsable.stderr + unparsable.stdout).to.include("markets");

    const dir = await mkdtemp(path.join(tmpdir(), "cutover-exit-"));
    await writeFile(path.join(dir, "clean.ts"), "export const vault = '0x0000000000000000000000000000000000000001';\n");
    const clean = await cli(["cutover:scan-stale", "--root", dir, "--address", OLD]);
    expect(clean.code, clean.stderr).to.equal(EXIT.done);

    await writeFile(path.join(dir, "stale.ts"), `export const vault = '${OLD}';\n`);
    const found = await cli(["cutover:scan-stale", "--root", dir, "--address", OLD]);
    expect(found.code, found.stderr).to.equal(EXIT.checkFailed);
    expect(found.stdout).to.include("stale.ts");
  });

  it("a task run inside another process (tests, scripts) that throws leaves the exit code alone", async () => {
    const before = process.exitCode;
    const error = await taskError("corevault:redeploy", { oldVault: "0x1234", planOnly: true });
    expect(error.message).to.include("--old-vault");
    expect(process.exitCode).to.equal(before);
  });

  it("prints the exit codes in every task's --help", async () => {
    for (const task of ["corevault:redeploy", "cutover:verify", "cutover:scan-stale", "diamond:plan"]) {
      const help = await cli([task, "--help"]);
      expect(help.code, task).to.equal(0);
      expect(help.stdout.replace(/\s+/g, " "), task).to.include(EXIT_CODES_HELP);
    }
  });
});
