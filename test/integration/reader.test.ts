// The Reader on the in-process chain: Multicall3 batching (installed at the canonical address), chunking, revert
// semantics per call, and the plain-call fallback where Multicall3 is absent.
import { expect } from "chai";
import { Wallet } from "ethers";
import hre from "hardhat";
import { roleId } from "../../src/corevault/observe.js";
import { ContractCatalog } from "../../src/engine/contracts.js";
import { localMulticall3 } from "../../src/engine/local-chain.js";
import { MULTICALL3_ADDRESS, Reader, type ReadCall } from "../../src/engine/reader.js";
import type { SystemRecord } from "../../src/records/records.js";
import { conn, counting, freshSystem } from "../helpers/system.js";

const { ethers } = conn;
const catalog = new ContractCatalog(hre);

function reads(system: SystemRecord, count: number): ReadCall[] {
  const vault = system.contracts.CORE_VAULT;
  const out: ReadCall[] = [];
  for (let i = 0; out.length < count; i++) {
    const market = system.markets[i % system.markets.length];
    out.push(
      i % 2 === 0
        ? { to: vault, contract: "CoreVault", fn: "marketToOrderBook", args: [market.marketId] }
        : { to: vault, contract: "CoreVault", fn: "hasRole", args: [roleId("ORDERBOOK_ROLE"), market.orderBook] },
    );
  }
  return out;
}

describe("Reader", () => {
  let system: SystemRecord;

  before(async () => {
    system = await freshSystem({ markets: 20, seed: "reader" });
    expect(await localMulticall3(conn, catalog)).to.equal(true);
    expect(await ethers.provider.getCode(MULTICALL3_ADDRESS)).to.equal(
      (await catalog.artifact("Multicall3")).deployedBytecode,
    );
  });

  it("reads 4 000 calls in a handful of JSON-RPC requests, with the same results as plain calls", async () => {
    const block = await ethers.provider.getBlockNumber();
    const batch = reads(system, 4_000);
    const { result, methods } = await counting(() => new Reader(ethers.provider, catalog, block).callMany(batch));
    // Hardhat fills in `from` of the connection's first calls with its first account (eth_accounts, then cached)
    expect(methods.filter((m) => m !== "eth_call" && m !== "eth_accounts")).to.deep.equal([]);
    expect(methods.filter((m) => m === "eth_call").length).to.be.at.most(4);
    const sample = batch.slice(0, 40);
    const plain = await new Reader(ethers.provider, catalog, block, { batch: false }).callMany(sample);
    expect(result.slice(0, 40)).to.deep.equal(plain);
    expect(result[0]).to.equal(system.markets[0].orderBook);
    expect(result[1]).to.equal(true);
  });

  it("chunks by calldata size and still answers every read", async () => {
    const block = await ethers.provider.getBlockNumber();
    const batch = reads(system, 1_000);
    // every read sent, even the same read twice (no deduplication), to see the chunks
    const reader = new Reader(ethers.provider, catalog, block, { maxCalldataBytes: 50_000, dedupe: false });
    const { result, methods } = await counting(() => reader.callMany(batch));
    // 1 000 calls of 224-256 bytes each in chunks of at most 50 000 bytes
    expect(methods.length).to.be.within(5, 6);
    expect(result[998]).to.equal(system.markets[998 % 20].orderBook);
  });

  it("keeps tryCall semantics per call inside a batch: a revert, no code, or an unknown function give undefined", async () => {
    const block = await ethers.provider.getBlockNumber();
    const reader = new Reader(ethers.provider, catalog, block);
    const vault = system.contracts.CORE_VAULT;
    const eoa = Wallet.createRandom().address;
    const batch: ReadCall[] = [
      { to: vault, contract: "CoreVault", fn: "paused", args: [] },
      // a selector the vault does not have: reverts without data
      { to: vault, contract: "FuturesMarketFactory", fn: "isVaultUpdatable", args: [] },
      // no code: the call "succeeds" with nothing to decode
      { to: eoa, contract: "CoreVault", fn: "paused", args: [] },
      // a custom error
      { to: system.contracts.USDC, contract: "CoreVault", fn: "getPosition", args: [eoa, system.markets[0].marketId] },
      {
        to: system.contracts.FUTURES_MARKET_FACTORY,
        contract: "FuturesMarketFactory",
        fn: "isVaultUpdatable",
        args: [],
      },
    ];
    const { result, methods } = await counting(() => reader.tryCallMany(batch));
    expect(result).to.deep.equal([false, undefined, undefined, undefined, true]);
    // one batch, then the calls that failed without data asked again together (they might have been starved of gas)
    expect(methods.length).to.equal(2);
    // `call` throws with the decoded reason; side-by-side calls share one batch
    const [ok, bad, withdraw] = await Promise.allSettled([
      reader.call({
        to: vault,
        contract: "CoreVault",
        fn: "hasRole",
        args: [roleId("FACTORY_ROLE"), system.contracts.FUTURES_MARKET_FACTORY],
      }),
      reader.call({ to: system.contracts.USDC, contract: "CoreVault", fn: "paused", args: [] }),
      reader.call({ to: vault, contract: "CoreVault", fn: "withdraw", args: [0] }),
    ]);
    expect((withdraw as PromiseRejectedResult).reason.message).to.match(
      /CoreVault.withdraw at 0x[0-9a-fA-F]{40} reverted with custom error 'ZeroAmount\(\)'/,
    );
    expect(ok).to.deep.equal({ status: "fulfilled", value: true });
    expect(bad.status).to.equal("rejected");
    const failing = await reader.call({ to: vault, contract: "CoreVault", fn: "withdraw", args: [0] }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(failing?.message).to.match(/reverted with custom error 'ZeroAmount\(\)'/);
  });

  it("falls back to plain calls where Multicall3 has no code at the pinned block", async () => {
    const before = await ethers.provider.getBlockNumber();
    await conn.provider.request({ method: "hardhat_setCode", params: [MULTICALL3_ADDRESS, "0x"] });
    await conn.provider.request({ method: "hardhat_mine", params: ["0x1"] });
    try {
      const block = await ethers.provider.getBlockNumber();
      const reader = new Reader(ethers.provider, catalog, block, { dedupe: false });
      const batch = reads(system, 40);
      const { result, methods } = await counting(() => reader.callMany(batch));
      // one aggregate3 that found no code, then one eth_call per read
      expect(methods.length).to.equal(41);
      expect(reader.batching).to.equal(false);
      expect(result[0]).to.equal(system.markets[0].orderBook);
      expect(before).to.be.lessThan(block);
    } finally {
      await localMulticall3(conn, catalog);
    }
  });

  it("asks each distinct read once per pinned block, and an unanswered one again", async () => {
    const block = await ethers.provider.getBlockNumber();
    const reader = new Reader(ethers.provider, catalog, block);
    const batch = reads(system, 40);
    const first = await counting(() => reader.callMany(batch));
    const again = await counting(() => reader.callMany(batch));
    expect(first.methods.length).to.equal(1);
    expect(again.methods.length).to.equal(0);
    expect(again.result).to.deep.equal(first.result);
  });

  it("reads the code of many contracts in one request", async () => {
    const block = await ethers.provider.getBlockNumber();
    const reader = new Reader(ethers.provider, catalog, block);
    const addresses = [
      system.contracts.CORE_VAULT,
      system.contracts.USDC,
      system.contracts.DIAMOND_CUT_FACET,
      Wallet.createRandom().address,
    ];
    const { result, methods } = await counting(() => reader.codes(addresses));
    expect(methods).to.deep.equal(["eth_call"]);
    for (const address of addresses)
      expect(result[ethers.getAddress(address)]).to.equal(await ethers.provider.getCode(address));
  });
});
