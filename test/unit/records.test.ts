import { mkdtemp, readFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { retireNetworkRecords, systemRecordPath, writeChainId, writeSystemRecord } from "../../src/records/records.js";

async function rootWithRecords(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), "cutover-records-"));
  await writeChainId(root, "localhost", 31337);
  await writeSystemRecord(root, {
    network: "localhost",
    chainId: 31337,
    contracts: { CORE_VAULT: "0x01" },
    markets: [],
  });
  return root;
}

describe("records", () => {
  it("moves a persistent chain's earlier records to deployments/.previous/ instead of deleting them", async () => {
    const root = await rootWithRecords();
    const destination = await retireNetworkRecords(root, "localhost", false);
    expect(destination).to.match(/deployments\/\.previous\/localhost-/);
    expect(await readdir(path.join(root, "deployments"))).to.deep.equal([".previous"]);
    const moved = JSON.parse(await readFile(path.join(destination!, "localhost-deployment.json"), "utf8"));
    expect(moved.contracts.CORE_VAULT).to.equal("0x01");
    expect(await readFile(path.join(destination!, "localhost", ".chainId"), "utf8")).to.equal("31337");
  });

  it("removes an in-process chain's records, which describe a chain that no longer exists", async () => {
    const root = await rootWithRecords();
    expect(await retireNetworkRecords(root, "localhost", true)).to.equal(null);
    expect(await readdir(path.join(root, "deployments"))).to.deep.equal([]);
  });

  it("does nothing where there are no records", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "cutover-records-"));
    expect(await retireNetworkRecords(root, "localhost", false)).to.equal(null);
    expect(systemRecordPath(root, "localhost")).to.equal(path.join(root, "deployments", "localhost-deployment.json"));
  });
});
