// Protocol profiles driven through `corevault:redeploy` on the in-process chain: the reference mock read and written
// through profile entries a user overrides in config (no enumerator getters, no multicall), the facts a chain does not
// reveal named before anything is sent, and the new vault's artifact explicit.
import { rm } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import { Contract, getAddress, id } from "ethers";
import hre from "hardhat";
import { roleId } from "../../src/corevault/observe.js";
import type { ProtocolUserConfig } from "../../src/profile/schema.js";
import { systemRecordPath, type SystemRecord } from "../../src/records/records.js";
import { contractAt } from "../helpers/contracts.js";
import { conn, freshSystem, nonce, tempAppConfig } from "../helpers/system.js";
import { runJson, taskError, withExitCode } from "../helpers/tasks.js";
import { withProtocol } from "../helpers/protocol.js";

const { ethers } = conn;
const root = hre.config.paths.root;
const tmp = await tempAppConfig("cutover-profiles-");
const at = contractAt(ethers.provider);

/** The reference mock as a protocol without enumerators or multicall: OrderBooks and markets come from its events. */
const WITHOUT_ENUMERATORS: ProtocolUserConfig = {
  profile: "reference",
  vault: {
    batching: "none",
    orderBooks: {
      isRegistered: "function isRegisteredOrderBook(address orderBook) view returns (bool)",
      register: { signature: "function registerOrderBook(address orderBook)" },
    },
    markets: {
      orderBookOf: "function marketToOrderBook(bytes32 marketId) view returns (address)",
      assign: { signature: "function assignMarketToOrderBook(bytes32 marketId, address orderBook)" },
    },
  },
  discovery: {
    // a small chunk, so the scan takes several eth_getLogs ranges
    logChunk: 7,
    events: [
      {
        on: "vault",
        event: "event MarketAssigned(bytes32 indexed marketId, address indexed orderBook, address previousOrderBook)",
        marketId: "marketId",
        orderBook: "orderBook",
      },
      {
        on: "vault",
        event: "event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)",
        orderBook: "account",
        where: { role: "keccak256:ORDERBOOK_ROLE" },
      },
    ],
  },
};

/** A fresh mock system whose records are gone: nothing but the chain says which OrderBooks and markets it has. */
async function systemWithoutRecords(seed: string): Promise<SystemRecord> {
  const system = await freshSystem({ markets: 5, users: 0, seed });
  await rm(systemRecordPath(root, conn.networkName));
  return system;
}

describe("protocol profiles (corevault:redeploy)", () => {
  it("discovers OrderBooks and markets from events when the vault has no enumerators, and sends each call alone", async () => {
    const old = await systemWithoutRecords("profiles-events");
    const oldVault = old.contracts.CORE_VAULT;
    const outcome = await withProtocol(WITHOUT_ENUMERATORS, () => runJson("corevault:redeploy", { oldVault }));
    expect(outcome.complete).to.equal(true);
    const vault = await at("CoreVault", outcome.deployed.CoreVault);
    for (const market of old.markets) {
      expect(await vault.marketToOrderBook(market.marketId), market.symbol).to.equal(market.orderBook);
      expect(await vault.hasRole(roleId("ORDERBOOK_ROLE"), market.orderBook)).to.equal(true);
    }
    expect(await vault.getRegisteredOrderBooks()).to.have.members(old.markets.map((m) => m.orderBook));
    // batching "none": one transaction per call (5 registrations, 5 assignments, 5 grants among them)
    const marketSteps = outcome.results.filter((r: { id: string }) => r.id.startsWith("markets:"));
    expect(marketSteps).to.have.length(15);
    const before = await nonce();
    const rerun = await withProtocol(WITHOUT_ENUMERATORS, () => runJson("corevault:redeploy", { oldVault }));
    expect(rerun.complete).to.equal(true);
    expect(await nonce()).to.equal(before);
  });

  it("names the flag or config key for a fact the chain does not reveal, before anything is sent", async () => {
    const old = await systemWithoutRecords("profiles-supply");
    const oldVault = old.contracts.CORE_VAULT;
    const hidden: ProtocolUserConfig = { profile: "reference", vault: { collateral: [{ supply: "--collateral" }] } };
    const before = await nonce();
    const error = await withProtocol(hidden, () => taskError("corevault:redeploy", { oldVault, json: true }));
    expect(error.message).to.match(/Invalid cutover\.protocol\.vault\.collateral \(profile reference\)/);
    expect(error.message).to.include("supply it with --collateral");
    expect(await nonce()).to.equal(before);
    const plan = await withProtocol(hidden, () =>
      runJson("corevault:redeploy", { oldVault, collateral: old.contracts.USDC, planOnly: true }),
    );
    expect(plan.plan.facts["oldVault.collateral"]).to.equal(old.contracts.USDC.toLowerCase());
  });

  it("the new vault's artifact is explicit: a missing one is an input error naming the config key", async () => {
    const old = await systemWithoutRecords("profiles-artifact");
    const before = await nonce();
    const error = await withProtocol({ vault: { artifact: "NoSuchCoreVault" } }, () =>
      taskError("corevault:redeploy", { oldVault: old.contracts.CORE_VAULT, json: true }),
    );
    expect(error.message).to.match(/Invalid cutover\.protocol\.vault\.artifact: "NoSuchCoreVault"/);
    expect(await nonce()).to.equal(before);
  });

  it("the dexetra-v5 profile refuses the reference mock's vault by what it does not answer", async () => {
    const old = await systemWithoutRecords("profiles-dexetra");
    const error = await withProtocol({ profile: "dexetra-v5" }, () =>
      taskError("corevault:redeploy", { oldVault: old.contracts.CORE_VAULT, json: true }),
    );
    expect(error.message).to.match(
      /does not answer CoreVault calls \(registeredOrderBooks\) of the dexetra-v5 profile/,
    );
  });
});

describe("corevault:redeploy --halt-old", () => {
  it("revokes ORDERBOOK_ROLE from every OrderBook on the old vault, with the role's admin; a rerun sends nothing", async () => {
    const old = await freshSystem({ markets: 3, users: 0, seed: "profiles-halt" });
    const [deployer] = await ethers.getSigners();
    const oldVault = (await at("CoreVault", old.contracts.CORE_VAULT)).connect(deployer) as Awaited<
      ReturnType<typeof at>
    >;
    // on the mock, FACTORY_ROLE administers ORDERBOOK_ROLE: without it the signer cannot halt, and is told so
    if (await oldVault.hasRole(roleId("FACTORY_ROLE"), deployer.address))
      await (await oldVault.renounceRole(roleId("FACTORY_ROLE"), deployer.address)).wait();
    const before = await nonce();
    const refused = await taskError("corevault:redeploy", { haltOld: true, json: true });
    expect(refused.message).to.match(
      /Invalid --halt-old: true\. Fix: revoking ORDERBOOK_ROLE .* needs its admin role FACTORY_ROLE/,
    );
    expect(await nonce()).to.equal(before);

    await (await oldVault.grantRole(roleId("FACTORY_ROLE"), deployer.address)).wait();
    const outcome = await runJson("corevault:redeploy", { haltOld: true, rewire: true, replan: true });
    expect(outcome.complete).to.equal(true);
    expect(outcome.results.map((r: { id: string }) => r.id)).to.include("halt-old-vault");
    const vault = await at("CoreVault", outcome.deployed.CoreVault);
    for (const market of old.markets) {
      expect(await oldVault.hasRole(roleId("ORDERBOOK_ROLE"), market.orderBook)).to.equal(false);
      expect(await vault.hasRole(roleId("ORDERBOOK_ROLE"), market.orderBook)).to.equal(true);
    }
    const after = await nonce();
    const rerun = await runJson("corevault:redeploy", { haltOld: true, rewire: true });
    expect(rerun.complete).to.equal(true);
    expect(await nonce()).to.equal(after);
  });
});

describe("rewire by storage (profile orderBook.rewire.storage)", () => {
  // The mock's OrderBook storage root (LibOrderBook.STORAGE_SLOT): word 0 packs the vault with `initialized` after it.
  const MOCK_SLOT = "0x485bbcdf5044495be4fff67df8d4e80f4b4be9def8e97209f7f06c9d41800600";
  const BY_STORAGE: ProtocolUserConfig = { orderBook: { rewire: { storage: { slot: MOCK_SLOT, word: 0 } } } };

  it("moves every OrderBook with one empty diamondCut whose init writes the slot; nothing stays installed", async () => {
    const old = await freshSystem({ markets: 3, users: 0, seed: "profiles-storage" });
    const loupe = async (book: string) => [...(await (await at("DiamondLoupeFacet", book)).facetAddresses())];
    const facetsBefore = await Promise.all(old.markets.map((m) => loupe(m.orderBook)));
    const wordsBefore = await Promise.all(old.markets.map((m) => ethers.provider.getStorage(m.orderBook, MOCK_SLOT)));
    const admin = (await ethers.getSigners())[5].address;
    const outcome = await withProtocol(BY_STORAGE, () =>
      runJson("corevault:redeploy", { rewire: true, admin, allowEoa: true }),
    );
    expect(outcome.complete).to.equal(true);
    const newVault: string = outcome.deployed.CoreVault;
    for (const [i, market] of old.markets.entries()) {
      // raw reads, not through the plugin: the word's low 20 bytes are the new vault, its upper bytes are kept
      const word = await ethers.provider.getStorage(market.orderBook, MOCK_SLOT);
      expect(getAddress(`0x${word.slice(26)}`)).to.equal(newVault);
      expect(word.slice(0, 26)).to.equal(wordsBefore[i].slice(0, 26));
      const view = await at("OrderBookViewFacet", market.orderBook);
      expect(await view.vault()).to.equal(newVault);
      expect(await view.marketId()).to.equal(market.marketId);
      expect(await loupe(market.orderBook)).to.deep.equal(facetsBefore[i]);
    }
    const init = outcome.deployed.VaultSlotInit as string;
    const direct = new Contract(init, ["function writeAddress(bytes32,address)"], ethers.provider);
    // called directly (not delegatecalled by a diamond), the init refuses: it never writes its own storage
    const refused = await direct.writeAddress.staticCall(MOCK_SLOT, newVault).then(
      () => undefined,
      (error: { data?: string }) => error,
    );
    expect(refused?.data).to.equal(id("DirectCall()").slice(0, 10));
    const before = await nonce();
    const rerun = await withProtocol(BY_STORAGE, () =>
      runJson("corevault:redeploy", { rewire: true, admin, allowEoa: true }),
    );
    expect(rerun.complete).to.equal(true);
    expect(await nonce()).to.equal(before);
    // cutover:verify, through the same profile, passes: the vault read is the profile's, nothing else is expected
    const { printed, exitCode } = await withProtocol(BY_STORAGE, () =>
      withExitCode("cutover:verify", { json: true, skipSmoke: true, reportDir: path.join(tmp, "report") }),
    );
    const report = JSON.parse(printed) as { checks: { name: string; status: string; evidence: string }[] };
    expect(report.checks.filter((c) => c.status === "fail")).to.deep.equal([]);
    expect(exitCode).to.equal(0);
  });
});
