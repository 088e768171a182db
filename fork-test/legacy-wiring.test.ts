// Fork suite: forks a chain holding a production-like system (CI's local `hardhat node`, or any FORK_URL) at a pinned
// block, in-process; reads the legacy wiring; sends transactions on the fork as the impersonated admin; and proves by
// reading the forked chain afterwards that none of it reached that chain.
import { readFile } from "node:fs/promises";
import { expect } from "chai";
import { Contract, JsonRpcProvider, keccak256, toUtf8Bytes } from "ethers";
import hre, { network } from "hardhat";
import { loadArtifact } from "../src/artifacts.js";
import type { SystemRecord } from "../src/records/records.js";
import { contractAt } from "../test/helpers/contracts.js";

const forkUrl = process.env.FORK_URL;
const recordPath = process.env.FORK_RECORD;
if (!forkUrl || !recordPath) {
  throw new Error(
    "The fork suite needs FORK_URL (the chain to fork) and FORK_RECORD (its <network>-deployment.json); run it via scripts/fork-suite.sh",
  );
}

const system = JSON.parse(await readFile(recordPath, "utf8")) as SystemRecord;
const upstream = new JsonRpcProvider(forkUrl, undefined, { staticNetwork: true });
const pinnedBlock = process.env.FORK_BLOCK ? Number(process.env.FORK_BLOCK) : await upstream.getBlockNumber();
const { ethers, networkHelpers } = await network.create({
  override: { forking: { url: forkUrl, blockNumber: pinnedBlock } },
});
const admin = system.admin as string;

const onFork = contractAt(ethers.provider);

describe(`fork of ${forkUrl} at block ${pinnedBlock}`, () => {
  it("forks at the pinned block", async () => {
    expect(await ethers.provider.getBlockNumber()).to.equal(pinnedBlock);
    expect(await ethers.provider.getCode(system.contracts.CORE_VAULT)).to.not.equal("0x");
  });

  it("reads the legacy wiring: every market's OrderBook points at the vault, is mapped and holds ORDERBOOK_ROLE", async () => {
    const vault = await onFork("CoreVault", system.contracts.CORE_VAULT);
    const orderBookRole = await vault.ORDERBOOK_ROLE();
    expect(system.markets.length).to.be.greaterThan(0);
    expect(await vault.registeredOrderBookCount()).to.equal(BigInt(system.markets.length));
    for (const market of system.markets) {
      const book = await onFork("OrderBookViewFacet", market.orderBook);
      expect(await book.vault(), `${market.symbol} vault()`).to.equal(system.contracts.CORE_VAULT);
      expect(await book.marketId(), `${market.symbol} marketId()`).to.equal(market.marketId);
      expect(await vault.marketToOrderBook(market.marketId), `${market.symbol} mapping`).to.equal(market.orderBook);
      expect(await vault.hasRole(orderBookRole, market.orderBook), `${market.symbol} ORDERBOOK_ROLE`).to.equal(true);
    }
  });

  it("reads the legacy roles: admin, factory, hub and settlement operators", async () => {
    const vault = await onFork("CoreVault", system.contracts.CORE_VAULT);
    expect(await vault.hasRole(await vault.DEFAULT_ADMIN_ROLE(), admin)).to.equal(true);
    expect(await vault.hasRole(await vault.FACTORY_ROLE(), system.contracts.FUTURES_MARKET_FACTORY)).to.equal(true);
    expect(await vault.hasRole(await vault.EXTERNAL_CREDITOR_ROLE(), system.contracts.COLLATERAL_HUB)).to.equal(true);
    for (const operator of system.settlementOperators as string[]) {
      expect(await vault.hasRole(await vault.SETTLEMENT_ROLE(), operator)).to.equal(true);
    }
    expect(await vault.getRoleAdmin(orderBookRoleId())).to.equal(await vault.FACTORY_ROLE());
    expect(await vault.liquidationManager()).to.equal(system.contracts.LIQUIDATION_MANAGER);
    const factory = await onFork("FuturesMarketFactory", system.contracts.FUTURES_MARKET_FACTORY);
    expect(await factory.vault()).to.equal(system.contracts.CORE_VAULT);
    const hub = await onFork("CollateralHub", system.contracts.COLLATERAL_HUB);
    expect(await hub.vault()).to.equal(system.contracts.CORE_VAULT);
  });

  it("sends transactions on the fork as the impersonated admin, and the forked chain does not change", async () => {
    await networkHelpers.impersonateAccount(admin);
    await networkHelpers.setBalance(admin, 10n ** 20n);
    const adminSigner = await ethers.getSigner(admin);
    const vault = (await onFork("CoreVault", system.contracts.CORE_VAULT)).connect(adminSigner) as Contract;
    const newcomer = "0x00000000000000000000000000000000c0ffee01";
    const settlementRole = await vault.SETTLEMENT_ROLE();
    const upstreamBlockBefore = await upstream.getBlockNumber();

    await (await vault.pause()).wait();
    await (await vault.grantRole(settlementRole, newcomer)).wait();
    await (await vault.setMmrParams(777, 10, 3_000, 1)).wait();
    expect(await vault.paused()).to.equal(true);
    expect(await vault.hasRole(settlementRole, newcomer)).to.equal(true);
    expect((await vault.mmrParams())[0]).to.equal(777n);
    expect(await ethers.provider.getBlockNumber()).to.equal(pinnedBlock + 3);

    const onUpstream = new Contract(system.contracts.CORE_VAULT, (await loadArtifact(hre, "CoreVault")).abi, upstream);
    expect(await upstream.getBlockNumber()).to.equal(upstreamBlockBefore);
    expect(await onUpstream.paused()).to.equal(false);
    expect(await onUpstream.hasRole(settlementRole, newcomer)).to.equal(false);
    expect((await onUpstream.mmrParams())[0]).to.not.equal(777n);
  });
});

function orderBookRoleId(): string {
  return keccak256(toUtf8Bytes("ORDERBOOK_ROLE"));
}
