import { expect } from "chai";
import { formatPhase, phaseProgress } from "../../src/cli/phase-progress.js";

describe("phase progress", () => {
  it("estimates a counted phase from its rate, an uncounted one from the expected duration", () => {
    expect(formatPhase("sending", 4_000, 120, 200)).to.equal("sending 120/200 (60%), 4.0 s elapsed, about 2.7 s left");
    expect(formatPhase("sending", 100, 0, 200)).to.equal("sending 0/200 (0%), 0.1 s elapsed");
    expect(formatPhase("smoke tests", 1_500, undefined, undefined, 4_000)).to.equal(
      "smoke tests, 1.5 s elapsed, about 2.5 s left",
    );
    expect(formatPhase("observing", 1_500)).to.equal("observing, 1.5 s elapsed");
  });

  it("prints through its line as it goes and the summary at the end, returning the elapsed time", () => {
    let clock = 1_000;
    const printed: string[] = [];
    const line = { update: (m: string) => void printed.push(m), done: (m: string) => void printed.push(`done: ${m}`) };
    const progress = phaseProgress("sending", { enabled: true, total: 4, now: () => clock, line });
    clock += 2_000;
    progress.update(1, "deploy CoreVault");
    clock += 1_000;
    expect(progress.end()).to.equal(3_000);
    expect(printed).to.deep.equal([
      "sending 0/4 (0%), 0.0 s elapsed",
      "sending 1/4 (25%), 2.0 s elapsed, about 6.0 s left deploy CoreVault",
      "done: sending done in 3.0 s",
    ]);
  });
});
