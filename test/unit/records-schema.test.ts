import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { readSystemRecord, systemRecordPath } from "../../src/records/records.js";

async function recordFile(content: unknown): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), "cutover-schema-"));
  await mkdir(path.join(root, "deployments"), { recursive: true });
  await writeFile(systemRecordPath(root, "localhost"), JSON.stringify(content));
  return root;
}

const valid = {
  network: "localhost",
  chainId: 31337,
  contracts: { CORE_VAULT: "0x02" },
  markets: [{ marketId: "0x01", symbol: "BTC-USD", orderBook: "0x03" }],
  settlementOperators: ["0x04"],
  superseded: [{ CORE_VAULT: "0x01", runId: "0xplan", replacedBy: "0x02", at: "2025-01-01T00:00:00Z" }],
  supersededOrderBooks: [
    {
      marketId: "0x01",
      symbol: "BTC-USD",
      orderBook: "0x05",
      replacedBy: "0x03",
      runId: "0xplan",
      at: "2025-01-01T00:00:00Z",
    },
  ],
  importedBy: "a key no writer here knows",
};

describe("the system record's schema", () => {
  it("reads a record as its writers produce it, keeping keys it does not know", async () => {
    const record = await readSystemRecord(await recordFile(valid), "localhost");
    expect(record.superseded?.[0].CORE_VAULT).to.equal("0x01");
    expect(record.supersededOrderBooks?.[0].replacedBy).to.equal("0x03");
    expect(record.settlementOperators).to.deep.equal(["0x04"]);
    expect(record.importedBy).to.equal("a key no writer here knows");
  });

  it("refuses a field of the wrong shape, naming the file and the field", async () => {
    const root = await recordFile({ ...valid, superseded: [{ ...valid.superseded[0], runId: 7 }] });
    const error = await readSystemRecord(root, "localhost").then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message)
      .to.include(systemRecordPath(root, "localhost"))
      .and.include('"superseded[0].runId"')
      .and.include("Expected string");
  });

  it("reads the production protocol's own layout (no markets list): its one named market is the list", async () => {
    const own = {
      network: "localhost",
      chainId: 31337,
      timestamp: "2025-01-01T00:00:00Z",
      deployer: "0x06",
      contracts: { CORE_VAULT: "0x02", MOCK_USDC: "0x07", ALUMINUM_ORDERBOOK: "0x03", ALUMINUM_MARKET_ID: "0x01" },
      allUsers: [{ index: 0, address: "0x06", role: "deployer" }],
      aluminumMarket: { marketId: "0x01", symbol: "ALU-USD", orderBook: "0x03" },
    };
    const record = await readSystemRecord(await recordFile(own), "localhost");
    expect(record.markets).to.deep.equal([{ marketId: "0x01", symbol: "ALU-USD", orderBook: "0x03" }]);
    expect(record.contracts.MOCK_USDC).to.equal("0x07");
    const { aluminumMarket: _, ...noMarket } = own;
    expect((await readSystemRecord(await recordFile(noMarket), "localhost")).markets).to.deep.equal([]);
  });

  it("names a missing field", async () => {
    const { markets: _, ...noMarkets } = valid;
    const root = await recordFile(noMarkets);
    const error = await readSystemRecord(root, "localhost").then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).to.include('field "markets"').and.include("(missing)");
  });
});
