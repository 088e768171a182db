// Every --json output names its schema and version first, and the README documents each one.
import { readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import { JSON_SCHEMAS, schemaId } from "../../src/cli/json-output.js";
import { REHEARSAL_SCHEMA } from "../../src/rehearse/report.js";
import { conn, freshSystem, tempAppConfig } from "../helpers/system.js";
import { runJson } from "../helpers/tasks.js";

await tempAppConfig();

/** Every string under a key that names a file (`planFile`, `file`, `files.json`, …), with its key. */
function filePaths(value: unknown, key = ""): [string, string][] {
  if (typeof value === "string") return /(^|\.)files?\b|File$/.test(key) ? [[key, value]] : [];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) =>
    filePaths(v, Array.isArray(value) ? key : key.startsWith("files") ? `files.${k}` : k),
  );
}

describe("--json schemas", function () {
  this.timeout(180_000);

  it("every task's --json output starts with its schema id and names files relative to the project", async () => {
    await freshSystem({ markets: 3, seed: "json-schemas" });
    const [, , newAdmin] = await conn.ethers.getSigners();
    const snapshot = await runJson("corevault:snapshot");
    const outputs: [string, Record<string, unknown>][] = [
      ["snapshot", snapshot],
      ["plan", await runJson("corevault:redeploy", { rewire: true, planOnly: true })],
      ["rehearsal", await runJson("corevault:redeploy", { rewire: true, rehearse: true })],
      ["run", await runJson("corevault:redeploy", { rewire: true })],
      ["plan", await runJson("corevault:migrate-funds", { snapshot: snapshot.files.json, planOnly: true })],
      ["plan", await runJson("cutover:transfer-ownership", { to: newAdmin.address, allowEoa: true, planOnly: true })],
      ["verify", await runJson("cutover:verify", { skipSmoke: true })],
      ["status", await runJson("cutover:status")],
      ["status", await runJson("cutover:status", { markets: true })],
      ["roles", await runJson("corevault:roles")],
      [
        "scan-stale",
        await runJson("cutover:scan-stale", { root: await mkdtemp(path.join(tmpdir(), "cutover-json-")) }),
      ],
      ["inventory", await runJson("mocks:deploy-system", { markets: 2, users: 0, seed: "json-schemas-2" })],
    ];
    for (const [name, output] of outputs) {
      expect(Object.keys(output)[0], name).to.equal("schema");
      expect(output.schema, name).to.equal(
        name === "rehearsal" ? REHEARSAL_SCHEMA : schemaId(name as (typeof JSON_SCHEMAS)[number]),
      );
      for (const [key, file] of filePaths(output))
        expect(path.isAbsolute(file), `${name} ${key}: ${file}`).to.equal(false);
    }
    const names = (key: string) => outputs.flatMap(([, o]) => filePaths(o).filter(([k]) => k === key));
    for (const key of ["planFile", "markdownFile", "jsonFile", "htmlFile", "files.json"])
      expect(names(key), key).to.not.be.empty;
  });

  it("the README documents every schema", () => {
    const readme = readFileSync(path.join(hre.config.paths.root, "README.md"), "utf8");
    for (const name of JSON_SCHEMAS) expect(readme, name).to.include(`\`${schemaId(name)}\``);
    expect(readme).to.include(`\`${REHEARSAL_SCHEMA}\``);
  });
});
