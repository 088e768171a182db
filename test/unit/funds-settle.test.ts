import { expect } from "chai";
import { getAddress } from "ethers";
import { openPositions, parseSettleAt, planSettle, type SettleState } from "../../src/funds/plan-settle.js";
import type { Snapshot } from "../../src/funds/snapshot.js";
import { DEXETRA_V5, REFERENCE } from "../../src/profile/builtins.js";

const A = (n: number) => getAddress(`0x${n.toString(16).padStart(40, "0")}`);

describe("--settle-at (pure)", () => {
  it("takes mark or a positive price with at most the collateral's decimals; refuses the rest naming --settle-at", () => {
    expect(parseSettleAt("mark", 6)).to.equal("mark");
    expect(parseSettleAt("101.5", 6)).to.equal(101_500_000n);
    expect(parseSettleAt("7", 6)).to.equal(7_000_000n);
    for (const bad of ["0", "0.000000", "-1", "1.1234567", "1e3", "", "abc"])
      expect(() => parseSettleAt(bad, 6), bad).to.throw(/--settle-at.*at most 6 decimals/);
  });

  it("settles only the markets with open positions, and closes those positions where the profile says so", () => {
    const position = (marketId: string, size: string) => ({ marketId, size, entryPrice: "1", marginLocked: "5" });
    const snapshot = {
      users: [
        { address: A(1), positions: [position("0x11", "3"), position("0x22", "0")] },
        { address: A(2), positions: [position("0x11", "-3")] },
      ],
    } as unknown as Snapshot;
    const open = openPositions(snapshot);
    expect(open.markets).to.deep.equal(["0x11"]);
    expect(open.positions).to.deep.equal([
      { user: A(1), marketId: "0x11" },
      { user: A(2), marketId: "0x11" },
    ]);
    const state: SettleState = {
      vault: A(0xaa),
      markets: [{ marketId: "0x11", price: "42" }],
      positions: open.positions,
      sender: A(0xad),
      role: { name: "SETTLEMENT_ROLE", held: false },
      batch: 50,
    };
    // reference: the role borrowed for the run, settleMarket, then settlePosition for each position in one batch
    const reference = planSettle(state, REFERENCE, REFERENCE.vault.funds!);
    expect(reference.steps.map((s) => s.id)).to.deep.equal([
      "grant-settlement-role",
      "settle:0x11",
      "settle-positions:0",
      "renounce-settlement-role",
    ]);
    expect(reference.steps[1].label).to.equal("settle market 0x11 at 42");
    expect(reference.steps[0].kind === "call" && reference.steps[0].temporary).to.equal(true);
    // dexetra-v5: settleMarket closes every position itself and needs no role
    const dexetra = planSettle({ ...state, role: undefined, batch: 1 }, DEXETRA_V5, DEXETRA_V5.vault.funds!);
    expect(dexetra.steps.map((s) => s.id)).to.deep.equal(["settle:0x11"]);
    expect(dexetra.notes!.join("\n")).to.include("0x11 at 42").and.include("take a new snapshot");
  });
});
