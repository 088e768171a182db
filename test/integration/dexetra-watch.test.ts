// `cutover:watch` and `cutover:scan-stale` on the production shape: the Dexetra v5 stand-in after
// `corevault:redeploy --rewire --halt-old` through the dexetra-v5 profile (the suites of status-watch.test.ts and
// scan-stale-task.test.ts, on dexetra-v5).
import { expect } from "chai";
import { Contract, getAddress, id, parseEther, parseUnits, toBeHex } from "ethers";
import hre from "hardhat";
import { resolveProfile } from "../../src/profile/resolve.js";
import type { WatchLine, WatchSummary } from "../../src/watch/watch.js";
import { dexetraFixture, ORDERBOOK_SLOT, standInProtocol, type DexetraFixture } from "../helpers/dexetra.js";
import { fileTree } from "../helpers/files.js";
import { conn, tempAppConfig } from "../helpers/system.js";
import { runJson, withExitCode } from "../helpers/tasks.js";

await tempAppConfig("cutover-dexetra-watch-");

describe("dexetra-v5: cutover:watch and cutover:scan-stale", () => {
  const previous = hre.config.cutover.protocol;
  let f: DexetraFixture;
  let oldVault: string;
  let newVault: string;
  let deployedAt: number;
  let cutoverBlock: number;

  before(async () => {
    deployedAt = (await conn.ethers.provider.getBlockNumber()) + 1;
    f = await dexetraFixture(conn, { markets: 3, seed: "dexetra-watch" });
    hre.config.cutover.protocol = resolveProfile(standInProtocol(f.admin.address));
    oldVault = getAddress(String(f.vault.target));
    const admin = (await conn.ethers.getSigners())[5].address;
    const outcome = await runJson("corevault:redeploy", { rewire: true, haltOld: true, admin, allowEoa: true });
    expect(outcome.complete).to.equal(true);
    newVault = getAddress(outcome.deployed.CoreVault);
    cutoverBlock = await conn.ethers.provider.getBlockNumber();
  });
  after(() => {
    hre.config.cutover.protocol = previous;
  });
  afterEach(() => {
    process.exitCode = 0;
  });

  async function watch(args: Record<string, unknown>) {
    const { printed, exitCode } = await withExitCode("cutover:watch", { json: true, pollMs: 20, ...args });
    const parsed = printed
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const summary = parsed.find((l) => l.kind === "summary") as WatchSummary;
    return { lines: parsed.filter((l) => l.kind !== "summary") as WatchLine[], summary, exitCode };
  }

  it("replays the cutover itself (the halt's revokes, the plans' grants and renounces) without an alarm", async () => {
    const { summary, lines, exitCode } = await watch({
      fromBlock: String(deployedAt),
      blocks: cutoverBlock - deployedAt + 1,
      oldVault,
    });
    expect(lines.filter((l) => l.kind === "alarm")).to.deep.equal([]);
    expect(exitCode).to.equal(0);
    expect(summary).to.include({ oldVault, newVault, alarms: 0 });
    const revoked = lines.filter((l) => l.vault === "old" && l.event === "RoleRevoked");
    expect(revoked, "the halt: ORDERBOOK_ROLE revoked from each OrderBook").to.have.length(f.books.length);
  });

  it("raises an ALARM for trading on the old vault (one OrderBook put back there) and for a role change no plan made", async () => {
    const from = (await conn.ethers.provider.getBlockNumber()) + 1;
    // an OrderBook put back on the old vault, trading again there: its storage word and ORDERBOOK_ROLE restored
    const back = f.books[2];
    const word = `0x${oldVault.slice(2).toLowerCase().padStart(64, "0")}`;
    await conn.provider.request({
      method: "hardhat_setStorageAt",
      params: [back.orderBook, toBeHex(ORDERBOOK_SLOT, 32), word],
    });
    await (await f.vault.grantRole(id("ORDERBOOK_ROLE"), back.orderBook)).wait();
    const price = parseUnits("100", 6);
    await (await (back.book.connect(f.bob) as Contract).placeLimitOrder(price, parseEther("1"), false)).wait();
    await (await (back.book.connect(f.alice) as Contract).placeLimitOrder(price, parseEther("1"), true)).wait();
    // a role change on the new vault that no plan made
    const admin = await conn.ethers.getSigner((await conn.ethers.getSigners())[5].address);
    const fresh = new Contract(newVault, ["function grantRole(bytes32, address)"], admin);
    await (await fresh.grantRole(id("SETTLEMENT_ROLE"), f.stranger.address)).wait();
    const to = await conn.ethers.provider.getBlockNumber();

    const { lines, summary, exitCode } = await watch({ fromBlock: String(from), blocks: to - from + 1, oldVault });
    expect(exitCode).to.equal(1);
    const alarms = lines.filter((l) => l.kind === "alarm");
    const oldActivity = alarms.filter((l) => l.vault === "old" && l.alarm?.startsWith("OrderBook activity on the OLD"));
    expect(oldActivity.length, JSON.stringify(lines)).to.be.greaterThan(0);
    expect(JSON.stringify(oldActivity)).to.include(back.orderBook);
    expect(alarms.filter((l) => l.vault === "new").map((l) => [l.event, l.alarm])).to.deep.equal([
      ["RoleGranted", "role change on the new vault that no plan of the cutover makes"],
    ]);
    expect(summary.alarms).to.equal(alarms.length);
  });

  it("cutover:scan-stale finds the old vault from the records (superseded) in an app's files", async () => {
    const root = await fileTree("cutover-dexetra-scan-", {
      "src/config.ts": `export const VAULT = "${oldVault}";\n`,
      "src/fresh.ts": `export const VAULT = "${newVault}";\n`,
    });
    const { printed, exitCode } = await withExitCode("cutover:scan-stale", { root, json: true });
    const report = JSON.parse(printed);
    expect(report.files).to.equal(1);
    expect(report.references.map((r: { file: string; address: string }) => [r.file, r.address])).to.deep.equal([
      ["src/config.ts", oldVault],
    ]);
    expect(exitCode).to.equal(1);
  });
});
