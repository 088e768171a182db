// Every --json output names its schema and version first, and the README documents each one.
import { readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import { JSON_SCHEMAS, schemaId } from "../../src/cli/json-output.js";
import { REHEARSAL_SCHEMA } from "../../src/rehearse/report.js";
import { freshSystem, tempAppConfig } from "../helpers/system.js";
import { runJson } from "../helpers/tasks.js";

await tempAppConfig();

describe("--json schemas", function () {
  this.timeout(180_000);

  it("every task's --json output starts with its schema id", async () => {
    await freshSystem({ markets: 3, seed: "json-schemas" });
    const outputs: [string, Record<string, unknown>][] = [
      ["plan", await runJson("corevault:redeploy", { rewire: true, planOnly: true })],
      ["run", await runJson("corevault:redeploy", { rewire: true })],
      ["verify", await runJson("cutover:verify", { skipSmoke: true })],
      ["status", await runJson("cutover:status")],
      ["roles", await runJson("corevault:roles")],
      [
        "scan-stale",
        await runJson("cutover:scan-stale", { root: await mkdtemp(path.join(tmpdir(), "cutover-json-")) }),
      ],
      ["inventory", await runJson("mocks:deploy-system", { markets: 2, users: 0, seed: "json-schemas-2" })],
    ];
    for (const [name, output] of outputs) {
      expect(Object.keys(output)[0], name).to.equal("schema");
      expect(output.schema, name).to.equal(schemaId(name as (typeof JSON_SCHEMAS)[number]));
    }
  });

  it("the README documents every schema", () => {
    const readme = readFileSync(path.join(hre.config.paths.root, "README.md"), "utf8");
    for (const name of JSON_SCHEMAS) expect(readme, name).to.include(`\`${schemaId(name)}\``);
    expect(readme).to.include(`\`${REHEARSAL_SCHEMA}\``);
  });
});
