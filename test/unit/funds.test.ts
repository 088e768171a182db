import { expect } from "chai";
import { getAddress } from "ethers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { creditBatch } from "../../src/funds/migrate.js";
import { planCredit, type CreditState } from "../../src/funds/plan-credit.js";
import { buildSnapshot, snapshotCsv } from "../../src/funds/snapshot.js";
import type { UserReads } from "../../src/funds/read-users.js";
import { DEXETRA_V5, REFERENCE } from "../../src/profile/builtins.js";
import type { CallStep } from "../../src/engine/types.js";

const A = (n: number) => getAddress(`0x${n.toString(16).padStart(40, "0")}`);
const META = {
  network: "x",
  chainId: 1,
  block: 7,
  blockHash: "0x01",
  vault: A(0xaa),
  collateralToken: A(0xc0),
  profile: "dexetra-v5",
  marginInCollateral: true,
};
const user = (n: number, collateral: string, free: string, positions: UserReads["positions"] = []): UserReads => ({
  address: A(n),
  collateral,
  credit: "0",
  realizedPnl: "0",
  free,
  positions,
});
const reads = [
  user(3, "500", "500"),
  user(1, "1000", "700", [{ marketId: "0x11", size: "5", entryPrice: "10", marginLocked: "300" }]),
  user(2, "200", "150"), // 50 reserved for an order
];

describe("funds snapshot and credit plan (pure)", () => {
  it("sorts users, derives reserved margin, leaves users with positions or reservations, proves the rest", () => {
    const s = buildSnapshot(META, reads, { tokenBalance: "1700", collateral: "1700", marginLocked: "300" });
    expect(s.users.map((u) => u.address)).to.deep.equal([A(1), A(2), A(3)]);
    expect(s.users.map((u) => [u.reserved, u.migrate, u.left ?? ""])).to.deep.equal([
      ["0", "0", "1 open position"],
      ["50", "0", "margin reserved for orders"],
      ["0", "500", ""],
    ]);
    expect(s.reconciliation.ok).to.equal(true);
    expect(StandardMerkleTree.verify(s.merkle.root, ["address", "uint256"], [A(3), "500"], s.users[2].proof!)).to.equal(
      true,
    );
    // the same reads in another order give the same bytes
    expect(JSON.stringify(buildSnapshot(META, [...reads].reverse(), s.vaultTotals))).to.equal(JSON.stringify(s));
    expect(snapshotCsv(s).split("\n")[4]).to.match(/^TOTAL,1700,/);
  });

  it("flags a token shortfall and a deposited total the users do not explain", () => {
    const s = buildSnapshot(META, reads, { tokenBalance: "1600", collateral: "1800" });
    expect(s.reconciliation.ok).to.equal(false);
    expect(s.reconciliation.differences.filter((d) => d.flagged)).to.have.length(2);
  });

  it("plans grant, batches, renounce; nothing when nobody migrates; no grant when the creditor holds the role", () => {
    const snapshot = buildSnapshot(META, reads, { tokenBalance: "1700" });
    const state: CreditState = { snapshot, newVault: A(0xbb), creditor: A(0xd0), heldRole: false, batch: 1 };
    const body = planCredit(state, DEXETRA_V5);
    expect(body.steps.map((s) => s.id)).to.deep.equal(["grant-creditor", "credit:0", "renounce-creditor"]);
    expect((body.steps[1] as CallStep).actions[0].done).to.deep.equal([]);
    expect(body.steps[2].dependsOn).to.deep.equal(["grant-creditor", "credit:0"]);
    expect(planCredit({ ...state, heldRole: true }, DEXETRA_V5).steps.map((s) => s.id)).to.deep.equal(["credit:0"]);
    const nobody = buildSnapshot(META, [reads[1]], { tokenBalance: "1000" });
    expect(planCredit({ ...state, snapshot: nobody }, DEXETRA_V5).steps).to.deep.equal([]);
    expect(nobody.merkle.root).to.match(/^0x0{64}$/);
  });

  it("--batch: several credits per transaction only where the vault has multicall", () => {
    expect(creditBatch(REFERENCE, undefined)).to.equal(50);
    expect(creditBatch(DEXETRA_V5, undefined)).to.equal(1);
    expect(() => creditBatch(DEXETRA_V5, 10)).to.throw(/--batch.*no multicall/);
    expect(() => creditBatch(REFERENCE, 0)).to.throw(/--batch/);
  });
});
