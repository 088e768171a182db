// The dual-vault period through the tasks on the reference mock: `corevault:redeploy --markets` moves only the chosen
// markets, the others keep their roles and wiring on the old vault; `orderbook:rewire --markets` moves more later;
// cutover:verify and cutover:status check each market against the vault it is meant to be on.
import path from "node:path";
import { expect } from "chai";
import { getAddress } from "ethers";
import { roleId } from "../../src/corevault/observe.js";
import type { SystemRecord } from "../../src/records/records.js";
import { contractAt } from "../helpers/contracts.js";
import { conn, freshSystem, nonce, tempAppConfig } from "../helpers/system.js";
import { runJson, taskError, withExitCode } from "../helpers/tasks.js";

const { ethers } = conn;
const [deployer, admin] = await ethers.getSigners();
const tmp = await tempAppConfig("cutover-dual-");
const at = contractAt(deployer);
const ORDERBOOK_ROLE = roleId("ORDERBOOK_ROLE");

async function verify(smoke = false): Promise<{
  failing: string[];
  checks: { name: string; status: string; failures: unknown[] }[];
}> {
  const { printed } = await withExitCode("cutover:verify", {
    json: true,
    skipSmoke: !smoke,
    reportDir: path.join(tmp, "report"),
  });
  const report = JSON.parse(printed) as { checks: { name: string; status: string; failures: unknown[] }[] };
  return { failing: report.checks.filter((c) => c.status === "fail").map((c) => c.name), checks: report.checks };
}

/** Where a market is: its OrderBook's vault, and both vaults' mapping, registry and ORDERBOOK_ROLE for it. */
async function placeOf(market: SystemRecord["markets"][number], oldVault: string, newVault: string) {
  const [book, before, after] = await Promise.all([
    at("OrderBookViewFacet", market.orderBook),
    at("CoreVault", oldVault),
    at("CoreVault", newVault),
  ]);
  return {
    vault: getAddress(await book.vault()),
    old: {
      mapped: (await before.marketToOrderBook(market.marketId)) === market.orderBook,
      registered: await before.isRegisteredOrderBook(market.orderBook),
      role: await before.hasRole(ORDERBOOK_ROLE, market.orderBook),
    },
    new: {
      mapped: (await after.marketToOrderBook(market.marketId)) === market.orderBook,
      registered: await after.isRegisteredOrderBook(market.orderBook),
      role: await after.hasRole(ORDERBOOK_ROLE, market.orderBook),
    },
  };
}

describe("dual-vault period (reference profile)", () => {
  let system: SystemRecord;
  let oldVault: string;

  before(async () => {
    system = await freshSystem({ markets: 4, users: 2, seed: "dual" });
    oldVault = system.contracts.CORE_VAULT;
  });

  it("refuses bad selections before anything is sent, naming the value and how to list markets", async () => {
    const before = await nonce();
    const both = await taskError("corevault:redeploy", { markets: "BTC-USD", exceptMarkets: "ETH-USD" });
    expect(both.message).to.include("Invalid --markets / --except-markets").and.include("give one of them");
    const unknown = await taskError("corevault:redeploy", { markets: `${system.markets[0].symbol},DOGE-USD` });
    expect(unknown.message).to.include('Invalid --markets: "DOGE-USD"').and.include("cutover:status");
    expect(unknown.message).to.include(system.markets[1].symbol);
    const pause = await taskError("corevault:redeploy", { markets: system.markets[0].symbol, pauseOld: true });
    expect(pause.message).to.include("Invalid --pause-old").and.include("stay on the old vault");
    const rewire = await taskError("orderbook:rewire", { vault: oldVault, markets: "NOPE" });
    expect(rewire.message).to.include('Invalid --markets: "NOPE"');
    expect(await nonce()).to.equal(before);
  });

  it("the split is part of the plan: other markets, another plan id", async () => {
    const planOf = async (args: Record<string, unknown>) =>
      (await runJson("corevault:redeploy", { planOnly: true, replan: true, ...args })).plan.id as string;
    const [one, other, all] = [
      await planOf({ markets: system.markets[0].symbol }),
      await planOf({ markets: system.markets[1].symbol }),
      await planOf({}),
    ];
    expect(new Set([one, other, all]).size).to.equal(3);
    // the same markets named another way (id, OrderBook, --except-markets) are the same plan
    const [a, b, c, d] = system.markets;
    expect(await planOf({ markets: `${a.marketId},${b.orderBook}`, replan: true })).to.equal(
      await planOf({ exceptMarkets: `${c.symbol.toLowerCase()},${d.symbol}`, replan: true }),
    );
  });

  it("moves only the chosen markets; the others keep roles and wiring on the old vault; a rerun sends nothing", async () => {
    const [a, b, c, d] = system.markets;
    const outcome = await runJson("corevault:redeploy", {
      markets: `${a.symbol},${b.marketId}`,
      rewire: true,
      admin: admin.address,
      allowEoa: true,
      replan: true,
    });
    expect(outcome.complete).to.equal(true);
    const newVault = getAddress(outcome.deployed.CoreVault);
    for (const moved of [a, b])
      expect(await placeOf(moved, oldVault, newVault), moved.symbol).to.deep.equal({
        vault: newVault,
        old: { mapped: true, registered: true, role: true },
        new: { mapped: true, registered: true, role: true },
      });
    for (const kept of [c, d])
      expect(await placeOf(kept, oldVault, newVault), kept.symbol).to.deep.equal({
        vault: getAddress(oldVault),
        old: { mapped: true, registered: true, role: true },
        new: { mapped: false, registered: false, role: false },
      });
    const before = await nonce();
    const rerun = await runJson("corevault:redeploy", {
      markets: `${a.symbol},${b.marketId}`,
      rewire: true,
      admin: admin.address,
      allowEoa: true,
    });
    expect(rerun.complete).to.equal(true);
    expect(rerun.transactionsSent ?? 0).to.equal(0);
    expect(await nonce()).to.equal(before);
    // with the smoke tests too (a throwaway copy of the chain trades, liquidates and settles on the moved markets)
    const smoked = await verify(true);
    expect(smoked.failing).to.deep.equal([]);
    expect(smoked.checks.filter((c) => c.name.startsWith("smoke.")).map((c) => c.status)).to.include("pass");
  });

  it("orderbook:rewire --markets moves one more market later; a rerun sends nothing; verify follows", async () => {
    const [, , c, d] = system.markets;
    const newVault = (await runJson("cutover:status", {})).vaults[0].address as string;
    const moved = await runJson("orderbook:rewire", { markets: c.symbol, signer: admin.address });
    expect(moved.complete).to.equal(true);
    expect(await placeOf(c, oldVault, newVault)).to.deep.include({
      vault: newVault,
      new: { mapped: true, registered: true, role: true },
    });
    expect((await placeOf(d, oldVault, newVault)).vault).to.equal(getAddress(oldVault));
    const before = await nonce();
    const rerun = await runJson("orderbook:rewire", { markets: c.symbol, signer: admin.address });
    expect(rerun.transactionsSent ?? 0).to.equal(0);
    expect(await nonce()).to.equal(before);
    expect((await verify()).failing).to.deep.equal([]);
  });

  it("status shows where each market is meant to be; verify fails on a moved market left behind and a kept one moved by hand", async () => {
    const [a, , c, d] = system.markets;
    const newVault = (await runJson("cutover:status", {})).vaults[0].address as string;
    const status = await runJson("cutover:status", {});
    const row = (symbol: string) => status.split.find((r: { symbol: string }) => r.symbol === symbol);
    expect(status.split.map((r: { symbol: string; meantFor: string }) => [r.symbol, r.meantFor])).to.have.deep.members([
      [a.symbol, "new vault"],
      [system.markets[1].symbol, "new vault"],
      [c.symbol, "new vault"],
      [d.symbol, "old vault"],
    ]);
    expect(row(d.symbol)).to.deep.include({
      calls: "old vault",
      onOld: { mapped: true, registered: true, role: true },
      mappedOnNew: false,
      asMeant: true,
    });
    expect(status.split.every((r: { asMeant: boolean }) => r.asMeant)).to.equal(true);

    // a moved market pointed back at the old vault by hand: left behind
    const book = await at("VaultAdminFacet", c.orderBook);
    await (await book.setVault(oldVault)).wait();
    let result = await verify();
    expect(result.failing).to.include("markets.moved-to-new-vault");
    expect(JSON.stringify(result.checks.find((x) => x.name === "markets.moved-to-new-vault")!.failures)).to.include(
      "left behind on the old vault",
    );
    expect(
      (await runJson("cutover:status", {})).split.find((r: { symbol: string }) => r.symbol === c.symbol),
    ).to.include({
      calls: "old vault",
      asMeant: false,
    });
    await (await book.setVault(newVault)).wait();
    expect((await verify()).failing).to.deep.equal([]);

    // a market meant to stay on the old vault moved by hand (rewired outside the split)
    const byHand = await runJson("orderbook:rewire", { orderbooks: d.orderBook });
    expect(byHand.complete).to.equal(true);
    result = await verify();
    expect(result.failing).to.deep.equal(["markets.kept-on-old-vault"]);
    expect(JSON.stringify(result.checks.find((x) => x.name === "markets.kept-on-old-vault")!.failures)).to.include(
      "it calls the NEW vault",
    );
  });
});
