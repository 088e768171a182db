// corevault:migrate-funds --mode credit through the task on both profiles (in-process chain): 200 users with open
// positions stay on the old vault, the depositors are credited exactly once (counted from the new vault's events),
// a deposit on the new vault between runs changes nothing, and a second snapshot's run is refused before sending.
import { expect } from "chai";
import { parseUnits, type Wallet } from "ethers";
import hre from "hardhat";
import { mockWallet } from "../../src/mocks/deploy-system.js";
import { fundsChecks, readJsonFile } from "../helpers/claims.js";
import { creditsByUser, deposit, type ProfileName } from "../helpers/funds.js";
import { sharedFundsSystem } from "../helpers/funds-shared.js";
import { conn, nonce, tempAppConfig } from "../helpers/system.js";
import { runJson, taskError } from "../helpers/tasks.js";

await tempAppConfig("cutover-funds-credit-");

for (const profile of ["reference", "dexetra-v5"] as ProfileName[]) {
  describe(`corevault:migrate-funds --mode credit (${profile} profile, in-process chain)`, function () {
    this.timeout(600_000);
    const previous = hre.config.cutover.protocol;
    after(() => {
      hre.config.cutover.protocol = previous;
      process.exitCode = 0;
    });

    it("credits each depositor once, leaves users with positions on the old vault, refuses a second snapshot's run", async () => {
      const [admin] = await conn.ethers.getSigners();
      const f = await sharedFundsSystem(profile);
      // one more depositor, whose deposit is the chain's last transaction: the default snapshot block misses it
      const late = mockWallet(`credit-${profile}`, "late depositor", 0, conn);
      await deposit(f, late, parseUnits("999", 6));
      const include = profile === "dexetra-v5" ? admin.address : "";
      const snap = await runJson("corevault:snapshot", { include });
      const snapshot = await readJsonFile(snap.files.json);
      const redeploy = await runJson("corevault:redeploy", {});
      expect(redeploy.complete).to.equal(true);
      const newVault = redeploy.deployed.CoreVault as string;

      const planOnly = await runJson("corevault:migrate-funds", { snapshot: snap.files.json, planOnly: true });
      const notes = planOnly.plan.notes.join("\n");
      expect(notes).to.include(`${snapshot.totals.leftUsers} users with open positions`);
      expect(planOnly.plan.steps[0].id).to.equal("grant-creditor");
      expect(planOnly.plan.steps.at(-1).id).to.equal("renounce-creditor");

      const run = await runJson("corevault:migrate-funds", { snapshot: snap.files.json });
      expect(run.complete, JSON.stringify(run.results?.filter((r: any) => r.status === "failed"))).to.equal(true);
      expect(run.credits.doubled).to.deep.equal([]);
      expect(run.credits.missing).to.deep.equal([]);
      const migrating = snapshot.users.filter((u: any) => u.migrate !== "0");
      expect(run.credits.credited).to.equal(migrating.length);
      expect(run.credits.total).to.equal(snapshot.totals.migrate);

      // raw events: each migrating user exactly once, with the snapshot's amount; nobody with a position
      const credits = await creditsByUser(conn, profile, newVault);
      for (const user of migrating)
        expect(credits.get(user.address), user.address).to.deep.equal([BigInt(user.migrate)]);
      for (const trader of snapshot.users.filter((u: any) => u.migrate === "0"))
        expect(credits.has(trader.address)).to.equal(false);
      const role = await f.vaultContract.EXTERNAL_CREDITOR_ROLE();
      const fresh = f.vaultContract.attach(newVault) as typeof f.vaultContract;
      expect(await fresh.hasRole(role, admin.address)).to.equal(false);

      // a depositor deposits on the new vault; the rerun sends nothing and counts one credit each still
      await deposit({ ...f, vault: newVault }, f.depositors[0] as Wallet, parseUnits("77", 6));
      const before = await nonce();
      const rerun = await runJson("corevault:migrate-funds", { snapshot: snap.files.json });
      expect(rerun.complete).to.equal(true);
      expect(rerun.credits.doubled).to.deep.equal([]);
      expect(await nonce()).to.equal(before);

      // the first snapshot's default block (latest − 1) was before the late depositor's deposit; a snapshot now has
      // that depositor too: another root, another run, refused before sending, naming a user already credited
      const last = late.address;
      expect(migrating.map((u: any) => u.address)).to.not.include(last);
      const later = await runJson("corevault:snapshot", { include, vault: f.vault });
      expect(later.merkleRoot).to.not.equal(snap.merkleRoot);
      const refused = await taskError("corevault:migrate-funds", { snapshot: later.files.json, json: true });
      expect(refused.message).to.match(/already credited .* a transaction this run's journal does not hold/);
      expect(await nonce()).to.equal(before);
      expect((await creditsByUser(conn, profile, newVault)).get(migrating[0].address)).to.have.length(1);

      // verify the money: credited once, the total, the old vault; the new vault is solvent once funded
      let checks = await fundsChecks(snap.files.json);
      expect(checks["funds-credited-once"].status, JSON.stringify(checks)).to.equal("pass");
      expect(checks["funds-credited-total"].status).to.equal("pass");
      expect(checks["funds-solvency"].status).to.equal("fail");
      expect(checks["funds-solvency"].failures[0].fix).to.match(/send the new vault \d+ collateral tokens/);
      await (await f.usdc.mint(newVault, BigInt(snapshot.totals.migrate))).wait();
      checks = await fundsChecks(snap.files.json);
      expect(checks["funds-solvency"].status, JSON.stringify(checks["funds-solvency"])).to.equal("pass");

      // a user the migration missed (the later snapshot has the late depositor)
      checks = await fundsChecks(later.files.json);
      expect(checks["funds-credited-once"].status).to.equal("fail");
      expect(checks["funds-credited-once"].failures.map((x: any) => [x.subject, x.found])).to.deep.include([
        last,
        "no credit",
      ]);

      // a planted double credit
      await (await fresh.grantRole(role, admin.address)).wait();
      await (await fresh.creditExternal(migrating[3].address, 1n)).wait();
      checks = await fundsChecks(snap.files.json);
      expect(checks["funds-credited-once"].status).to.equal("fail");
      expect(checks["funds-credited-once"].failures.map((x: any) => x.subject)).to.deep.equal([migrating[3].address]);
      expect(checks["funds-credited-total"].status).to.equal("fail");
    });
  });
}
