// `orderbook:rewire --strategy redeploy` on the Dexetra v5 stand-in (and on the reference mock), through the profile's creation path (the Diamond's
// constructor + obInitialize with the same market id), after `corevault:redeploy`; checked with raw JSON-RPC reads.
import path from "node:path";
import { readFile } from "node:fs/promises";
import { expect } from "chai";
import { Contract, getAddress, id, Interface, keccak256, parseEther, parseUnits, toUtf8Bytes } from "ethers";
import hre from "hardhat";
import type { CreateOrderBook, ProtocolUserConfig } from "../../src/profile/schema.js";
import { readDexetraRecord } from "../../src/records/dexetra-records.js";
import { contractAt } from "../helpers/contracts.js";
import { dexetraFixture, orderBookAbi, standInProtocol, type DexetraFixture } from "../helpers/dexetra.js";
import { conn, freshSystem, nonce, tempAppConfig } from "../helpers/system.js";
import { runJson, runTask, taskError, withExitCode } from "../helpers/tasks.js";
import { withProtocol } from "../helpers/protocol.js";

const root = hre.config.paths.root;
const tmp = await tempAppConfig("cutover-rewire-redeploy-dexetra-");
const STORAGE = BigInt(keccak256(toUtf8Bytes("hyperliquid.orderbook.storage.v1")));
const ORDERBOOK_ROLE = id("ORDERBOOK_ROLE");
const raw = new Interface([
  "function hasRole(bytes32, address) view returns (bool)",
  "function marketToOrderBook(bytes32) view returns (address)",
  "function registeredOrderBooks(address) view returns (bool)",
  "function marketStatic() view returns (address vault, bytes32 marketId, bool useVWAP, uint256 vwapWindow)",
  "function owner() view returns (address)",
  "function facets() view returns ((address facetAddress, bytes4[] functionSelectors)[])",
]);

async function call(to: string, name: string, args: unknown[] = []) {
  const data = raw.encodeFunctionData(name, args);
  const result = (await conn.provider.request({ method: "eth_call", params: [{ to, data }, "latest"] })) as string;
  const decoded = raw.decodeFunctionResult(name, result);
  return decoded.length === 1 ? decoded[0] : decoded;
}

async function word(at: string, offset: bigint): Promise<string> {
  const slot = `0x${(STORAGE + offset).toString(16)}`;
  return (await conn.provider.request({ method: "eth_getStorageAt", params: [at, slot, "latest"] })) as string;
}

interface RewireOut {
  complete: boolean;
  transactionsSent: number;
  plan: { notes: string[]; steps: { id: string }[] };
  orderBooks: { symbol: string; orderBook: string; status: string; replacedBy?: string }[];
}

/**
 * The stand-in (3 markets), its vault redeployed without --rewire and handed to `admin` (an account of the node, so
 * it can sign the rewire): every OrderBook still points at the old vault.
 */
async function redeployed(
  seed: string,
): Promise<{ f: DexetraFixture; protocol: ProtocolUserConfig; newVault: string; admin: string }> {
  const f = await dexetraFixture(conn, { markets: 3, seed });
  const admin = (await conn.ethers.getSigners())[7].address;
  const protocol = standInProtocol(f.admin.address);
  const out = await withProtocol(protocol, () => runJson("corevault:redeploy", { admin, allowEoa: true }));
  expect(out.complete).to.equal(true);
  return { f, protocol, newVault: getAddress(out.deployed.CoreVault), admin };
}

describe("orderbook:rewire --strategy redeploy on dexetra-v5 (the profile's creation path)", () => {
  afterEach(() => {
    process.exitCode = 0;
  });

  it("gives each market a new Diamond on the new vault with the same market id; trading works through it; a rerun sends nothing; verify and status agree", async () => {
    const { f, protocol, newVault, admin } = await redeployed("rewire-redeploy-dexetra");
    const rewire = (args: Record<string, unknown> = {}) =>
      withProtocol(protocol, () =>
        runJson<RewireOut>("orderbook:rewire", { strategy: "redeploy", signer: admin, ...args }),
      );
    const oldVault = getAddress(await f.vault.getAddress());
    const planned = await rewire({ planOnly: true });
    expect(planned.plan.notes.join(" ")).to.match(/Open orders stay on the old OrderBooks of the 3 redeployed market/);
    expect(planned.plan.notes.join(" ")).to.include("on the new vault each loses ORDERBOOK_ROLE and is deregistered");
    // no multicall on this vault: the deploy, then one transaction per call
    const first = f.books[0].orderBook.toLowerCase();
    expect(planned.plan.steps.map((s) => s.id).filter((s) => s.endsWith(first))).to.deep.equal(
      ["redeploy", "register", "assign", "grant", "revoke", "deregister"].map((verb) => `${verb}:${first}`),
    );

    const adminNonce = await nonce(admin);
    const out = await rewire();
    expect(out.complete).to.equal(true);
    // 3 deploys + 3 × 5 calls, with the signer's temporary FACTORY_ROLE granted and renounced
    expect(out.transactionsSent).to.equal(3 + 15 + 2);
    for (const market of f.books) {
      const row = out.orderBooks.find((b) => b.orderBook === market.orderBook)!;
      expect(row.status).to.equal("redeployed");
      const fresh = getAddress(row.replacedBy!);
      // raw reads, not through the plugin
      expect(await call(newVault, "marketToOrderBook", [market.marketId])).to.equal(fresh);
      const [vault, marketId] = await call(fresh, "marketStatic");
      expect([vault, marketId]).to.deep.equal([newVault, market.marketId]);
      expect(await call(fresh, "owner")).to.equal(await call(market.orderBook, "owner"));
      expect(await word(fresh, 2n), "fee recipient").to.equal(await word(market.orderBook, 2n));
      expect(JSON.stringify(await call(fresh, "facets"))).to.equal(
        JSON.stringify(await call(market.orderBook, "facets")),
      );
      expect(await call(newVault, "registeredOrderBooks", [fresh])).to.equal(true);
      expect(await call(newVault, "hasRole", [ORDERBOOK_ROLE, fresh])).to.equal(true);
      expect(await call(newVault, "registeredOrderBooks", [market.orderBook])).to.equal(false);
      expect(await call(newVault, "hasRole", [ORDERBOOK_ROLE, market.orderBook])).to.equal(false);
      // the old book is left as it was on the old vault
      const [oldBookVault] = await call(market.orderBook, "marketStatic");
      expect(oldBookVault).to.equal(oldVault);
      expect(await call(oldVault, "marketToOrderBook", [market.marketId])).to.equal(market.orderBook);
    }
    expect(await call(newVault, "hasRole", [id("FACTORY_ROLE"), admin])).to.equal(false);
    expect(await nonce(admin)).to.equal(adminNonce + out.transactionsSent);

    // the records: the protocol's layout names the first market's new book; every replaced book is kept
    const record = await readDexetraRecord(root, conn.networkName);
    const freshOf = (orderBook: string) =>
      getAddress(out.orderBooks.find((b) => b.orderBook === orderBook)!.replacedBy!);
    expect(record.contracts.ALUMINUM_ORDERBOOK).to.equal(freshOf(f.books[0].orderBook));
    expect(record.aluminumMarket?.orderBook).to.equal(freshOf(f.books[0].orderBook));
    const superseded = (record as unknown as { supersededOrderBooks: { orderBook: string; replacedBy: string }[] })
      .supersededOrderBooks;
    expect(superseded.map((e) => [e.orderBook, e.replacedBy])).to.have.deep.members(
      f.books.map((b) => [b.orderBook, freshOf(b.orderBook)]),
    );
    // the factory's creation events name the markets the records do not: each new book's hardhat-deploy record by symbol
    expect(out.orderBooks.map((b) => b.symbol)).to.have.members(f.books.map((b) => b.symbol));
    for (const b of f.books) {
      const file = path.join(root, "deployments", conn.networkName, `OrderBook_${b.symbol}.json`);
      expect(JSON.parse(await readFile(file, "utf8")).address, file).to.equal(freshOf(b.orderBook));
    }
    const app = await readFile(hre.config.cutover.appConfig.contractsModule, "utf8");
    expect(app).to.include(freshOf(f.books[0].orderBook));

    // trading works through the new book against the new vault
    const usdc = f.usdc.connect(f.admin) as Contract;
    const newVaultContract = new Contract(newVault, f.vault.interface, f.admin);
    for (const trader of [f.alice, f.bob]) {
      await (await usdc.mint(trader.address, parseUnits("10000", 6))).wait();
      await (await (usdc.connect(trader) as Contract).approve(newVault, parseUnits("10000", 6))).wait();
      await (await (newVaultContract.connect(trader) as Contract).depositCollateral(parseUnits("10000", 6))).wait();
    }
    const book = new Contract(freshOf(f.books[1].orderBook), await orderBookAbi(), f.admin);
    const price = parseUnits("100", 6);
    await (await (book.connect(f.bob) as Contract).placeLimitOrder(price, parseEther("1"), false)).wait();
    await (await (book.connect(f.alice) as Contract).placeLimitOrder(price, parseEther("1"), true)).wait();
    const positions = (await newVaultContract.getUserPositions(f.alice.address)) as {
      marketId: string;
      size: bigint;
    }[];
    expect(positions.map((p) => [p.marketId, p.size])).to.deep.include([f.books[1].marketId, parseEther("1")]);

    const before = await nonce(admin);
    const again = await rewire();
    expect(again.complete).to.equal(true);
    expect(again.transactionsSent ?? 0).to.equal(0);
    expect(await nonce(admin)).to.equal(before);
    // the old books, deregistered, are reported from the records: already done, with their replacement
    expect(again.orderBooks.map((b) => [b.orderBook, b.status, b.replacedBy])).to.have.deep.members(
      f.books.map((b) => [b.orderBook, "already done", freshOf(b.orderBook)]),
    );

    const status = await withProtocol(protocol, () => runJson("cutover:status", {}));
    // the old books still call the old vault (nothing halted them): status counts them there, as replaced books
    expect(status.orderBooks).to.deep.equal({
      total: 6,
      onCurrentVault: 3,
      onReplacedVault: 3,
      elsewhere: 0,
      unreadable: 0,
      superseded: 3,
    });
    expect(status.vaults.map((v: { registeredOrderBooks: number }) => v.registeredOrderBooks)).to.deep.equal([3, 3]);
    expect(status.roleHolders.ORDERBOOK_ROLE).to.equal(3);
    const { printed, exitCode } = await withProtocol(protocol, () =>
      withExitCode("cutover:verify", { json: true, reportDir: path.join(tmp, "report") }),
    );
    const report = JSON.parse(printed) as { checks: { name: string; status: string; evidence: string }[] };
    expect(report.checks.filter((c) => c.status === "fail")).to.deep.equal([]);
    expect(exitCode).to.equal(0);
  });

  it("a fact the chain does not give is an input error naming its config key, before anything is sent", async () => {
    const { f, protocol } = await redeployed("rewire-redeploy-dexetra-missing");
    const create = protocol.factory!.createOrderBook as CreateOrderBook;
    const keepless = {
      ...protocol,
      factory: {
        ...protocol.factory,
        createOrderBook: {
          ...create,
          keep: { feeRecipient: { supply: "cutover.protocol.factory.createOrderBook.keep.feeRecipient: { value }" } },
        },
      },
    } as ProtocolUserConfig;
    const before = await nonce();
    const error = await withProtocol(keepless, () => taskError("orderbook:rewire", { strategy: "redeploy" }));
    expect(error.message).to.include("cutover.protocol.factory.createOrderBook.keep.feeRecipient");
    expect(error.message).to.include(f.books[0].orderBook);
    // the factory call cannot replace a market's OrderBook: refused, saying why
    const factoryCall = {
      ...protocol,
      factory: {
        ...protocol.factory,
        createOrderBook: {
          factoryCall:
            "function createFuturesMarketDiamond(string symbol, string metricUrl, uint256 settlementDate, uint256 startPrice, string dataSource, string[] tags, address diamondOwner, (address facetAddress, uint8 action, bytes4[] functionSelectors)[] cut, address initFacet, bytes initCalldata) returns (address orderBook, bytes32 marketId)",
          why: "createFuturesMarketDiamond derives a new market id from msg.sender, block.timestamp and block.number",
        },
      },
    } as ProtocolUserConfig;
    const refused = await withProtocol(factoryCall, () =>
      taskError("orderbook:rewire", { strategy: "redeploy", planOnly: true }),
    );
    expect(refused.message).to.include("cutover.protocol.factory.createOrderBook");
    expect(refused.message).to.include("derives a new market id");
    expect(refused.message).to.include("--strategy cut");
    // an artifact the project lacks
    const missing = {
      ...protocol,
      factory: { ...protocol.factory, createOrderBook: { ...create, constructorArtifact: "NoSuchDiamond" } },
    } as ProtocolUserConfig;
    const noArtifact = await withProtocol(missing, () => taskError("orderbook:rewire", { strategy: "redeploy" }));
    expect(noArtifact.message).to.include("cutover.protocol.factory.createOrderBook.constructorArtifact");
    expect(await nonce()).to.equal(before);
    await runTask("cutover:status", { json: true });
  });
});

describe("orderbook:rewire --strategy redeploy on reference (the profile's creation path: OrderBookDiamond + OrderBookInit)", () => {
  afterEach(() => {
    process.exitCode = 0;
  });

  it("each market's new book is on the new vault with its market id; trading works through it; verify passes and status tells the truth", async () => {
    const system = await freshSystem({ markets: 3, users: 2, seed: "rewire-redeploy-reference" });
    const admin = (await conn.ethers.getSigners())[7].address;
    const redeploy = await runJson("corevault:redeploy", { pauseOld: true, admin, allowEoa: true });
    expect(redeploy.complete).to.equal(true);
    const newVault = getAddress(redeploy.deployed.CoreVault);
    const planned = await runJson<RewireOut>("orderbook:rewire", {
      strategy: "redeploy",
      signer: admin,
      planOnly: true,
    });
    expect(planned.plan.notes.join(" ")).to.include("the profile has no deregister write: it stays registered there");
    const out = await runJson<RewireOut>("orderbook:rewire", { strategy: "redeploy", signer: admin });
    expect(out.complete).to.equal(true);
    // the reference vault batches: per market one deploy and one multicall
    expect(out.transactionsSent).to.equal(3 * 2 + 2);
    const fresh = new Map(out.orderBooks.map((b) => [b.orderBook, getAddress(b.replacedBy!)]));
    const view = new Interface([
      "function vault() view returns (address)",
      "function marketId() view returns (bytes32)",
    ]);
    for (const market of system.markets) {
      const book = fresh.get(market.orderBook)!;
      expect(await call(newVault, "marketToOrderBook", [market.marketId])).to.equal(book);
      const read = async (fn: string) =>
        view.decodeFunctionResult(
          fn,
          (await conn.provider.request({
            method: "eth_call",
            params: [{ to: book, data: view.encodeFunctionData(fn) }, "latest"],
          })) as string,
        )[0];
      expect([await read("vault"), await read("marketId")]).to.deep.equal([newVault, market.marketId]);
    }
    // trading through a new book moves margin and positions in the new vault, nothing in the old one
    const [deployer, alice, bob, liquidator] = await conn.ethers.getSigners();
    const at = contractAt(conn.ethers.provider);
    const market = system.markets[0];
    const vault = (await at("CoreVault", newVault)).connect(await conn.ethers.getSigner(admin)) as Contract;
    const usdc = (await at("MockUSDC", system.contracts.USDC)).connect(deployer) as Contract;
    await (await vault.grantRole(id("SETTLEMENT_ROLE"), admin)).wait();
    const price = parseUnits("1000", 6);
    await (await vault.updateMarkPrice(market.marketId, price)).wait();
    for (const trader of [alice, bob]) {
      await (await usdc.mint(trader.address, parseUnits("5000", 6))).wait();
      await (await (usdc.connect(trader) as Contract).approve(newVault, parseUnits("5000", 6))).wait();
      await (await (vault.connect(trader) as Contract).deposit(parseUnits("5000", 6))).wait();
    }
    const from = (await conn.ethers.provider.getBlockNumber()) + 1;
    const book = await at("OrderBookTradingFacet", fresh.get(market.orderBook)!);
    await (await (book.connect(alice) as Contract).placeOrder(true, price, parseEther("1"))).wait();
    await (await (book.connect(bob) as Contract).placeOrder(false, price, parseEther("1"))).wait();
    await (await (book.connect(liquidator) as Contract).matchOrders(1n, 2n)).wait();
    const oldVault = system.contracts.CORE_VAULT;
    expect(await conn.ethers.provider.getLogs({ address: oldVault, fromBlock: from, toBlock: "latest" })).to.deep.equal(
      [],
    );
    const names = (await conn.ethers.provider.getLogs({ address: newVault, fromBlock: from, toBlock: "latest" })).map(
      (log) => vault.interface.parseLog(log)?.name,
    );
    expect(names).to.include.members(["MarginLocked", "PositionUpdated"]);
    await (await vault.revokeRole(id("SETTLEMENT_ROLE"), admin)).wait();

    const before = await nonce(admin);
    const again = await runJson<RewireOut>("orderbook:rewire", { strategy: "redeploy", signer: admin });
    expect(again.transactionsSent ?? 0).to.equal(0);
    expect(await nonce(admin)).to.equal(before);

    const status = await runJson("cutover:status", {});
    expect(status.orderBooks).to.deep.equal({
      total: 6,
      onCurrentVault: 3,
      onReplacedVault: 3,
      elsewhere: 0,
      unreadable: 0,
      superseded: 3,
    });
    const { printed, exitCode } = await withExitCode("cutover:verify", {
      json: true,
      reportDir: path.join(tmp, "report-reference"),
    });
    const report = JSON.parse(printed) as { checks: { name: string; status: string; evidence: string }[] };
    expect(report.checks.filter((c) => c.status === "fail")).to.deep.equal([]);
    expect(exitCode).to.equal(0);
  });
});
