// withdraw-only in a dual-vault period (reference mock, in-process chain): while a cutover keeps markets on the old
// vault, halting that vault would stop them, so the run is refused with nothing sent, naming the kept markets and
// the fix; once they are moved too, the same snapshot's withdraw-only run plans and completes.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import type { SystemRecord } from "../../src/records/records.js";
import { conn, freshSystem, nonce, tempAppConfig } from "../helpers/system.js";
import { runJson, taskError } from "../helpers/tasks.js";

await tempAppConfig("cutover-withdraw-dual-");
const [, admin] = await conn.ethers.getSigners();

describe("corevault:migrate-funds --mode withdraw-only in a dual-vault period (reference profile)", () => {
  let system: SystemRecord;

  before(async () => {
    system = await freshSystem({ markets: 3, users: 2, seed: "withdraw-dual" });
  });

  it("is refused while markets are kept on the old vault, with nothing sent; runs once they are moved", async () => {
    const [a, b, c] = system.markets;
    const oldVault = system.contracts.CORE_VAULT;
    const moved = await runJson("corevault:redeploy", {
      markets: a.symbol,
      rewire: true,
      admin: admin.address,
      allowEoa: true,
    });
    expect(moved.complete).to.equal(true);
    const snap = await runJson("corevault:snapshot", { vault: oldVault });
    const snapshot = JSON.parse(await readFile(path.join(hre.config.paths.root, snap.files.json), "utf8"));
    expect(snapshot.totals.users).to.be.greaterThan(0);

    const before = await nonce();
    const refused = await taskError("corevault:migrate-funds", { snapshot: snap.files.json, mode: "withdraw-only" });
    expect(refused.message).to.include("Invalid --snapshot").and.include("kept there by the dual-vault split");
    for (const kept of [b, c]) expect(refused.message).to.include(kept.symbol).and.include(kept.orderBook);
    expect(refused.message).to.not.include(`${a.symbol} (`);
    expect(refused.message).to.include(`orderbook:rewire --markets ${b.symbol},${c.symbol}`);
    expect(await nonce()).to.equal(before);

    const rest = await runJson("orderbook:rewire", { markets: `${b.symbol},${c.symbol}`, signer: admin.address });
    expect(rest.complete).to.equal(true);
    const withdraw = await runJson("corevault:migrate-funds", { snapshot: snap.files.json, mode: "withdraw-only" });
    expect(withdraw.complete).to.equal(true);
    expect(withdraw.checks.map((check: { status: string }) => check.status)).to.not.include("fail");
  });
});
