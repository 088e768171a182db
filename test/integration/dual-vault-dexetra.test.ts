// The dual-vault period on the production shape: the Dexetra v5 stand-in (`mocks:deploy-system --profile dexetra-v5`),
// through the dexetra-v5 profile. Markets are named by id and OrderBook (the protocol's records name one market).
import path from "node:path";
import { expect } from "chai";
import { AbiCoder, getAddress, id, Interface, keccak256, toUtf8Bytes } from "ethers";
import hre from "hardhat";
import { resolveProfile } from "../../src/profile/resolve.js";
import { readDexetraRecord } from "../../src/records/dexetra-records.js";
import { standInProtocol } from "../helpers/dexetra.js";
import { conn, nonce, tempAppConfig } from "../helpers/system.js";
import { runJson, runTask, taskError, withExitCode } from "../helpers/tasks.js";

const root = hre.config.paths.root;
const tmp = await tempAppConfig("cutover-dual-dexetra-");
const ORDERBOOK_SLOT = keccak256(toUtf8Bytes("hyperliquid.orderbook.storage.v1"));
const ORDERBOOK_ROLE = id("ORDERBOOK_ROLE");
const raw = new Interface([
  "function hasRole(bytes32, address) view returns (bool)",
  "function marketToOrderBook(bytes32) view returns (address)",
  "function registeredOrderBooks(address) view returns (bool)",
]);

async function call(to: string, name: string, args: unknown[] = []) {
  const data = raw.encodeFunctionData(name, args);
  const result = (await conn.provider.request({ method: "eth_call", params: [{ to, data }, "latest"] })) as string;
  return raw.decodeFunctionResult(name, result)[0];
}

async function storedVault(orderBook: string): Promise<string> {
  const word = (await conn.provider.request({
    method: "eth_getStorageAt",
    params: [orderBook, ORDERBOOK_SLOT, "latest"],
  })) as string;
  return getAddress(AbiCoder.defaultAbiCoder().decode(["address"], word)[0]);
}

/** A market's place, read raw: the vault its OrderBook stored, and each vault's mapping, registry and role for it. */
async function placeOf(m: { marketId: string; orderBook: string }, oldVault: string, newVault: string) {
  const on = async (vault: string) => ({
    mapped: (await call(vault, "marketToOrderBook", [m.marketId])) === m.orderBook,
    registered: await call(vault, "registeredOrderBooks", [m.orderBook]),
    role: await call(vault, "hasRole", [ORDERBOOK_ROLE, m.orderBook]),
  });
  return { vault: await storedVault(m.orderBook), old: await on(oldVault), new: await on(newVault) };
}

async function withProtocol<T>(work: () => Promise<T>): Promise<T> {
  const active = hre.config.cutover.protocol;
  hre.config.cutover.protocol = resolveProfile(standInProtocol((await conn.ethers.getSigners())[0].address));
  try {
    return await work();
  } finally {
    hre.config.cutover.protocol = active;
  }
}

async function verify() {
  const { printed } = await withProtocol(() =>
    withExitCode("cutover:verify", { json: true, skipSmoke: true, reportDir: path.join(tmp, "report") }),
  );
  const report = JSON.parse(printed) as { checks: { name: string; status: string; failures: unknown[] }[] };
  return { failing: report.checks.filter((c) => c.status === "fail").map((c) => c.name), checks: report.checks };
}

describe("dual-vault period (dexetra-v5 stand-in)", () => {
  afterEach(() => {
    process.exitCode = 0;
  });

  it("redeploys two of four markets with --rewire --halt-old, moves a third later, and verify/status follow", async () => {
    await runTask("mocks:deploy-system", { profile: "dexetra-v5", markets: 4, users: 2, seed: "dual-dx", json: true });
    const record = await readDexetraRecord(root, conn.networkName);
    const oldVault = getAddress(record.contracts.CORE_VAULT);
    const admin = (await conn.ethers.getSigners())[5];
    const logs = await conn.ethers.provider.getLogs({
      address: record.contracts.FUTURES_MARKET_FACTORY,
      topics: [id("FuturesMarketCreated(address,bytes32,string,address,uint256,string,uint256,uint256)")],
      fromBlock: 0,
    });
    const [a, b, c, d] = logs.map((log) => ({
      orderBook: getAddress(`0x${log.topics[1].slice(26)}`),
      marketId: log.topics[2],
    }));

    const before = await nonce();
    const unknown = await withProtocol(() =>
      taskError("corevault:redeploy", { markets: `${a.marketId},0x${"ab".repeat(32)}`, rewire: true }),
    );
    expect(unknown.message)
      .to.include(`Invalid --markets: "0x${"ab".repeat(32)}"`)
      .and.include("cutover:status");
    expect(await nonce()).to.equal(before);

    const args = {
      markets: `${a.orderBook},${b.marketId}`,
      rewire: true,
      haltOld: true,
      admin: admin.address,
      allowEoa: true,
    };
    const outcome = await withProtocol(() => runJson("corevault:redeploy", args));
    expect(outcome.complete).to.equal(true);
    const newVault = getAddress(outcome.deployed.CoreVault);
    const halts = outcome.results.filter((r: { id: string }) => r.id.startsWith("halt-old-vault"));
    expect(halts).to.have.length(2);
    for (const moved of [a, b])
      expect(await placeOf(moved, oldVault, newVault)).to.deep.equal({
        vault: newVault,
        old: { mapped: true, registered: true, role: false },
        new: { mapped: true, registered: true, role: true },
      });
    for (const kept of [c, d])
      expect(await placeOf(kept, oldVault, newVault)).to.deep.equal({
        vault: oldVault,
        old: { mapped: true, registered: true, role: true },
        new: { mapped: false, registered: false, role: false },
      });
    const sent = await nonce();
    const rerun = await withProtocol(() => runJson("corevault:redeploy", args));
    expect(rerun.transactionsSent ?? 0).to.equal(0);
    expect(await nonce()).to.equal(sent);
    // withdraw-only on the old vault would halt c and d, which still trade there: refused with nothing sent
    const snap = await withProtocol(() => runJson("corevault:snapshot", { vault: oldVault }));
    const withdraw = { snapshot: snap.files.json, mode: "withdraw-only" };
    const refused = await withProtocol(() => taskError("corevault:migrate-funds", withdraw));
    expect(refused.message).to.include("kept there by the dual-vault split");
    for (const m of [c, d]) expect(refused.message).to.include(m.orderBook);
    for (const m of [a, b]) expect(refused.message).to.not.include(m.orderBook);
    expect(await nonce()).to.equal(sent);
    const first = await verify();
    expect(first.failing).to.deep.equal([]);
    const statusOf = (name: string) => first.checks.find((check) => check.name === name)?.status;
    expect([statusOf("markets.kept-on-old-vault"), statusOf("markets.moved-to-new-vault")]).to.deep.equal([
      "pass",
      "pass",
    ]);

    // a later run moves c: registered, assigned and granted on the new vault by its admin, then rewired by storage
    const move = { markets: c.marketId, signer: admin.address };
    const later = await withProtocol(() => runJson("orderbook:rewire", move));
    expect(later.complete).to.equal(true);
    expect(await placeOf(c, oldVault, newVault)).to.deep.include({
      vault: newVault,
      new: { mapped: true, registered: true, role: true },
    });
    // its temporary FACTORY_ROLE is renounced again
    expect(await call(newVault, "hasRole", [id("FACTORY_ROLE"), admin.address])).to.equal(false);
    const [deployerNonce, adminNonce] = [await nonce(), await nonce(admin.address)];
    const again = await withProtocol(() => runJson("orderbook:rewire", move));
    expect(again.transactionsSent ?? 0).to.equal(0);
    expect([await nonce(), await nonce(admin.address)]).to.deep.equal([deployerNonce, adminNonce]);
    expect((await verify()).failing).to.deep.equal([]);

    const status = await withProtocol(() => runJson("cutover:status", {}));
    const meant = status.split.map((r: { orderBook: string; meantFor: string; asMeant: boolean }) => [
      r.orderBook,
      r.meantFor,
      r.asMeant,
    ]);
    expect(meant).to.have.deep.members([
      [a.orderBook, "new vault", true],
      [b.orderBook, "new vault", true],
      [c.orderBook, "new vault", true],
      [d.orderBook, "old vault", true],
    ]);

    // a moved market's OrderBook pointed back at the old vault by hand (its storage word written raw): left behind
    const word = AbiCoder.defaultAbiCoder().encode(["address"], [oldVault]);
    const setVaultWord = (value: string) =>
      conn.provider.request({ method: "hardhat_setStorageAt", params: [c.orderBook, ORDERBOOK_SLOT, value] });
    const original = (await conn.provider.request({
      method: "eth_getStorageAt",
      params: [c.orderBook, ORDERBOOK_SLOT, "latest"],
    })) as string;
    await setVaultWord(word);
    const behind = await verify();
    expect(behind.failing).to.include("markets.moved-to-new-vault");
    expect(JSON.stringify(behind.checks.find((x) => x.name === "markets.moved-to-new-vault")!.failures)).to.include(
      "left behind on the old vault",
    );
    await setVaultWord(original);
    expect((await verify()).failing).to.deep.equal([]);

    // the kept market moved by hand (its storage rewired outside the split): verify and status say so
    const byHand = await withProtocol(() => runJson("orderbook:rewire", { orderbooks: d.orderBook }));
    expect(byHand.complete).to.equal(true);
    expect(await storedVault(d.orderBook)).to.equal(newVault);
    expect((await verify()).failing).to.deep.equal(["markets.kept-on-old-vault"]);
    const after = await withProtocol(() => runJson("cutover:status", {}));
    expect(after.split.find((r: { orderBook: string }) => r.orderBook === d.orderBook)).to.include({
      calls: "new vault",
      asMeant: false,
    });
  });
});
