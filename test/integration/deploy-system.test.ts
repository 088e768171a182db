// `mocks:deploy-system` driven through the task on the in-process chain.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import { AbiCoder } from "ethers";
import hre, { network } from "hardhat";
import { deploySystem } from "../../src/mocks/deploy-system.js";
import type { DeploymentRecord, SystemRecord } from "../../src/records/records.js";
import { contractAt } from "../helpers/contracts.js";
import { runTask, taskError } from "../helpers/tasks.js";

const root = hre.config.paths.root;

async function readJson<T>(...segments: string[]): Promise<T> {
  return JSON.parse(await readFile(path.join(root, ...segments), "utf8")) as T;
}

describe("mocks:deploy-system", () => {
  it("stands up the system through the factory and writes hardhat-deploy records and the aggregated record", async () => {
    const printed = await runTask("mocks:deploy-system", {
      markets: 3,
      users: 2,
      factory: "immutable",
      seed: "integration",
      json: true,
    });
    const inventory = JSON.parse(printed);
    const conn = await network.getOrCreate();
    const networkName = conn.networkName;
    const system = await readJson<SystemRecord>("deployments", `${networkName}-deployment.json`);

    expect(system.chainId).to.equal(31337);
    expect(Object.keys(system.contracts)).to.include.members([
      "USDC",
      "CORE_VAULT",
      "VAULT_ANALYTICS",
      "POSITION_MANAGER",
      "LIQUIDATION_MANAGER",
      "COLLATERAL_HUB",
      "FUTURES_MARKET_FACTORY",
    ]);
    expect(system.markets.map((m) => m.symbol)).to.deep.equal(["BTC-USD", "ETH-USD", "SOL-USD"]);
    expect(
      inventory.markets.every((m: { orderBookVault: string }) => m.orderBookVault === system.contracts.CORE_VAULT),
    ).to.equal(true);

    const vaultRecord = await readJson<DeploymentRecord>("deployments", networkName, "CoreVault.json");
    expect(vaultRecord.address).to.equal(system.contracts.CORE_VAULT);
    expect(vaultRecord.libraries).to.deep.equal({
      VaultAnalytics: system.contracts.VAULT_ANALYTICS,
      PositionManager: system.contracts.POSITION_MANAGER,
    });
    expect(vaultRecord.args).to.deep.equal([system.contracts.USDC, system.admin]);
    expect(vaultRecord.receipt.contractAddress).to.equal(system.contracts.CORE_VAULT);
    expect(vaultRecord.receipt.status).to.equal(1);
    expect(vaultRecord.deployedBytecode).to.equal(await conn.ethers.provider.getCode(system.contracts.CORE_VAULT));
    // linked the way hardhat-deploy v2 links: the library addresses as the records spell them (checksummed)
    expect(vaultRecord.bytecode).to.match(/^0x[0-9a-fA-F]+$/);
    expect(vaultRecord.bytecode).to.include(system.contracts.VAULT_ANALYTICS.slice(2));
    expect(vaultRecord.argsData).to.equal(
      AbiCoder.defaultAbiCoder().encode(["address", "address"], [system.contracts.USDC, system.admin]),
    );
    expect(vaultRecord.abi.length).to.be.greaterThan(20);
    const tx = await conn.ethers.provider.getTransaction(vaultRecord.transactionHash);
    expect(tx?.from).to.equal(system.admin);
    expect(await readFile(path.join(root, "deployments", networkName, ".chainId"), "utf8")).to.equal("31337");

    for (const market of system.markets) {
      const record = await readJson<DeploymentRecord>("deployments", networkName, `OrderBook_${market.symbol}.json`);
      expect(record.address).to.equal(market.orderBook);
    }

    const at = contractAt(conn.ethers.provider);
    const factory = await at("FuturesMarketFactoryImmutable", system.contracts.FUTURES_MARKET_FACTORY);
    expect(await factory.isVaultUpdatable()).to.equal(false);
    expect(await factory.vault()).to.equal(system.contracts.CORE_VAULT);
    const vault = await at("CoreVault", system.contracts.CORE_VAULT);
    for (const operator of system.settlementOperators as string[]) {
      expect(await vault.hasRole(await vault.SETTLEMENT_ROLE(), operator)).to.equal(true);
    }
    expect(inventory.users).to.have.length(2);
    for (const user of inventory.users) expect(user.openPositions).to.be.greaterThan(0);
  });

  it("is deterministic for a seed: two fresh chains get the same addresses, markets, users and prices", async () => {
    const options = { markets: 4, users: 2, factory: "updatable" as const, seed: "same-seed" };
    const first = await deploySystem(hre, await network.create(), options);
    const secondConn = await network.create();
    const second = await deploySystem(hre, secondConn, options);
    const strip = (s: SystemRecord) => ({ ...s, deployedAtBlock: undefined });
    expect(strip(second)).to.deep.equal(strip(first));
    const other = await deploySystem(hre, await network.create(), { ...options, seed: "other-seed" });
    expect(other.users).to.not.deep.equal(first.users);
  });

  it("refuses bad input by naming the option, the value and the fix, before sending anything", async () => {
    const conn = await network.getOrCreate();
    const blockBefore = await conn.ethers.provider.getBlockNumber();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ markets: 0 }, /Invalid --markets: 0\. Fix: give a whole number of markets from 1 to 5000/],
      [{ users: 1 }, /Invalid --users: 1\. Fix: .*counterparty/],
      [
        { factory: "upgradeable" },
        /Invalid --factory: "upgradeable"\. Fix: use --factory updatable or --factory immutable/,
      ],
      [{ seed: "" }, /Invalid --seed: ""/],
    ];
    for (const [args, message] of cases) {
      expect((await taskError("mocks:deploy-system", { json: true, ...args })).message).to.match(message);
    }
    expect(await conn.ethers.provider.getBlockNumber()).to.equal(blockBefore);
  });
});
