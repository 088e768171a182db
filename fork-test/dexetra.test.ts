// Fork suite on the production shape: the same scenarios as legacy-wiring.test.ts and rehearse.test.ts, against a chain
// holding a Dexetra v5 system (CI's local `hardhat node` with the stand-in, or any FORK_URL with DEXETRA_FORK_RECORD,
// its `<network>-deployment.json` in the protocol's own layout). The OrderBooks are found from the factory's events,
// as the records name only one market; everything is read with raw ABI fragments, not through the plugin.
import { cp, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { AbiCoder, Contract, JsonRpcProvider, getAddress, id, keccak256, toUtf8Bytes, ZeroHash } from "ethers";
import hre, { network } from "hardhat";
import { readDexetraRecord } from "../src/records/dexetra-records.js";
import type { Rehearsal } from "../src/rehearse/report.js";
import { standInProtocol } from "../test/helpers/dexetra.js";
import { runtimeOn } from "../test/helpers/node.js";
import { withExitCode } from "../test/helpers/tasks.js";

const forkUrl = process.env.FORK_URL;
const recordPath = process.env.DEXETRA_FORK_RECORD;
if (!forkUrl || !recordPath) {
  throw new Error(
    "The dexetra-v5 fork suite needs FORK_URL and DEXETRA_FORK_RECORD (the chain's <network>-deployment.json in Dexetra's layout); run it via scripts/fork-suite.sh",
  );
}

const root = hre.config.paths.root;
// The rehearsal runs in this process against FORK_URL as network NETWORK, whose records are read from deployments/
// (a record names its network, and the records are written back under that name).
const NETWORK = "dexetrafork";
// The per-contract records beside it (deployments/<its network>/: the facets cutover:verify knows) come along.
const given = JSON.parse(await readFile(recordPath, "utf8")) as { network: string };
const folder = path.join(path.dirname(recordPath), given.network);
if (existsSync(folder) && path.resolve(folder) !== path.join(root, "deployments", NETWORK))
  await cp(folder, path.join(root, "deployments", NETWORK), { recursive: true });
await writeFile(
  path.join(root, "deployments", `${NETWORK}-deployment.json`),
  JSON.stringify({ ...given, network: NETWORK }),
);
const record = await readDexetraRecord(root, NETWORK);
const c = record.contracts;
const deployer = getAddress(record.deployer);
const upstream = new JsonRpcProvider(forkUrl, undefined, { staticNetwork: true });
const pinnedBlock = process.env.FORK_BLOCK ? Number(process.env.FORK_BLOCK) : await upstream.getBlockNumber();
const { ethers, networkHelpers } = await network.create({
  override: { forking: { url: forkUrl, blockNumber: pinnedBlock } },
});
const ORDERBOOK_SLOT = keccak256(toUtf8Bytes("hyperliquid.orderbook.storage.v1"));
const vaultAbi = [
  "function hasRole(bytes32, address) view returns (bool)",
  "function getRoleAdmin(bytes32) view returns (bytes32)",
  "function grantRole(bytes32, address)",
  "function marketToOrderBook(bytes32) view returns (address)",
  "function registeredOrderBooks(address) view returns (bool)",
  "function paused() view returns (bool)",
  "function pause()",
  "function baseMmrBps() view returns (uint256)",
  "function setMmrParams(uint256 base, uint256 penalty, uint256 max, uint256 slope, uint256 depth)",
];
const vault = new Contract(c.CORE_VAULT, vaultAbi, ethers.provider);
const role = (name: string) => id(name);

/** The markets the factory created (its FuturesMarketCreated events): OrderBook and market id. */
async function markets(): Promise<{ orderBook: string; marketId: string }[]> {
  const logs = await upstream.getLogs({
    address: c.FUTURES_MARKET_FACTORY,
    topics: [id("FuturesMarketCreated(address,bytes32,string,address,uint256,string,uint256,uint256)")],
    fromBlock: 0,
    toBlock: pinnedBlock,
  });
  return logs.map((log) => ({ orderBook: getAddress(`0x${log.topics[1].slice(26)}`), marketId: log.topics[2] }));
}

describe(`dexetra-v5: fork of ${forkUrl} at block ${pinnedBlock}`, () => {
  afterEach(() => {
    process.exitCode = 0;
  });
  after(async () => {
    await rm(path.join(root, "deployments", NETWORK), { recursive: true, force: true });
    await rm(path.join(root, "deployments", `${NETWORK}-deployment.json`), { force: true });
  });

  it("forks at the pinned block", async () => {
    expect(await ethers.provider.getBlockNumber()).to.equal(pinnedBlock);
    expect(await ethers.provider.getCode(c.CORE_VAULT)).to.not.equal("0x");
  });

  it("reads the legacy wiring: every market's OrderBook stores the vault, is mapped, registered and holds ORDERBOOK_ROLE", async () => {
    const found = await markets();
    expect(found.length).to.be.greaterThan(0);
    const view = ["function marketStatic() view returns (address, bytes32, bool, uint256)"];
    for (const { orderBook, marketId } of found) {
      const [bookVault, bookMarket] = await new Contract(orderBook, view, ethers.provider).marketStatic();
      expect(bookVault, `${orderBook} marketStatic().vault`).to.equal(c.CORE_VAULT);
      expect(bookMarket, `${orderBook} marketStatic().marketId`).to.equal(marketId);
      const word = await ethers.provider.getStorage(orderBook, ORDERBOOK_SLOT);
      expect(getAddress(AbiCoder.defaultAbiCoder().decode(["address"], word)[0])).to.equal(c.CORE_VAULT);
      expect(await vault.marketToOrderBook(marketId), `${orderBook} mapping`).to.equal(orderBook);
      expect(await vault.registeredOrderBooks(orderBook), `${orderBook} registered`).to.equal(true);
      expect(await vault.hasRole(role("ORDERBOOK_ROLE"), orderBook), `${orderBook} ORDERBOOK_ROLE`).to.equal(true);
    }
    expect(found.map((m) => m.orderBook)).to.include(getAddress(record.aluminumMarket!.orderBook));
  });

  it("reads the legacy roles: admin, factory, hub; every role's admin is DEFAULT_ADMIN_ROLE; hub and factory point at the vault", async () => {
    expect(await vault.hasRole(ZeroHash, deployer)).to.equal(true);
    expect(await vault.hasRole(role("FACTORY_ROLE"), c.FUTURES_MARKET_FACTORY)).to.equal(true);
    expect(await vault.hasRole(role("EXTERNAL_CREDITOR_ROLE"), c.COLLATERAL_HUB)).to.equal(true);
    for (const name of ["ORDERBOOK_ROLE", "SETTLEMENT_ROLE", "FACTORY_ROLE", "EXTERNAL_CREDITOR_ROLE"])
      expect(await vault.getRoleAdmin(role(name)), name).to.equal(ZeroHash);
    const hub = new Contract(c.COLLATERAL_HUB, ["function coreVault() view returns (address)"], ethers.provider);
    expect(await hub.coreVault()).to.equal(c.CORE_VAULT);
    // the runbook's factory keeps the vault in an immutable, without a getter: it is in the runtime code
    const code = await ethers.provider.getCode(c.FUTURES_MARKET_FACTORY);
    expect(code.toLowerCase()).to.include(c.CORE_VAULT.slice(2).toLowerCase());
  });

  it("sends transactions on the fork as the impersonated admin, and the forked chain does not change", async () => {
    await networkHelpers.impersonateAccount(deployer);
    await networkHelpers.setBalance(deployer, 10n ** 20n);
    const asAdmin = vault.connect(await ethers.getSigner(deployer)) as Contract;
    const newcomer = "0x00000000000000000000000000000000c0ffee01";
    const upstreamBlockBefore = await upstream.getBlockNumber();
    const forkBlock = await ethers.provider.getBlockNumber();

    await (await asAdmin.pause()).wait();
    await (await asAdmin.grantRole(role("SETTLEMENT_ROLE"), newcomer)).wait();
    await (await asAdmin.setMmrParams(777, 10, 3_000, 1, 5)).wait();
    expect(await vault.paused()).to.equal(true);
    expect(await vault.hasRole(role("SETTLEMENT_ROLE"), newcomer)).to.equal(true);
    expect(await vault.baseMmrBps()).to.equal(777n);
    expect(await ethers.provider.getBlockNumber()).to.equal(forkBlock + 3);

    const onUpstream = new Contract(c.CORE_VAULT, vaultAbi, upstream);
    expect(await upstream.getBlockNumber()).to.equal(upstreamBlockBefore);
    expect(await onUpstream.paused()).to.equal(false);
    expect(await onUpstream.hasRole(role("SETTLEMENT_ROLE"), newcomer)).to.equal(false);
    expect(await onUpstream.baseMmrBps()).to.not.equal(777n);
  });

  it("corevault:redeploy --rewire --halt-old --admin <other> --rehearse --with-rollback passes on an in-process fork through the dexetra-v5 profile; the chain's block and the admin's nonce are unchanged", async () => {
    const before = [await upstream.getBlockNumber(), await upstream.getTransactionCount(deployer)];
    const runtime = await runtimeOn(forkUrl, NETWORK, { protocol: standInProtocol(deployer) });
    const admin = (await ethers.getSigners())[5].address;
    const args = {
      oldVault: c.CORE_VAULT,
      rewire: true,
      haltOld: true,
      admin,
      allowEoa: true,
      rehearse: true,
      withRollback: true,
      json: true,
    };
    const { printed, exitCode } = await withExitCode("corevault:redeploy", args, runtime);
    const rehearsal = JSON.parse(printed) as Rehearsal;
    expect(
      rehearsal.passed,
      JSON.stringify({
        problems: rehearsal.problems,
        phases: rehearsal.phases.map((p) => [p.task, p.passed, p.results.filter((r) => r.status !== "done")]),
      }),
    ).to.equal(true);
    expect(exitCode).to.equal(0);
    expect(rehearsal.where).to.include("in-process fork");
    // the storage rewire: one diamondCut([], init, data) per OrderBook
    const count = (await markets()).length;
    expect(rehearsal.diff.events.filter((e) => e.event === "DiamondCut")).to.have.length(count);
    expect(rehearsal.verify).to.include({ ran: true, failed: 0 });
    expect(rehearsal.diff.storage.length).to.be.greaterThan(0);
    expect(rehearsal.phases.map((p) => p.task)).to.deep.equal(["corevault:redeploy", "rollback of corevault:redeploy"]);
    // the rollback writes each OrderBook's old vault back with the same init, repoints the hub, gives the roles back
    const undone = rehearsal.phases[1].results.map((r) => r.label);
    expect(undone.filter((l) => l.includes(": diamondCut("))).to.have.length(count);
    expect(undone.filter((l) => l.includes(`setCoreVaultParams(${c.CORE_VAULT.toLowerCase()}`))).to.have.length(1);
    expect(undone.filter((l) => l.includes(": grantRole("))).to.have.length(count);
    expect(rehearsal.remaining!.changes.filter((ch) => !ch.contract.startsWith("<new "))).to.deep.equal([]);
    expect([await upstream.getBlockNumber(), await upstream.getTransactionCount(deployer)]).to.deep.equal(before);
  });
});
