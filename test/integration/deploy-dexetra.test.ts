// `mocks:deploy-system --profile dexetra-v5` driven through the task on the in-process chain, checked with raw JSON-RPC
// reads (eth_call, eth_getStorageAt) that do not go through the plugin.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import { AbiCoder, Interface, id, keccak256, toBeHex, toUtf8Bytes, zeroPadValue } from "ethers";
import hre, { network } from "hardhat";
import { deployDexetraSystem } from "../../src/mocks/deploy-dexetra.js";
import { readDexetraRecord } from "../../src/records/dexetra-records.js";
import type { DeploymentRecord } from "../../src/records/records.js";
import { runTask, taskError } from "../helpers/tasks.js";

const root = hre.config.paths.root;
const conn = await network.getOrCreate();
const ORDERBOOK_SLOT = keccak256(toUtf8Bytes("hyperliquid.orderbook.storage.v1"));
const abi = AbiCoder.defaultAbiCoder();
const vaultIface = new Interface([
  "function marketToOrderBook(bytes32) view returns (address)",
  "function registeredOrderBooks(address) view returns (bool)",
  "function hasRole(bytes32, address) view returns (bool)",
  "function getUserPositions(address) view returns ((bytes32,int256,uint256,uint256,uint256,uint256,uint256)[])",
]);

/** A raw eth_call of `signature` on `to`, decoded. */
async function call(to: string, name: string, args: unknown[]) {
  const data = vaultIface.encodeFunctionData(name, args);
  const result = (await conn.provider.request({ method: "eth_call", params: [{ to, data }, "latest"] })) as string;
  return vaultIface.decodeFunctionResult(name, result)[0];
}

async function storageWord(address: string, slot: string): Promise<string> {
  return (await conn.provider.request({ method: "eth_getStorageAt", params: [address, slot, "latest"] })) as string;
}

async function readJson<T>(...segments: string[]): Promise<T> {
  return JSON.parse(await readFile(path.join(root, ...segments), "utf8")) as T;
}

describe("mocks:deploy-system --profile dexetra-v5", () => {
  it("deploys 5 markets and users through the factory; raw reads show every OrderBook wired to the vault", async () => {
    const printed = await runTask("mocks:deploy-system", {
      profile: "dexetra-v5",
      markets: 5,
      users: 4,
      seed: "dexetra-integration",
      json: true,
    });
    const inventory = JSON.parse(printed);
    const record = await readDexetraRecord(root, conn.networkName);
    const vault = record.contracts.CORE_VAULT;
    expect(record.chainId).to.equal(31337);
    expect(record).to.not.have.property("markets");
    expect(Object.keys(record.contracts)).to.include.members([
      "CORE_VAULT",
      "MOCK_USDC",
      "VAULT_ANALYTICS",
      "POSITION_MANAGER",
      "LIQUIDATION_MANAGER",
      "COLLATERAL_HUB",
      "FUTURES_MARKET_FACTORY",
      "ALUMINUM_ORDERBOOK",
      "ALUMINUM_MARKET_ID",
    ]);
    expect(record.aluminumMarket).to.deep.equal({
      marketId: record.contracts.ALUMINUM_MARKET_ID,
      symbol: "ALU-USD",
      orderBook: record.contracts.ALUMINUM_ORDERBOOK,
    });
    const traders = record.allUsers.filter((u) => u.role === "trader");
    expect(traders).to.have.length(4);
    expect(record.allUsers.map((u) => u.index)).to.deep.equal(record.allUsers.map((_, i) => i));

    // The markets, discovered as a user of the protocol would: the factory's FuturesMarketCreated events.
    const created = await conn.ethers.provider.getLogs({
      address: record.contracts.FUTURES_MARKET_FACTORY,
      topics: [id("FuturesMarketCreated(address,bytes32,string,address,uint256,string,uint256,uint256)")],
      fromBlock: 0,
    });
    expect(created).to.have.length(5);
    for (const log of created) {
      const orderBook = abi.decode(["address"], log.topics[1])[0] as string;
      const marketId = log.topics[2];
      expect(await storageWord(orderBook, ORDERBOOK_SLOT)).to.equal(zeroPadValue(vault, 32).toLowerCase());
      expect(await storageWord(orderBook, toBeHex(BigInt(ORDERBOOK_SLOT) + 1n, 32))).to.equal(marketId);
      expect(await call(vault, "marketToOrderBook", [marketId])).to.equal(orderBook);
      expect(await call(vault, "registeredOrderBooks", [orderBook])).to.equal(true);
      expect(await call(vault, "hasRole", [id("ORDERBOOK_ROLE"), orderBook])).to.equal(true);
      const file = await readJson<DeploymentRecord>(
        "deployments",
        conn.networkName,
        `OrderBook_${inventory.markets.find((m: { orderBook: string }) => m.orderBook === orderBook).symbol}.json`,
      );
      expect(file.address).to.equal(orderBook);
      expect(file.args[3]).to.equal(
        new Interface(["function obInitialize(address,bytes32,address)"]).encodeFunctionData("obInitialize", [
          vault,
          marketId,
          record.deployer,
        ]),
      );
    }
    for (const trader of traders) {
      expect((await call(vault, "getUserPositions", [trader.address])).length, trader.address).to.be.greaterThan(0);
    }
    expect(inventory.markets.every((m: { storedVault: string }) => m.storedVault === vault)).to.equal(true);

    const vaultFile = await readJson<DeploymentRecord>("deployments", conn.networkName, "CoreVault.json");
    expect(vaultFile.address).to.equal(vault);
    expect(vaultFile.libraries).to.deep.equal({
      DexetraVaultAnalytics: record.contracts.VAULT_ANALYTICS,
      DexetraPositionManager: record.contracts.POSITION_MANAGER,
    });
    expect(vaultFile.args).to.deep.equal([record.contracts.MOCK_USDC, record.deployer]);
    expect(vaultFile.deployedBytecode).to.equal(await conn.ethers.provider.getCode(vault));
    // The runbook's factory keeps its vault immutable: no vault() answers.
    await expect(
      conn.provider.request({
        method: "eth_call",
        params: [{ to: record.contracts.FUTURES_MARKET_FACTORY, data: id("vault()").slice(0, 10) }, "latest"],
      }),
    ).to.be.revert(conn.ethers);
  });

  it("--factory updatable deploys the later factory version whose public vault() is the vault", async () => {
    await runTask("mocks:deploy-system", {
      profile: "dexetra-v5",
      markets: 1,
      users: 0,
      factory: "updatable",
      json: true,
    });
    const record = await readDexetraRecord(root, conn.networkName);
    const result = (await conn.provider.request({
      method: "eth_call",
      params: [{ to: record.contracts.FUTURES_MARKET_FACTORY, data: id("vault()").slice(0, 10) }, "latest"],
    })) as string;
    expect(abi.decode(["address"], result)[0]).to.equal(record.contracts.CORE_VAULT);
  });

  it("is deterministic for a seed on a fresh chain: the same addresses, users and positions (market ids hash the block time)", async () => {
    const options = { markets: 3, users: 2, factory: "immutable" as const, seed: "dexetra-same" };
    const first = await deployDexetraSystem(hre, await network.create(), options);
    const second = await deployDexetraSystem(hre, await network.create(), options);
    const { ALUMINUM_MARKET_ID: _a, ...firstContracts } = first.record.contracts;
    const { ALUMINUM_MARKET_ID: _b, ...secondContracts } = second.record.contracts;
    expect(secondContracts).to.deep.equal(firstContracts);
    expect(second.record.allUsers).to.deep.equal(first.record.allUsers);
    expect(second.markets.map((m) => [m.symbol, m.orderBook])).to.deep.equal(
      first.markets.map((m) => [m.symbol, m.orderBook]),
    );
    const other = await deployDexetraSystem(hre, await network.create(), { ...options, seed: "dexetra-other" });
    expect(other.users).to.not.deep.equal(first.users);
  });

  it("refuses an unknown profile before sending anything", async () => {
    const blockBefore = await conn.ethers.provider.getBlockNumber();
    const error = await taskError("mocks:deploy-system", { profile: "dexetra-v4", json: true });
    expect(error.message).to.match(
      /Invalid --profile: "dexetra-v4"\. Fix: use --profile reference or --profile dexetra-v5/,
    );
    expect(await conn.ethers.provider.getBlockNumber()).to.equal(blockBefore);
  });
});
