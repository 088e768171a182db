// corevault:migrate-funds --settle-at through the task on both profiles (in-process chain, 200 traders with open
// positions): a bad price is refused before sending; the plan shows each market's price; the run settles the markets
// through the profile's call (raw reads agree); a new snapshot then migrates the former traders, credited once.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import { Interface } from "ethers";
import hre from "hardhat";
import type { ProfileName } from "../helpers/funds.js";
import { sharedFundsSystem } from "../helpers/funds-shared.js";
import { conn, nonce, tempAppConfig } from "../helpers/system.js";
import { runJson, taskError } from "../helpers/tasks.js";

await tempAppConfig("cutover-funds-settle-");

const SETTLED = new Interface(["function marketSettled(bytes32) view returns (bool)"]);
const readJson = async (file: string) => JSON.parse(await readFile(path.join(hre.config.paths.root, file), "utf8"));

for (const profile of ["reference", "dexetra-v5"] as ProfileName[]) {
  describe(`corevault:migrate-funds --settle-at (${profile} profile, in-process chain)`, function () {
    this.timeout(900_000);
    const previous = hre.config.cutover.protocol;
    after(() => {
      hre.config.cutover.protocol = previous;
      process.exitCode = 0;
    });

    it("settles the markets with positions, then a new snapshot migrates their users too", async () => {
      const [admin] = await conn.ethers.getSigners();
      const f = await sharedFundsSystem(profile);
      const include = profile === "dexetra-v5" ? admin.address : "";
      const snap = await runJson("corevault:snapshot", { include, vault: f.vault });
      const snapshot = await readJson(snap.files.json);
      const markets = Object.entries(snapshot.totals.perMarket)
        .filter(([, m]: [string, any]) => m.positions > 0)
        .map(([id]) => id);
      expect(markets.length).to.be.greaterThan(0);
      expect(snapshot.totals.leftUsers).to.be.greaterThan(190);

      // bad prices: refused before anything is sent, naming the input and the fix
      const sent = await nonce();
      for (const bad of ["-1", "0", "1.1234567", "abc"]) {
        const error = await taskError("corevault:migrate-funds", { snapshot: snap.files.json, settleAt: bad });
        expect(error.message).to.include(`--settle-at: "${bad}"`).and.include("at most 6 decimals");
      }
      expect(await nonce()).to.equal(sent);

      // the plan shows each market's price: a given one in collateral units, or each market's mark price
      const given = await runJson("corevault:migrate-funds", {
        snapshot: snap.files.json,
        settleAt: "123.5",
        planOnly: true,
      });
      const settles = given.plan.steps.filter((s: { id: string }) => s.id.startsWith("settle:"));
      expect(settles.map((s: any) => s.id)).to.deep.equal(markets.map((m) => `settle:${m}`));
      for (const s of settles) expect(s.label).to.match(/ at 123500000$/);
      expect(given.plan.notes.join("\n")).to.include("take a new snapshot");

      const run = await runJson("corevault:migrate-funds", { snapshot: snap.files.json, settleAt: "mark" });
      expect(run.complete, JSON.stringify({ ...run, plan: undefined }).slice(0, 2000)).to.equal(true);
      expect(run.next).to.include("take a new snapshot");
      const ids = run.results.map((r: { id: string }) => r.id);
      if (profile === "reference") {
        // settleMarket needs SETTLEMENT_ROLE here: held for the run only; positions closed by settlePosition
        expect(ids[0]).to.equal("grant-settlement-role");
        expect(ids.at(-1)).to.equal("renounce-settlement-role");
        expect(ids.filter((i: string) => i.startsWith("settle-positions:")).length).to.be.greaterThan(0);
      }
      for (const m of markets) {
        const data = await conn.ethers.provider.call({
          to: f.vault,
          data: SETTLED.encodeFunctionData("marketSettled", [m]),
        });
        expect(SETTLED.decodeFunctionResult("marketSettled", data)[0], m).to.equal(true);
      }
      const before = await nonce();
      const rerun = await runJson("corevault:migrate-funds", { snapshot: snap.files.json, settleAt: "mark" });
      expect(rerun.complete).to.equal(true);
      expect(await nonce()).to.equal(before);

      // a new snapshot: the traders hold no open position any more and migrate
      const block = String(await conn.ethers.provider.getBlockNumber());
      expect(run.next).to.include(`--block ${block}`);
      const later = await runJson("corevault:snapshot", { include, vault: f.vault, block });
      const after = await readJson(later.files.json);
      const open = after.users.flatMap((u: any) => u.positions.filter((p: any) => p.size !== "0"));
      expect(open).to.deep.equal([]);
      // those still left hold margin for resting orders only (their owners cancel them): no open position
      for (const u of after.users.filter((u: any) => u.left)) expect(u.left).to.not.include("open position");
      const traders = snapshot.users.filter((u: any) => u.left?.includes("open position")).map((u: any) => u.address);
      const migrated = new Set(after.users.filter((u: any) => u.migrate !== "0").map((u: any) => u.address));
      const nowMigrated = traders.filter((t: string) => migrated.has(t));
      expect(nowMigrated.length).to.be.greaterThan(traders.length / 4);
      expect(after.totals.leftUsers).to.be.lessThan(snapshot.totals.leftUsers);

      // and they are credited once on the new vault with the new snapshot
      const redeploy = await runJson("corevault:redeploy", { pauseOld: true });
      expect(redeploy.complete).to.equal(true);
      const credit = await runJson("corevault:migrate-funds", { snapshot: later.files.json });
      expect(credit.complete).to.equal(true);
      expect(credit.credits.doubled).to.deep.equal([]);
      expect(credit.credits.missing).to.deep.equal([]);
      expect(credit.credits.credited).to.equal(after.totals.migratedUsers);
      expect(credit.credits.credited).to.be.at.least(snapshot.totals.migratedUsers + nowMigrated.length);
    });
  });
}
