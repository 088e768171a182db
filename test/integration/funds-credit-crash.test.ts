// corevault:migrate-funds --mode credit killed with SIGKILL at several points (a real child process, a node mining on
// an interval), a deposit on the new vault between runs, then run again: every depositor is credited exactly once,
// counted from the new vault's events; the creditor sent exactly the plan's transactions. Both profiles: reference
// (credits batched through multicall, --batch 2) and the Dexetra v5 stand-in (no multicall: one credit per transaction).
import { expect } from "chai";
import { parseUnits } from "ethers";
import { crashNode, killAndRerun } from "../helpers/crash.js";
import { creditsByUser, deposit, type ProfileName } from "../helpers/funds.js";
import { depositOf, fundsOnNode } from "../helpers/funds-crash.js";
import { journalPath, type LocalNode } from "../helpers/node.js";
import { nonce } from "../helpers/system.js";

const CASES: { profile: ProfileName; depositors: number; batch?: number; sent: number[]; journal: number }[] = [
  // grant + 12 credit batches + renounce
  { profile: "reference", depositors: 24, batch: 2, sent: [1, 11], journal: 7 },
  // grant + one credit per depositor + renounce
  { profile: "dexetra-v5", depositors: 12, sent: [1, 7], journal: 9 },
];

for (const { profile, depositors, batch, sent, journal: journalN } of CASES) {
  describe(`corevault:migrate-funds --mode credit survives SIGKILL with nobody credited twice (${profile})`, function () {
    let node: LocalNode;
    before(async () => {
      node = await crashNode();
    });

    const scenario = async (name: string, kill: { killAfterSent?: number; fault?: string }) => {
      const { conn } = node;
      const setup = await fundsOnNode(node, profile, `credit-crash-${profile}-${name}`, depositors);
      const { f, admin, wallets, snapshot, newVault } = setup;
      const journal = journalPath(
        "localhost",
        `funds-migrate-${newVault.toLowerCase()}-credit-${snapshot.merkle.root.slice(2, 18)}`,
      );
      const from = (await conn.ethers.provider.getBlockNumber()) + 1;
      const before = await nonce(admin, conn);
      const args = setup.migrateArgs(...(batch ? ["--batch", String(batch)] : []), "--json");
      const { out } = await killAndRerun(node, {
        args,
        journal,
        ...kill,
        // a depositor deposits on the new vault between the runs
        between: async () => {
          await node.mining();
          await deposit({ ...f, vault: newVault }, wallets[0], parseUnits("5", 6), conn);
        },
      });
      const sentByDeposit = 1; // the admin mints the depositor's USDC
      expect(out.credits.doubled).to.deep.equal([]);
      expect(out.credits.missing).to.deep.equal([]);

      const counts = await creditsByUser(conn, profile, newVault, from);
      for (const [i, w] of wallets.entries())
        expect(counts.get(w.address), `${name}: credits of depositor ${i}`).to.deep.equal([depositOf(i)]);
      expect([...counts.values()].flat()).to.have.length(depositors);
      // grant + the credit transactions + renounce, each sent once
      const credits = batch ? depositors / batch : depositors;
      expect((await nonce(admin, conn)) - before - sentByDeposit).to.equal(credits + 2);
    };

    for (const k of sent) {
      it(`killed once ${k} transactions are broadcast, then re-run`, async () => {
        await scenario(`sent-${k}`, { killAfterSent: k });
      });
    }

    it("killed right after a broadcast, before its hash is journaled", async () => {
      await scenario("after-broadcast", { fault: "kill-after-broadcast:4" });
    });

    it("killed right after a transaction is journaled, before it is broadcast", async () => {
      await scenario("after-journal", { fault: `kill-after-journal:${journalN}` });
    });
  });
}
