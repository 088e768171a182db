// The production shape end to end: the Dexetra v5 stand-in deployed by `mocks:deploy-system --profile dexetra-v5`,
// then `corevault:redeploy --rewire --halt-old` through the dexetra-v5 profile, checked with raw JSON-RPC reads.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import { AbiCoder, Contract, Interface, getAddress, id, keccak256, toUtf8Bytes } from "ethers";
import hre from "hardhat";
import type { ProtocolUserConfig } from "../../src/profile/schema.js";
import { readDexetraRecord } from "../../src/records/dexetra-records.js";
import { standInProtocol } from "../helpers/dexetra.js";
import { conn, nonce, tempAppConfig } from "../helpers/system.js";
import { runJson, runTask, withExitCode } from "../helpers/tasks.js";
import { withProtocol } from "../helpers/protocol.js";

const root = hre.config.paths.root;
const tmp = await tempAppConfig("cutover-dexetra-e2e-");
const ORDERBOOK_SLOT = keccak256(toUtf8Bytes("hyperliquid.orderbook.storage.v1"));
const ORDERBOOK_ROLE = id("ORDERBOOK_ROLE");
const DEFAULT_ADMIN = `0x${"00".repeat(32)}`;
const raw = new Interface([
  "function hasRole(bytes32, address) view returns (bool)",
  "function coreVault() view returns (address)",
  "function marketToOrderBook(bytes32) view returns (address)",
  "function registeredOrderBooks(address) view returns (bool)",
  "function marketStatic() view returns (address vault, bytes32 marketId, bool useVWAP, uint256 vwapWindow)",
]);

async function call(to: string, name: string, args: unknown[] = []) {
  const data = raw.encodeFunctionData(name, args);
  const result = (await conn.provider.request({ method: "eth_call", params: [{ to, data }, "latest"] })) as string;
  const decoded = raw.decodeFunctionResult(name, result);
  return decoded.length === 1 ? decoded[0] : decoded;
}

async function storedVault(orderBook: string): Promise<string> {
  const word = (await conn.provider.request({
    method: "eth_getStorageAt",
    params: [orderBook, ORDERBOOK_SLOT, "latest"],
  })) as string;
  return getAddress(AbiCoder.defaultAbiCoder().decode(["address"], word)[0]);
}

describe("dexetra-v5 end to end (stand-in, in-process chain)", () => {
  afterEach(() => {
    process.exitCode = 0;
  });

  it("redeploys with --rewire --halt-old --admin; a rerun sends nothing; raw reads agree with status and roles", async () => {
    await runTask("mocks:deploy-system", {
      profile: "dexetra-v5",
      markets: 5,
      users: 2,
      seed: "dexetra-e2e",
      json: true,
    });
    const record = await readDexetraRecord(root, conn.networkName);
    const oldVault = getAddress(record.contracts.CORE_VAULT);
    const hub = record.contracts.COLLATERAL_HUB;
    const signers = await conn.ethers.getSigners();
    const admin = signers[5].address;
    const protocol = standInProtocol(signers[0].address);
    // the records name one market: the OrderBooks are those the old vault maps its markets to (factory events, raw)
    const factoryEvents = await conn.ethers.provider.getLogs({
      address: record.contracts.FUTURES_MARKET_FACTORY,
      topics: [id("FuturesMarketCreated(address,bytes32,string,address,uint256,string,uint256,uint256)")],
      fromBlock: 0,
    });
    const markets = factoryEvents.map((log) => ({
      orderBook: getAddress(`0x${log.topics[1].slice(26)}`),
      marketId: log.topics[2],
    }));
    expect(markets).to.have.length(5);
    for (const m of markets) expect(await call(oldVault, "marketToOrderBook", [m.marketId])).to.equal(m.orderBook);

    const outcome = await withProtocol(protocol, () =>
      runJson("corevault:redeploy", { rewire: true, haltOld: true, admin, allowEoa: true }),
    );
    expect(
      outcome.complete,
      JSON.stringify(outcome.results.filter((r: { status: string }) => r.status === "failed")),
    ).to.equal(true);
    const newVault = getAddress(outcome.deployed.CoreVault);
    const ids = outcome.results.map((r: { id: string }) => r.id);
    expect(ids).to.include.members(["configure:liquidation-manager", "repoint:hub", "handoff:admin"]);
    expect(ids.filter((i: string) => i.startsWith("halt-old-vault"))).to.have.length(5);

    // a rerun sends nothing: not even the liquidation manager's setter, which has no getter to check it by
    const before = await nonce();
    const rerun = await withProtocol(protocol, () =>
      runJson("corevault:redeploy", { rewire: true, haltOld: true, admin, allowEoa: true }),
    );
    expect(rerun.complete).to.equal(true);
    expect(rerun.transactionsSent ?? 0).to.equal(0);
    expect(await nonce()).to.equal(before);
    expect(await nonce(admin)).to.equal(0);

    // raw reads, not through the plugin
    for (const m of markets) {
      expect(await storedVault(m.orderBook), m.orderBook).to.equal(newVault);
      expect(await call(oldVault, "hasRole", [ORDERBOOK_ROLE, m.orderBook])).to.equal(false);
      expect(await call(newVault, "hasRole", [ORDERBOOK_ROLE, m.orderBook])).to.equal(true);
      expect(await call(newVault, "marketToOrderBook", [m.marketId])).to.equal(m.orderBook);
      expect(await call(newVault, "registeredOrderBooks", [m.orderBook])).to.equal(true);
    }
    expect(await call(hub, "coreVault")).to.equal(newVault);
    expect(await call(newVault, "hasRole", [DEFAULT_ADMIN, admin])).to.equal(true);
    expect(await call(newVault, "hasRole", [DEFAULT_ADMIN, signers[0].address])).to.equal(false);

    // cutover:status and corevault:roles, spot-checked against the raw reads above
    const status = await withProtocol(protocol, () => runJson("cutover:status", {}));
    expect(status.vaults.map((v: { address: string; role: string }) => [v.role, v.address])).to.deep.equal([
      ["current", newVault],
      ["replaced", oldVault],
    ]);
    expect(status.vaults[0].registeredOrderBooks).to.equal(5);
    expect(status.orderBooks).to.deep.equal({
      total: 5,
      onCurrentVault: 5,
      onReplacedVault: 0,
      elsewhere: 0,
      unreadable: 0,
    });
    const hubRow = status.pointers.find((p: { name: string }) => p.name === "CollateralHub");
    expect(hubRow).to.include({ vault: newVault, pointsAt: "current vault" });
    expect(status.roleHolders.ORDERBOOK_ROLE).to.equal(5);
    expect(status.roleHolders.DEFAULT_ADMIN_ROLE).to.equal(1);

    const roles = await withProtocol(protocol, () => runJson("corevault:roles", {}));
    expect(roles.vault).to.equal(newVault);
    const holding = (role: string) =>
      roles.holders
        .filter((h: { roles: string[] }) => h.roles.includes(role))
        .map((h: { account: string }) => h.account);
    expect(holding("ORDERBOOK_ROLE")).to.have.members(markets.map((m) => m.orderBook));
    expect(holding("DEFAULT_ADMIN_ROLE")).to.deep.equal([admin]);
    for (const account of holding("ORDERBOOK_ROLE"))
      expect(await call(newVault, "hasRole", [ORDERBOOK_ROLE, account])).to.equal(true);
    // the OrderBooks the vault confirms are the system's own, though the records name only one of them
    const flagged = roles.flags.filter((f: { kind: string }) => f.kind === "unknown-holder");
    expect(flagged.map((f: { role: string }) => f.role)).to.not.include("ORDERBOOK_ROLE");

    // cutover:verify through the same profile, smoke tests included: every check passes; what has no getter says how
    // it was checked
    const { printed, exitCode } = await withProtocol(protocol, () =>
      withExitCode("cutover:verify", { json: true, reportDir: path.join(tmp, "report") }),
    );
    const report = JSON.parse(printed) as { checks: { name: string; status: string; evidence: string }[] };
    expect(report.checks.filter((c) => c.status === "fail")).to.deep.equal([]);
    expect(exitCode).to.equal(0);
    const evidence = Object.fromEntries(report.checks.map((c) => [c.name, c.evidence]));
    expect(evidence["vault.liquidation-manager"]).to.match(/^not readable from chain .*checked against the plan/);
    expect(evidence["collateral.decimals"]).to.include(
      `${record.contracts.MOCK_USDC} (an immutable in the new vault's code`,
    );
    expect(evidence["factory.vault"]).to.include(`vault (immutable in its code, no getter) = ${newVault}`);
    expect(evidence["smoke.old-vault-halted"]).to.match(/^5\/5 halted OrderBooks' updatePositionWithMargin refused/);

    // the setter without a getter is settled by its journaled send (same target and calldata), never assumed: a
    // replan with another liquidation manager sends it again, and nothing else
    const redeployConfig = hre.config.cutover.redeploy;
    const libraries = {
      DexetraVaultAnalytics: record.contracts.VAULT_ANALYTICS,
      DexetraPositionManager: record.contracts.POSITION_MANAGER,
    };
    const another = await conn.ethers.deployContract("DexetraLiquidationManager", [record.contracts.MOCK_USDC, admin], {
      libraries,
    });
    const manager = await another.getAddress();
    redeployConfig.liquidationManager = manager;
    try {
      const changed = await withProtocol(protocol, () =>
        runJson("corevault:redeploy", {
          rewire: true,
          haltOld: true,
          admin,
          allowEoa: true,
          replan: true,
          signer: admin,
        }),
      );
      expect(changed.complete).to.equal(true);
      const sent = changed.results.filter((r: { sentNow?: boolean }) => r.sentNow).map((r: { id: string }) => r.id);
      expect(sent).to.deep.equal(["configure:liquidation-manager"]);
      expect(changed.transactionsSent).to.equal(1);
      expect(await nonce(admin)).to.equal(1);
    } finally {
      delete redeployConfig.liquidationManager;
    }
  });

  it("a crash after the halt, before the setter's receipt was journaled: the rerun keeps its plan, settles the setter by its hash, sends nothing", async () => {
    await runTask("mocks:deploy-system", {
      profile: "dexetra-v5",
      markets: 2,
      users: 0,
      seed: "dexetra-crash",
      json: true,
    });
    const oldVault = (await readDexetraRecord(root, conn.networkName)).contracts.CORE_VAULT;
    const signers = await conn.ethers.getSigners();
    const protocol = standInProtocol(signers[0].address);
    const outcome = await withProtocol(protocol, () => runJson("corevault:redeploy", { rewire: true, haltOld: true }));
    expect(outcome.complete).to.equal(true);
    // the journal as a crash right after the broadcast leaves it: the send and its hash, no receipt, no completion
    const journal = path.join(
      root,
      "deployments",
      conn.networkName,
      ".cutover",
      `corevault-redeploy-${oldVault.toLowerCase()}`,
      "journal.jsonl",
    );
    const entries = (await readFile(journal, "utf8")).split("\n").filter((line) => line !== "");
    const kept = entries.filter((line) => {
      const entry = JSON.parse(line) as { type: string; stepId?: string };
      return (
        entry.type !== "complete" && !(entry.type === "receipt" && entry.stepId === "configure:liquidation-manager")
      );
    });
    expect(kept).to.have.length(entries.length - 2);
    await writeFile(journal, `${kept.join("\n")}\n`);
    const before = await nonce();
    const rerun = await withProtocol(protocol, () => runJson("corevault:redeploy", { rewire: true, haltOld: true }));
    expect(rerun.complete).to.equal(true);
    expect(await nonce()).to.equal(before);
    const setter = rerun.results.find((r: { id: string }) => r.id === "configure:liquidation-manager");
    expect(setter).to.include({
      status: "done",
      txHash: outcome.results.find((r: { id: string }) => r.id === setter.id).txHash,
    });
  });

  it("50 markets: the whole cutover completes, a rerun sends nothing, verify passes, every OrderBook moved (raw reads)", async () => {
    await runTask("mocks:deploy-system", {
      profile: "dexetra-v5",
      markets: 50,
      users: 2,
      seed: "dexetra-e2e-50",
      json: true,
    });
    const record = await readDexetraRecord(root, conn.networkName);
    const oldVault = getAddress(record.contracts.CORE_VAULT);
    const signers = await conn.ethers.getSigners();
    const admin = signers[6].address;
    const protocol = standInProtocol(signers[0].address);
    const outcome = await withProtocol(protocol, () =>
      runJson("corevault:redeploy", { rewire: true, haltOld: true, admin, allowEoa: true }),
    );
    expect(outcome.complete).to.equal(true);
    const newVault = getAddress(outcome.deployed.CoreVault);
    const books = outcome.orderBooks.map((b: { orderBook: string }) => b.orderBook);
    expect(books).to.have.length(50);
    // one transaction per call (no multicall): 50 halts, 50 registrations, 50 assignments, 50 grants, 50 rewires…
    expect(outcome.transactionsSent).to.be.greaterThan(250);
    const before = await nonce();
    const rerun = await withProtocol(protocol, () =>
      runJson("corevault:redeploy", { rewire: true, haltOld: true, admin, allowEoa: true }),
    );
    expect(rerun.complete).to.equal(true);
    expect(await nonce()).to.equal(before);
    for (const book of books) {
      expect(await storedVault(book)).to.equal(newVault);
      expect(await call(oldVault, "hasRole", [ORDERBOOK_ROLE, book])).to.equal(false);
      expect(await call(newVault, "hasRole", [ORDERBOOK_ROLE, book])).to.equal(true);
    }
    const status = await withProtocol(protocol, () => runJson("cutover:status", {}));
    expect(status.orderBooks).to.include({ total: 50, onCurrentVault: 50 });
    const { exitCode } = await withProtocol(protocol, () =>
      withExitCode("cutover:verify", { json: true, reportDir: path.join(tmp, "report-50") }),
    );
    expect(exitCode).to.equal(0);
  });
});

describe("cutover:verify on dexetra-v5: each breakage fails exactly the check meant to catch it", () => {
  let protocol: ProtocolUserConfig;
  let oldVault: string;
  let newVault: string;
  let newFactory: string;
  let books: { orderBook: string; marketId: string }[];
  let snapshot: string;
  const vaultAbi = [
    "function grantRole(bytes32 role, address account)",
    "function revokeRole(bytes32 role, address account)",
    "function assignMarketToOrderBook(bytes32 marketId, address orderBook)",
  ];

  before(async () => {
    await runTask("mocks:deploy-system", {
      profile: "dexetra-v5",
      markets: 3,
      users: 0,
      seed: "dexetra-breaks",
      json: true,
    });
    const signers = await conn.ethers.getSigners();
    protocol = standInProtocol(signers[0].address);
    oldVault = getAddress((await readDexetraRecord(root, conn.networkName)).contracts.CORE_VAULT);
    const outcome = await withProtocol(protocol, () =>
      runJson("corevault:redeploy", { rewire: true, haltOld: true, admin: signers[5].address, allowEoa: true }),
    );
    expect(outcome.complete).to.equal(true);
    newVault = getAddress(outcome.deployed.CoreVault);
    newFactory = getAddress(outcome.deployed.FuturesMarketFactory);
    books = outcome.orderBooks.map((b: { orderBook: string }) => ({ orderBook: b.orderBook, marketId: "" }));
    for (const book of books) book.marketId = (await call(book.orderBook, "marketStatic"))[1];
  });
  beforeEach(async () => {
    snapshot = (await conn.provider.request({ method: "evm_snapshot" })) as string;
  });
  afterEach(async () => {
    process.exitCode = 0;
    await conn.provider.request({ method: "evm_revert", params: [snapshot] });
  });

  type Report = { checks: { name: string; status: string; evidence: string; failures: unknown[] }[] };
  async function verifyReport(smoke: boolean): Promise<Report> {
    const { printed } = await withProtocol(protocol, () =>
      withExitCode("cutover:verify", { json: true, skipSmoke: !smoke, reportDir: path.join(tmp, "breaks") }),
    );
    return JSON.parse(printed) as Report;
  }
  async function failing(smoke = false): Promise<string[]> {
    const report = await verifyReport(smoke);
    return report.checks.filter((c) => c.status === "fail").map((c) => c.name);
  }

  async function asAccount(address: string) {
    await conn.provider.request({ method: "hardhat_impersonateAccount", params: [address] });
    await conn.provider.request({ method: "hardhat_setBalance", params: [address, "0x56bc75e2d63100000"] });
    return conn.ethers.getSigner(address);
  }

  const vaultAs = async (address: string) => new Contract(newVault, vaultAbi, await asAccount(address));
  const adminAddress = async () => (await conn.ethers.getSigners())[5].address;

  it("passes when nothing is broken, the smoke tests included (through the profile's trading entries)", async () => {
    const blockBefore = await conn.ethers.provider.getBlockNumber();
    const report = await verifyReport(true);
    const smoke = report.checks.filter((c) => c.name.startsWith("smoke."));
    for (const check of smoke) expect(check.failures, `${check.name}: ${check.evidence}`).to.deep.equal([]);
    expect(smoke.map((c) => [c.name, c.status])).to.deep.equal([
      ["smoke.mark-price", "pass"],
      ["smoke.liquidation", "pass"],
      ["smoke.settlement", "pass"],
      ["smoke.unauthorized-refused", "pass"],
      ["smoke.old-vault-halted", "pass"],
    ]);
    expect(report.checks.filter((c) => c.status === "fail")).to.deep.equal([]);
    const evidence = (name: string) => report.checks.find((c) => c.name === name)!.evidence;
    expect(evidence("smoke.liquidation")).to.match(
      /liquidate\(\) through OrderBook 0x[0-9a-fA-F]{40} paid the liquidator [1-9]/,
    );
    expect(evidence("smoke.unauthorized-refused")).to.match(/^6\/6 calls/);
    expect(evidence("smoke.old-vault-halted")).to.match(/^3\/3 halted OrderBooks' updatePositionWithMargin refused/);
    // the smoke ran on a throwaway copy: nothing it did is on the chain
    expect(await conn.ethers.provider.getBlockNumber()).to.equal(blockBefore);
  });

  it("a role revoked", async () => {
    const vault = await vaultAs(await adminAddress());
    await (await vault.revokeRole(id("SETTLEMENT_ROLE"), newFactory)).wait();
    expect(await failing()).to.deep.equal(["roles.desired-holders"]);
  });

  it("an extra role holder", async () => {
    const vault = await vaultAs(await adminAddress());
    await (await vault.grantRole(id("SETTLEMENT_ROLE"), (await conn.ethers.getSigners())[9].address)).wait();
    expect(await failing()).to.deep.equal(["roles.no-unexpected-holders"]);
  });

  it("one OrderBook left on the old vault (its storage word written back)", async () => {
    const word = `0x${oldVault.slice(2).toLowerCase().padStart(64, "0")}`;
    await conn.provider.request({ method: "hardhat_setStorageAt", params: [books[1].orderBook, ORDERBOOK_SLOT, word] });
    expect(await storedVault(books[1].orderBook)).to.equal(oldVault);
    expect(await failing()).to.deep.equal(["orderbooks.vault"]);
  });

  it("a wrong market mapping", async () => {
    const vault = await vaultAs(newFactory);
    await (await vault.assignMarketToOrderBook(books[0].marketId, books[1].orderBook)).wait();
    expect(await failing()).to.deep.equal(["markets.mapping"]);
  });

  it("an OrderBook given ORDERBOOK_ROLE back on the old vault (trading there again)", async () => {
    const old = new Contract(oldVault, vaultAbi, (await conn.ethers.getSigners())[0]);
    await (await old.grantRole(ORDERBOOK_ROLE, books[2].orderBook)).wait();
    expect(await failing()).to.deep.equal(["old-vault.halted"]);
    // and proven by behaviour on a throwaway copy: that OrderBook's fill is accepted by the old vault
    const report = await verifyReport(true);
    expect(report.checks.filter((c) => c.status === "fail").map((c) => c.name)).to.deep.equal([
      "old-vault.halted",
      "smoke.old-vault-halted",
    ]);
    const halted = report.checks.find((c) => c.name === "smoke.old-vault-halted")!;
    expect(halted.evidence).to.match(/^2\/3 halted OrderBooks/);
    expect(JSON.stringify(halted.failures)).to.include(books[2].orderBook).and.include("accepted");
  });

  it("the deployer left as admin", async () => {
    const vault = await vaultAs(await adminAddress());
    await (await vault.grantRole(DEFAULT_ADMIN, (await conn.ethers.getSigners())[0].address)).wait();
    expect(await failing()).to.deep.equal(["roles.deployer-no-admin"]);
  });
});
