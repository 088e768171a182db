// corevault:snapshot through the task on both profiles: 200 users with open positions plus plain depositors.
import { readFile } from "node:fs/promises";
import { expect } from "chai";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { getAddress, parseUnits } from "ethers";
import hre from "hardhat";
import { mockWallet } from "../../src/mocks/deploy-system.js";
import { deposit, useProfile, type ProfileName } from "../helpers/funds.js";
import { SHARED, sharedFundsSystem } from "../helpers/funds-shared.js";
import { conn } from "../helpers/system.js";
import { runJson, taskError, withExitCode } from "../helpers/tasks.js";

const root = hre.config.paths.root;
const read = (file: string) => readFile(`${root}/${file}`, "utf8");

for (const profile of ["reference", "dexetra-v5"] as ProfileName[]) {
  describe(`corevault:snapshot (${profile} profile, in-process chain)`, function () {
    this.timeout(600_000);
    let previous: ReturnType<typeof useProfile>;
    before(() => (previous = useProfile(profile)));
    after(() => {
      hre.config.cutover.protocol = previous;
      process.exitCode = 0;
    });

    it("200 users with open positions: totals reconcile, proofs verify, the same block gives byte-identical files", async () => {
      const f = await sharedFundsSystem(profile);
      const users = SHARED.traders + SHARED.depositors;
      const block = await conn.ethers.provider.getBlockNumber();
      // the stand-in's OrderBooks pay trading fees by transfer to their fee recipient (the admin), whom the vault does not list
      const [admin] = await conn.ethers.getSigners();
      const include = profile === "dexetra-v5" ? admin.address : "";
      const extra = include ? 1 : 0;
      const first = await runJson("corevault:snapshot", { block: String(block), include });
      expect(first.block).to.equal(block);
      expect(first.reconciliation.ok, JSON.stringify(first.reconciliation)).to.equal(true);
      const snapshot = JSON.parse(await read(first.files.json));
      const byAddress = new Map(snapshot.users.map((u: { address: string }) => [u.address, u]));
      expect(snapshot.users).to.have.length(users + extra);
      // a user with an open position stays on the old vault; the positions are those the vault returns (raw read)
      const open = (u: any) => u.positions.some((p: any) => BigInt(p.size) !== 0n);
      for (const trader of f.traders.slice(0, 20)) {
        const user = byAddress.get(getAddress(trader)) as any;
        const raw = await f.vaultContract.getUserPositions(trader, { blockTag: block });
        expect(user.positions.map((p: any) => [p.marketId, p.size, p.marginLocked])).to.deep.equal(
          raw.map((p: any) => [p[0], p[1].toString(), p[3].toString()]),
        );
      }
      const withPositions = snapshot.users.filter(open);
      expect(withPositions.length).to.be.greaterThan(150);
      for (const user of withPositions) expect([user.migrate, user.left]).to.deep.equal(["0", user.left ?? "missing"]);
      for (const user of withPositions) expect(user.left).to.match(/open position/);
      // plain depositors migrate their whole balance, read here without the plugin
      for (const [i, wallet] of f.depositors.entries()) {
        const user = byAddress.get(wallet.address) as any;
        expect(user.migrate).to.equal(parseUnits(String(1000 + i), 6).toString());
        const raw =
          profile === "reference"
            ? await f.vaultContract.availableCollateral(wallet.address, { blockTag: block })
            : await f.vaultContract.getAvailableCollateral(wallet.address, { blockTag: block });
        expect(user.free).to.equal(raw.toString());
        expect(
          StandardMerkleTree.verify(
            snapshot.merkle.root,
            ["address", "uint256"],
            [user.address, user.migrate],
            user.proof,
          ),
        ).to.equal(true);
      }
      const migrating = snapshot.users.filter((u: any) => u.migrate !== "0");
      expect(snapshot.totals.migratedUsers)
        .to.equal(migrating.length)
        .and.to.be.at.least(SHARED.depositors + extra);
      expect(snapshot.totals.leftUsers + snapshot.totals.migratedUsers).to.be.at.most(users + extra);
      const tokenBalance = await f.usdc.balanceOf(f.vault, { blockTag: block });
      expect(snapshot.vaultTotals.tokenBalance).to.equal(tokenBalance.toString());
      const tree = StandardMerkleTree.load(JSON.parse(await read(first.files.tree)));
      expect(tree.root).to.equal(snapshot.merkle.root);

      // a deposit after the block changes nothing at that block
      await deposit(f, mockWallet("late", "depositor", 0, conn), 5_000_000n);
      const files = await Promise.all([first.files.json, first.files.csv, first.files.tree].map(read));
      const second = await runJson("corevault:snapshot", { block: String(block), include });
      expect(await Promise.all([second.files.json, second.files.csv, second.files.tree].map(read))).to.deep.equal(
        files,
      );

      // default block: latest − confirmations (1): one block after the late deposit, it has it
      await conn.provider.request({ method: "evm_mine", params: [] });
      const latest = await runJson("corevault:snapshot", { include });
      expect(latest.block).to.equal((await conn.ethers.provider.getBlockNumber()) - 1);
      expect(latest.totals.users).to.equal(users + 1 + extra);
      const { printed, exitCode } = await withExitCode("corevault:snapshot", { block: String(block), include });
      expect(exitCode).to.equal(0);
      expect(printed).to.match(/reconciliation: ok/);
      expect(printed).to.include(`${users + extra} (${migrating.length} migrate`);
    });

    it("refuses a block past the latest, naming --block", async () => {
      const error = await taskError("corevault:snapshot", { block: "99999999" });
      expect(error.message).to.match(/--block/);
    });
  });
}
