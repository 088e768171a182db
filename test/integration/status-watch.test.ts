// `cutover:status` and `cutover:watch` through the tasks on the in-process chain, after a cutover that left one
// OrderBook on the old (unpaused) vault.
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import { parseEther, parseUnits } from "ethers";
import hre, { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import { roleId } from "../../src/corevault/observe.js";
import type { SystemRecord } from "../../src/records/records.js";
import { readStatus, type SystemStatus } from "../../src/status/status.js";
import type { WatchLine, WatchSummary } from "../../src/watch/watch.js";
import { freePort } from "../helpers/node.js";
import { contractAt } from "../helpers/contracts.js";
import { conn, freshSystem, redeployAndRewire, tempAppConfig } from "../helpers/system.js";
import { runTask, withExitCode } from "../helpers/tasks.js";

const { ethers, networkHelpers } = conn;
const [deployer, admin, alice, , , stranger] = await ethers.getSigners();
await tempAppConfig("cutover-status-");
const plansDir = path.join(hre.config.paths.root, "plans", conn.networkName);
const STAGED = `0x${"5a".repeat(32)}`;
const UNSTAGED = `0x${"5b".repeat(32)}`;
const BROKEN = `0x${"5c".repeat(32)}`;

const at = contractAt(deployer);

async function watch(
  args: Record<string, unknown>,
): Promise<{ lines: WatchLine[]; summary: WatchSummary; exitCode: number }> {
  const { printed, exitCode } = await withExitCode("cutover:watch", { json: true, pollMs: 20, ...args });
  const parsed = printed
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  return {
    lines: parsed.filter((l) => l.kind !== "summary"),
    summary: parsed.find((l) => l.kind === "summary"),
    exitCode,
  };
}

describe("cutover:status and cutover:watch", () => {
  let system: SystemRecord;
  let oldVault: string;
  let newVault: string;
  let cutoverBlock: number;

  before(async () => {
    system = await freshSystem({ markets: 4, users: 2, seed: "status-watch" });
    oldVault = system.contracts.CORE_VAULT;
    // the last market's OrderBook is left on the old vault
    const rewired = system.markets
      .slice(0, 3)
      .map((m) => m.orderBook)
      .join(",");
    ({ newVault } = await redeployAndRewire({
      redeploy: { admin: admin.address, allowEoa: true },
      rewire: { orderbooks: rewired },
    }));
    cutoverBlock = await ethers.provider.getBlockNumber();
    await mkdir(plansDir, { recursive: true });
    await writeFile(
      path.join(plansDir, `${STAGED}.json`),
      JSON.stringify({ id: STAGED, kind: "dispatcher", target: system.contracts.USDC }),
    );
    await writeFile(
      path.join(plansDir, `${STAGED}.stage.json`),
      JSON.stringify({ plan: STAGED, eta: 4_000_000_000, etaIso: new Date(4_000_000_000_000).toISOString() }),
    );
    await writeFile(
      path.join(plansDir, `${UNSTAGED}.json`),
      JSON.stringify({ id: UNSTAGED, kind: "diamond", target: newVault }),
    );
    await writeFile(path.join(plansDir, `${BROKEN}.json`), "{ not json");
  });

  after(async () => {
    for (const file of [`${STAGED}.json`, `${STAGED}.stage.json`, `${UNSTAGED}.json`, `${BROKEN}.json`])
      await rm(path.join(plansDir, file), { force: true });
  });

  describe("cutover:status", () => {
    it("shows paused flags, where the OrderBooks point, role holder counts, runs and staged plans", async () => {
      const status: SystemStatus = JSON.parse(await runTask("cutover:status", { json: true }));
      expect(status.rpc).to.include({ endpoint: "in-process", reachable: true, latestBlock: cutoverBlock });
      expect(status.chainId).to.equal(31337);
      expect(status.vaults).to.deep.equal([
        { role: "current", address: newVault, paused: false, registeredOrderBooks: 4 },
        { role: "replaced", address: oldVault, paused: false, registeredOrderBooks: 4 },
      ]);
      expect(status.orderBooks).to.deep.equal({
        total: 4,
        onCurrentVault: 3,
        onReplacedVault: 1,
        elsewhere: 0,
        unreadable: 0,
      });
      expect(status.pointers.map((p) => [p.name, p.pointsAt])).to.deep.equal([
        ["FuturesMarketFactory", "current vault"],
        ["CollateralHub", "current vault"],
      ]);
      expect(status.roleHolders).to.deep.equal({
        DEFAULT_ADMIN_ROLE: 1,
        FACTORY_ROLE: 1,
        SETTLEMENT_ROLE: 2,
        EXTERNAL_CREDITOR_ROLE: 1,
        ORDERBOOK_ROLE: 4,
      });
      expect(status.runs.map((r) => [r.task, r.complete])).to.deep.equal([
        ["corevault:redeploy", true],
        ["orderbook:rewire", true],
      ]);
      const mine = status.stagedPlans.filter((p) => [STAGED, UNSTAGED, BROKEN].includes(p.planId));
      expect(mine.find((p) => p.planId === STAGED)).to.include({
        kind: "dispatcher",
        stage: "staged",
        eta: 4_000_000_000,
        ready: false,
      });
      expect(mine.find((p) => p.planId === UNSTAGED)).to.deep.include({ kind: "diamond", target: newVault });
      expect(mine.find((p) => p.planId === UNSTAGED)!.stage).to.equal(undefined);
      expect(mine.find((p) => p.planId === BROKEN)!.error).to.match(/JSON/);

      const text = await runTask("cutover:status", {});
      expect(text).to.match(/^cutover:status on default \(chain 31337\)\nRPC in-process: reachable, latest block \d+/);
      expect(text).to.include(
        "OrderBooks in the records: 4 — 3 call the current vault, 1 a replaced vault, 0 elsewhere, 0 unreadable",
      );
      expect(text).to.include(
        "Role holders on the current vault: DEFAULT_ADMIN 1, FACTORY 1, SETTLEMENT 2, EXTERNAL_CREDITOR 1, ORDERBOOK 4",
      );
      expect(text).to.match(
        /0x5a5a5a5a…\s+dispatcher\s+0x[0-9a-fA-F]{40}\s+staged\s+2096-10-02T07:06:40\.000Z \(waiting\)/,
      );
      expect(text).to.match(/0x5c5c5c5c…\s+\?\s+\?\s+unreadable: /);
    });

    it("says when the RPC is unreachable, and still lists what the files say", async () => {
      const port = await freePort();
      const offline = (await network.create({
        network: "localhost",
        chainType: "generic",
        override: { url: `http://127.0.0.1:${port}`, timeout: 2_000 },
      })) as NetworkConnection;
      const status = await readStatus(hre, offline);
      expect(status.rpc.reachable).to.equal(false);
      expect(status.rpc.endpoint).to.equal(`http://127.0.0.1:${port}`);
      expect(status.rpc.error).to.be.a("string").and.not.equal("");
      await offline.close();
    });
  });

  describe("cutover:watch", () => {
    it("raises an ALARM for OrderBook activity on the old vault and for a role change no plan made; new-vault trading is just streamed", async () => {
      const from = (await ethers.provider.getBlockNumber()) + 1;
      const [user] = system.users as string[];
      await networkHelpers.impersonateAccount(user);
      const trader = await ethers.getSigner(user);
      const price = parseUnits("1000", 6);
      // the OrderBook left on the old vault: its orders lock margin there
      await (
        await (
          await at("OrderBookTradingFacet", system.markets[3].orderBook, trader)
        ).placeOrder(true, price, parseEther("1"))
      ).wait();
      // trading on a rewired OrderBook reaches the new vault
      const usdc = await at("MockUSDC", system.contracts.USDC, alice);
      await (await usdc.mint(alice.address, parseUnits("10000", 6))).wait();
      await (await usdc.approve(newVault, parseUnits("10000", 6))).wait();
      await (await (await at("CoreVault", newVault, alice)).deposit(parseUnits("10000", 6))).wait();
      await (
        await (
          await at("OrderBookTradingFacet", system.markets[0].orderBook, alice)
        ).placeOrder(true, price, parseEther("1"))
      ).wait();
      // a role change that no plan made
      await (
        await (await at("CoreVault", newVault, admin)).grantRole(roleId("SETTLEMENT_ROLE"), stranger.address)
      ).wait();
      const to = await ethers.provider.getBlockNumber();

      const { lines, summary, exitCode } = await watch({ fromBlock: String(from), blocks: to - from + 1 });
      expect(exitCode).to.equal(1);
      expect(summary).to.include({ oldVault, newVault, fromBlock: from, toBlock: to, alarms: 2 });
      const alarms = lines.filter((l) => l.kind === "alarm");
      expect(alarms.map((l) => [l.vault, l.event, l.alarm])).to.deep.equal([
        [
          "old",
          "MarginLocked",
          `OrderBook activity on the OLD vault after the cutover (block ${summary.cutoverBlock})`,
        ],
        ["new", "RoleGranted", "role change on the new vault that no plan of the cutover makes"],
      ]);
      expect(alarms[0].detail).to.equal(
        `user ${user} market ${system.markets[3].symbol} amount 100.0 via ${system.markets[3].orderBook}`,
      );
      expect(alarms[1].detail).to.equal(`SETTLEMENT_ROLE to ${stranger.address} by ${admin.address}`);
      expect(lines.filter((l) => l.kind === "event").map((l) => [l.vault, l.event])).to.deep.equal([
        ["new", "MarginLocked"],
      ]);

      const text = await withExitCode("cutover:watch", { fromBlock: String(from), blocks: to - from + 1 });
      expect(text.printed).to.match(
        /^ALARM OrderBook activity on the OLD vault after the cutover \(block \d+\): block \d+ old vault MarginLocked: user 0x/m,
      );
      expect(text.printed).to.match(
        /^ALARM role change on the new vault that no plan of the cutover makes: block \d+ new vault RoleGranted: SETTLEMENT_ROLE to /m,
      );
      expect(text.printed).to.match(/: 3 event\(s\), 2 alarm\(s\)$/);
    });

    it("replays the cutover itself without an alarm: the plans' own grants and renounces are expected", async () => {
      const { lines, summary, exitCode } = await watch({
        fromBlock: String(system.deployedAtBlock as number),
        blocks: cutoverBlock - (system.deployedAtBlock as number) + 1,
      });
      expect(exitCode).to.equal(0);
      expect(summary.alarms).to.equal(0);
      const roleEvents = lines.filter((l) => l.event === "RoleGranted" || l.event === "RoleRevoked");
      expect(roleEvents.length).to.be.greaterThan(8);
      expect(
        roleEvents.some(
          (l) => l.event === "RoleRevoked" && l.detail.startsWith(`DEFAULT_ADMIN_ROLE from ${deployer.address}`),
        ),
      ).to.equal(true);
    });

    it("streams new blocks as they come, bounded by --blocks; --seconds bounds a quiet run", async () => {
      const watching = watch({ blocks: 2 });
      await new Promise((r) => setTimeout(r, 300));
      const book = await at("OrderBookTradingFacet", system.markets[1].orderBook, alice);
      await (await book.placeOrder(false, parseUnits("1000", 6), parseEther("1"))).wait();
      await (await book.placeOrder(false, parseUnits("1001", 6), parseEther("1"))).wait();
      const { lines, summary, exitCode } = await watching;
      expect(summary.toBlock - summary.fromBlock).to.equal(1);
      expect(lines.map((l) => [l.vault, l.event, l.kind])).to.deep.equal([
        ["new", "MarginLocked", "event"],
        ["new", "MarginLocked", "event"],
      ]);
      expect(exitCode).to.equal(0);

      const started = Date.now();
      const quiet = await watch({ seconds: 1 });
      expect(Date.now() - started).to.be.within(900, 5_000);
      expect(quiet.lines).to.deep.equal([]);
      expect(quiet.exitCode).to.equal(0);
    });
  });
});
