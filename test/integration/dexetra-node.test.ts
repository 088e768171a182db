// Issue 10's Done-when, on a local `hardhat node` (a child process; every read and send goes over HTTP): a dexetra-v5
// stand-in of 50 markets, `corevault:redeploy --rewire --halt-old --admin <other>` completes, a rerun sends nothing,
// `cutover:verify` passes and each breakage fails exactly its own check, `cutover:status` and `corevault:roles` agree
// with raw `eth_call` / `eth_getStorageAt` reads made here, and the updatable factory works from config alone.
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { AbiCoder, Contract, Interface, getAddress, id, keccak256, toUtf8Bytes, ZeroHash } from "ethers";
import hre from "hardhat";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { readDexetraRecord } from "../../src/records/dexetra-records.js";
import { standInProtocol } from "../helpers/dexetra.js";
import { runtimeOn, startNode, type LocalNode } from "../helpers/node.js";
import { nonce } from "../helpers/system.js";
import { runJson, withExitCode } from "../helpers/tasks.js";
import { withUpdatableFactory } from "../helpers/protocol.js";

const NETWORK = "dexetranode";
const MARKETS = 50;
const root = hre.config.paths.root;
const ORDERBOOK_SLOT = keccak256(toUtf8Bytes("hyperliquid.orderbook.storage.v1"));
const ORDERBOOK_ROLE = id("ORDERBOOK_ROLE");
const SETTLEMENT_ROLE = id("SETTLEMENT_ROLE");
const raw = new Interface([
  "function hasRole(bytes32, address) view returns (bool)",
  "function coreVault() view returns (address)",
  "function vault() view returns (address)",
  "function marketToOrderBook(bytes32) view returns (address)",
  "function registeredOrderBooks(address) view returns (bool)",
  "function marketStatic() view returns (address vault, bytes32 marketId, bool useVWAP, uint256 vwapWindow)",
  "function grantRole(bytes32, address)",
  "function revokeRole(bytes32, address)",
  "function assignMarketToOrderBook(bytes32, address)",
  "function setCoreVaultParams(address, address)",
  "function coreVaultOperator() view returns (address)",
]);

describe("Done when (issue 10): dexetra-v5, 50 markets, on a local hardhat node", function () {
  let node: LocalNode;
  let runtime: HardhatRuntimeEnvironment;
  let tmp: string;
  let oldVault: string;
  let newVault: string;
  let newFactory: string;
  let hub: string;
  let admin: string;
  let books: { orderBook: string; marketId: string }[];

  async function call(to: string, name: string, args: unknown[] = []) {
    const data = raw.encodeFunctionData(name, args);
    const result = (await node.conn.provider.request({
      method: "eth_call",
      params: [{ to, data }, "latest"],
    })) as string;
    const decoded = raw.decodeFunctionResult(name, result);
    return decoded.length === 1 ? decoded[0] : decoded;
  }
  async function storedVault(orderBook: string): Promise<string> {
    const word = (await node.conn.provider.request({
      method: "eth_getStorageAt",
      params: [orderBook, ORDERBOOK_SLOT, "latest"],
    })) as string;
    return getAddress(AbiCoder.defaultAbiCoder().decode(["address"], word)[0]);
  }
  /** Sends `name(args)` to `to` from `from` (an account the node unlocks, or one it impersonates). */
  async function send(from: string, to: string, name: string, args: unknown[]) {
    const provider = node.conn.provider;
    await provider.request({ method: "hardhat_impersonateAccount", params: [from] });
    await provider.request({ method: "hardhat_setBalance", params: [from, "0x56bc75e2d63100000"] });
    const signer = await node.conn.ethers.getSigner(from);
    await (await (new Contract(to, raw, signer) as Contract)[name](...args)).wait();
  }
  const redeployArgs = () => ({ rewire: true, haltOld: true, admin, allowEoa: true });
  const clearRuns = () => rm(path.join(root, "deployments", NETWORK), { recursive: true, force: true });

  before(async () => {
    node = await startNode();
    await clearRuns();
    tmp = await mkdtemp(path.join(tmpdir(), "cutover-dexetra-node-"));
    const signers = await node.conn.ethers.getSigners();
    admin = signers[5].address;
    runtime = await runtimeOn(node.url, NETWORK, {
      protocol: standInProtocol(signers[0].address),
      appConfig: { contractsModule: path.join(tmp, "contracts.js"), envFile: path.join(tmp, ".env.local") },
    });
    await runJson(
      "mocks:deploy-system",
      { profile: "dexetra-v5", markets: MARKETS, users: 2, seed: "dexetra-node" },
      runtime,
    );
    const record = await readDexetraRecord(root, NETWORK);
    oldVault = getAddress(record.contracts.CORE_VAULT);
    hub = getAddress(record.contracts.COLLATERAL_HUB);
  });

  after(async () => {
    node?.stop();
    await clearRuns();
    await rm(path.join(root, "deployments", `${NETWORK}-deployment.json`), { force: true });
    // the second mocks:deploy-system moved the first system's records aside (a persistent chain's are never deleted)
    const previous = path.join(root, "deployments", ".previous");
    for (const name of existsSync(previous) ? await readdir(previous) : [])
      if (name.startsWith(`${NETWORK}-`)) await rm(path.join(previous, name), { recursive: true, force: true });
  });

  afterEach(() => {
    process.exitCode = 0;
  });

  describe("the cutover", () => {
    it("corevault:redeploy --rewire --halt-old --admin <other> completes; a rerun sends nothing; cutover:verify passes", async () => {
      const outcome = await runJson("corevault:redeploy", redeployArgs(), runtime);
      expect(
        outcome.complete,
        JSON.stringify(outcome.results.filter((r: { status: string }) => r.status !== "done")),
      ).to.equal(true);
      newVault = getAddress(outcome.deployed.CoreVault);
      newFactory = getAddress(outcome.deployed.FuturesMarketFactory);
      books = outcome.orderBooks.map((b: { orderBook: string }) => ({
        orderBook: getAddress(b.orderBook),
        marketId: "",
      }));
      expect(books).to.have.length(MARKETS);
      for (const book of books) book.marketId = (await call(book.orderBook, "marketStatic"))[1];

      const before = await nonce(undefined, node.conn);
      const rerun = await runJson("corevault:redeploy", redeployArgs(), runtime);
      expect(rerun.complete).to.equal(true);
      expect(rerun.transactionsSent ?? 0).to.equal(0);
      expect(await nonce(undefined, node.conn)).to.equal(before);
      expect(await nonce(admin, node.conn)).to.equal(0);

      const { printed, exitCode } = await withExitCode(
        "cutover:verify",
        { json: true, reportDir: path.join(tmp, "report") },
        runtime,
      );
      const report = JSON.parse(printed) as { checks: { name: string; status: string }[] };
      expect(report.checks.filter((c) => c.status === "fail")).to.deep.equal([]);
      expect(report.checks.filter((c) => c.name.startsWith("smoke.") && c.status === "pass")).to.have.length(5);
      expect(exitCode).to.equal(0);
    });

    it("cutover:status and corevault:roles tell the truth: spot-checked against raw eth_call / eth_getStorageAt", async () => {
      const spot = [books[0], books[17], books[MARKETS - 1]];
      for (const { orderBook, marketId } of spot) {
        expect(await storedVault(orderBook), orderBook).to.equal(newVault);
        expect((await call(orderBook, "marketStatic"))[0]).to.equal(newVault);
        expect(await call(oldVault, "hasRole", [ORDERBOOK_ROLE, orderBook])).to.equal(false);
        expect(await call(newVault, "hasRole", [ORDERBOOK_ROLE, orderBook])).to.equal(true);
        expect(await call(newVault, "registeredOrderBooks", [orderBook])).to.equal(true);
        expect(await call(newVault, "marketToOrderBook", [marketId])).to.equal(orderBook);
      }
      expect(await call(hub, "coreVault")).to.equal(newVault);
      // the new factory's vault is an immutable without a getter: it is in the factory's runtime code
      const code = (await node.conn.provider.request({
        method: "eth_getCode",
        params: [newFactory, "latest"],
      })) as string;
      expect(code.toLowerCase()).to.include(newVault.slice(2).toLowerCase());
      expect(await call(newVault, "hasRole", [ZeroHash, admin])).to.equal(true);
      expect(await call(newVault, "hasRole", [SETTLEMENT_ROLE, newFactory])).to.equal(true);

      const status = await runJson("cutover:status", {}, runtime);
      expect(status.vaults.map((v: { address: string; role: string }) => [v.role, v.address])).to.deep.equal([
        ["current", newVault],
        ["replaced", oldVault],
      ]);
      expect(status.orderBooks).to.deep.equal({
        total: MARKETS,
        onCurrentVault: MARKETS,
        onReplacedVault: 0,
        elsewhere: 0,
        unreadable: 0,
      });
      expect(status.pointers.find((p: { name: string }) => p.name === "CollateralHub")).to.include({
        vault: newVault,
        pointsAt: "current vault",
      });
      expect(status.roleHolders.ORDERBOOK_ROLE).to.equal(MARKETS);

      const roles = await runJson("corevault:roles", {}, runtime);
      expect(roles.vault).to.equal(newVault);
      const holding = (role: string): string[] =>
        roles.holders
          .filter((h: { roles: string[] }) => h.roles.includes(role))
          .map((h: { account: string }) => getAddress(h.account));
      expect(holding("ORDERBOOK_ROLE")).to.have.members(books.map((b) => b.orderBook));
      expect(holding("DEFAULT_ADMIN_ROLE")).to.deep.equal([admin]);
      for (const account of holding("SETTLEMENT_ROLE"))
        expect(await call(newVault, "hasRole", [SETTLEMENT_ROLE, account]), account).to.equal(true);
      expect(holding("SETTLEMENT_ROLE")).to.include(newFactory);
    });
  });

  describe("each breakage fails exactly its own check (evm_snapshot, break, verify, evm_revert)", () => {
    let snapshot: string;
    beforeEach(async () => {
      snapshot = (await node.conn.provider.request({ method: "evm_snapshot" })) as string;
    });
    afterEach(async () => {
      await node.conn.provider.request({ method: "evm_revert", params: [snapshot] });
    });
    async function failing(): Promise<string[]> {
      const { printed } = await withExitCode(
        "cutover:verify",
        { json: true, skipSmoke: true, reportDir: path.join(tmp, "breaks") },
        runtime,
      );
      const report = JSON.parse(printed) as { checks: { name: string; status: string }[] };
      return report.checks.filter((c) => c.status === "fail").map((c) => c.name);
    }
    const deployer = async () => (await node.conn.ethers.getSigners())[0].address;

    it("a role revoked", async () => {
      await send(admin, newVault, "revokeRole", [SETTLEMENT_ROLE, newFactory]);
      expect(await failing()).to.deep.equal(["roles.desired-holders"]);
    });

    it("an extra role holder", async () => {
      await send(admin, newVault, "grantRole", [SETTLEMENT_ROLE, (await node.conn.ethers.getSigners())[9].address]);
      expect(await failing()).to.deep.equal(["roles.no-unexpected-holders"]);
    });

    it("one OrderBook left on the old vault (its storage word written back)", async () => {
      const word = `0x${oldVault.slice(2).toLowerCase().padStart(64, "0")}`;
      await node.conn.provider.request({
        method: "hardhat_setStorageAt",
        params: [books[7].orderBook, ORDERBOOK_SLOT, word],
      });
      expect(await storedVault(books[7].orderBook)).to.equal(oldVault);
      expect(await failing()).to.deep.equal(["orderbooks.vault"]);
    });

    it("a wrong market mapping", async () => {
      await send(newFactory, newVault, "assignMarketToOrderBook", [books[0].marketId, books[1].orderBook]);
      expect(await failing()).to.deep.equal(["markets.mapping"]);
    });

    it("an OrderBook given ORDERBOOK_ROLE back on the old vault (trading there again)", async () => {
      await send(await deployer(), oldVault, "grantRole", [ORDERBOOK_ROLE, books[2].orderBook]);
      expect(await failing()).to.deep.equal(["old-vault.halted"]);
    });

    it("the deployer left as admin", async () => {
      await send(admin, newVault, "grantRole", [ZeroHash, await deployer()]);
      expect(await failing()).to.deep.equal(["roles.deployer-no-admin"]);
    });

    it("the hub pointed back at the old vault", async () => {
      const operator = await call(hub, "coreVaultOperator");
      await send(await deployer(), hub, "setCoreVaultParams", [oldVault, operator]);
      expect(await call(hub, "coreVault")).to.equal(oldVault);
      expect(await failing()).to.deep.equal(["hub.vault"]);
    });
  });

  describe("the updatable-factory variant", () => {
    it("the later factory (updateVault(address) + vault()) from config alone: repointed in place, a rerun sends nothing", async () => {
      await runJson(
        "mocks:deploy-system",
        { profile: "dexetra-v5", factory: "updatable", markets: 3, users: 0, seed: "dexetra-node-updatable" },
        runtime,
      );
      const record = await readDexetraRecord(root, NETWORK);
      const factory = getAddress(record.contracts.FUTURES_MARKET_FACTORY);
      const standIn = standInProtocol((await node.conn.ethers.getSigners())[0].address);
      // only config: the factory's vault entry says how to read and write it
      const updatable = await runtimeOn(node.url, NETWORK, {
        protocol: withUpdatableFactory(standIn),
        appConfig: { contractsModule: path.join(tmp, "contracts.js"), envFile: path.join(tmp, ".env.local") },
      });
      const outcome = await runJson("corevault:redeploy", redeployArgs(), updatable);
      expect(outcome.complete, JSON.stringify(outcome.results)).to.equal(true);
      const vault = getAddress(outcome.deployed.CoreVault);
      expect(outcome.deployed.FuturesMarketFactory, "no replacement factory").to.equal(undefined);
      expect(await call(factory, "vault")).to.equal(vault);
      expect(getAddress((await readDexetraRecord(root, NETWORK)).contracts.FUTURES_MARKET_FACTORY)).to.equal(factory);
      const before = await nonce(undefined, node.conn);
      const rerun = await runJson("corevault:redeploy", redeployArgs(), updatable);
      expect(rerun.complete).to.equal(true);
      expect(await nonce(undefined, node.conn)).to.equal(before);
      const { printed, exitCode } = await withExitCode(
        "cutover:verify",
        { json: true, skipSmoke: true, reportDir: path.join(tmp, "updatable") },
        updatable,
      );
      const report = JSON.parse(printed) as { checks: { name: string; status: string; evidence: string }[] };
      expect(report.checks.filter((c) => c.status === "fail")).to.deep.equal([]);
      expect(report.checks.find((c) => c.name === "factory.vault")!.evidence).to.include(`vault() = ${vault}`);
      expect(exitCode).to.equal(0);
    });
  });
});
