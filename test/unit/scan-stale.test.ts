import { expect } from "chai";
import { CutoverInputError } from "../../src/errors.js";
import { writeSystemRecord } from "../../src/records/records.js";
import { scanStale, supersededVaults } from "../../src/records/scan-stale.js";
import { fileTree } from "../helpers/files.js";

const OLD = "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9";
const OTHER = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

const tree = (files: Record<string, string | Buffer>) => fileTree("cutover-scan-", files);

describe("scanStale", () => {
  it("finds every occurrence in any letter case, with 1-based line and column and the trimmed line", async () => {
    const root = await tree({
      "app/config.ts": `// config\nexport const VAULT = "${OLD.toLowerCase()}";\n\n  const again = ["${OLD.toUpperCase().replace("0X", "0x")}", "${OLD}"];\r\n`,
      "README.md": `vault: ${OLD}\n`,
      "other.txt": `usdc: ${OTHER}\n`,
    });

    const found = await scanStale(root, [OLD]);

    expect(found).to.deep.equal([
      { file: "README.md", line: 1, column: 8, address: OLD, text: `vault: ${OLD}` },
      {
        file: "app/config.ts",
        line: 2,
        column: 23,
        address: OLD.toLowerCase(),
        text: `export const VAULT = "${OLD.toLowerCase()}";`,
      },
      {
        file: "app/config.ts",
        line: 4,
        column: 19,
        address: OLD.toUpperCase().replace("0X", "0x"),
        text: `const again = ["${OLD.toUpperCase().replace("0X", "0x")}", "${OLD}"];`,
      },
      {
        file: "app/config.ts",
        line: 4,
        column: 65,
        address: OLD,
        text: `const again = ["${OLD.toUpperCase().replace("0X", "0x")}", "${OLD}"];`,
      },
    ]);
  });

  it("looks for several addresses at once, in a deterministic order", async () => {
    const root = await tree({ "b.txt": `${OTHER}\n`, "a/z.txt": `${OLD}\n`, "a.txt": `${OTHER} ${OLD}\n` });

    const found = await scanStale(root, [OTHER, OLD.toLowerCase()]);

    expect(found.map((f) => `${f.file}:${f.line}:${f.column}`)).to.deep.equal([
      "a.txt:1:1",
      "a.txt:1:44",
      "a/z.txt:1:1",
      "b.txt:1:1",
    ]);
  });

  it("does not match inside a longer hex string", async () => {
    const hash = `${OLD}${"ab".repeat(12)}`;
    const root = await tree({ "tx.json": `{"hash": "${hash}", "data": "0xa9059cbb${OLD}"}\n"to": "${OLD}"\n` });

    expect((await scanStale(root, [OLD])).map((f) => `${f.line}:${f.column}`)).to.deep.equal(["2:8"]);
  });

  it("skips node_modules, .git, build output, archived records, journals, binary files and files over 2 MiB", async () => {
    const mention = `x = "${OLD}"\n`;
    const root = await tree({
      "src/app.js": mention,
      "node_modules/lib/index.js": mention,
      "packages/web/node_modules/lib/index.js": mention,
      ".git/config": mention,
      "artifacts/a.json": mention,
      "cache/c.json": mention,
      "dist/index.js": mention,
      ".tools/t.txt": mention,
      "deployments/.previous/localhost-1/localhost-deployment.json": mention,
      "deployments/localhost/.cutover/journal.jsonl": mention,
      "deployments/localhost/CoreVault.json": mention,
      "logo.png": Buffer.concat([Buffer.from(mention), Buffer.from([0, 1, 2])]),
      "big.log": mention + "#".repeat(2 * 1024 * 1024),
    });

    const found = await scanStale(root, [OLD]);

    expect(found.map((f) => f.file)).to.deep.equal(["deployments/localhost/CoreVault.json", "src/app.js"]);
    expect(
      (await scanStale(root, [OLD], { ignore: ["deployments/*/CoreVault.json"] })).map((f) => f.file),
    ).to.deep.equal(["src/app.js"]);
  });

  it("cuts the reported line to 160 characters", async () => {
    const root = await tree({ "min.js": `   var v="${OLD}";${"x".repeat(300)}   \n` });

    const [reference] = await scanStale(root, [OLD]);

    expect(reference.column).to.equal(11);
    expect(reference.text).to.have.length(160);
    expect(reference.text.startsWith(`var v="${OLD}"`)).to.equal(true);
  });

  it("refuses something that is not an address", async () => {
    const root = await tree({});
    let error: unknown;
    await scanStale(root, ["0x1234"]).catch((e) => (error = e));
    expect(error).to.be.instanceOf(CutoverInputError);
  });
});

describe("supersededVaults", () => {
  it("reads the CORE_VAULT of every superseded entry of the system record, oldest first", async () => {
    const root = await tree({});
    await writeSystemRecord(root, {
      network: "localhost",
      chainId: 31337,
      contracts: { CORE_VAULT: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0" },
      markets: [],
      superseded: [
        { CORE_VAULT: OLD, runId: "r1", replacedBy: OTHER, at: "2025-01-01T00:00:00Z" },
        {
          CORE_VAULT: OTHER,
          runId: "r2",
          replacedBy: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
          at: "2025-02-01T00:00:00Z",
        },
      ],
    });

    expect(await supersededVaults(root, "localhost")).to.deep.equal([OLD, OTHER]);
  });

  it("asks for --address when no cutover is recorded", async () => {
    const root = await tree({});
    await writeSystemRecord(root, {
      network: "localhost",
      chainId: 31337,
      contracts: { CORE_VAULT: OLD },
      markets: [],
    });
    let error: unknown;
    await supersededVaults(root, "localhost").catch((e) => (error = e));
    expect(error).to.be.instanceOf(CutoverInputError);
    expect((error as Error).message)
      .to.include("localhost-deployment.json")
      .and.include("--address");
  });
});
