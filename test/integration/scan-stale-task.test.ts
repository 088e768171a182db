// `cutover:scan-stale` driven through the task.
import path from "node:path";
import { expect } from "chai";
import { CutoverInputError } from "../../src/errors.js";
import { fileTree } from "../helpers/files.js";
import { withExitCode } from "../helpers/tasks.js";

const OLD = "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9";
const NEW = "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9";

/** Runs the task; returns what it printed on stdout and the exit code it set. */
const runScan = (args: Record<string, unknown>) => withExitCode("cutover:scan-stale", args);
const appTree = (files: Record<string, string>) => fileTree("cutover-scan-task-", files);

describe("cutover:scan-stale", () => {
  it("reports every stale reference as JSON and sets exit code 1", async () => {
    const root = await appTree({
      "config/contracts.js": `export const CONTRACTS = { CORE_VAULT: "${OLD.toLowerCase()}" };\n`,
      ".env.local": `# vault\nNEXT_PUBLIC_CORE_VAULT_ADDRESS=${OLD}\n`,
      "src/fresh.ts": `export const vault = "${NEW}";\n`,
      "node_modules/sdk/index.js": `"${OLD}"\n`,
    });

    const { printed, exitCode } = await runScan({ root, address: OLD.toLowerCase(), json: true });

    const report = JSON.parse(printed);
    expect(report.address).to.equal(OLD);
    expect(report.files).to.equal(2);
    expect(report.references).to.deep.equal([
      { file: ".env.local", line: 2, column: 32, address: OLD, text: `NEXT_PUBLIC_CORE_VAULT_ADDRESS=${OLD}` },
      {
        file: "config/contracts.js",
        line: 1,
        column: 41,
        address: OLD.toLowerCase(),
        text: `export const CONTRACTS = { CORE_VAULT: "${OLD.toLowerCase()}" };`,
      },
    ]);
    expect(exitCode).to.equal(1);
  });

  it("prints a table and a summary line, and leaves the exit code at 0 when nothing is stale", async () => {
    const stale = await appTree({ "app.js": `const v = "${OLD}";\n` });
    const table = await runScan({ root: stale, address: OLD, json: false });
    expect(table.printed).to.match(/^file:line:column\s+text\n-+/);
    expect(table.printed.split("\n")[2]).to.match(new RegExp(`^app\\.js:1:12 +const v = "${OLD}";$`));
    expect(table.printed.split("\n").at(-1)).to.equal(`1 file still references ${OLD}`);
    expect(table.exitCode).to.equal(1);

    const clean = await appTree({ "app.js": `const v = "${NEW}";\n` });
    const summary = await runScan({ root: clean, address: OLD, json: false });
    expect(summary.printed).to.equal(`0 files still reference ${OLD}`);
    expect(summary.exitCode).to.equal(0);
  });

  it("refuses a bad --address or --root before scanning", async () => {
    const root = await appTree({});
    const failure = (args: Record<string, unknown>) =>
      runScan(args).then(
        () => null,
        (e: unknown) => e,
      );

    const badAddress = await failure({ root, address: "0xnot-an-address", json: true });
    expect(badAddress).to.be.instanceOf(CutoverInputError);
    expect((badAddress as Error).message)
      .to.include("--address")
      .and.include("0xnot-an-address");

    const missingRoot = path.join(root, "missing");
    const badRoot = await failure({ root: missingRoot, address: OLD, json: true });
    expect(badRoot).to.be.instanceOf(CutoverInputError);
    expect((badRoot as Error).message)
      .to.include("--root")
      .and.include(missingRoot);
  });
});
