// Report rendering is pure: the mermaid wiring groups OrderBooks when there are many, and marks what is off-plan.
import { expect } from "chai";
import type { CheckResult } from "../../src/verify/checks.js";
import { mermaidWiring, renderVerifyTable, type VerifyReport } from "../../src/verify/report.js";

const NEW = "0x1111111111111111111111111111111111111111";
const OLD = "0x2222222222222222222222222222222222222222";
const none = {
  DEFAULT_ADMIN_ROLE: [],
  FACTORY_ROLE: [],
  SETTLEMENT_ROLE: [],
  EXTERNAL_CREDITOR_ROLE: [],
  ORDERBOOK_ROLE: [],
};

function report(books: number, onOld: number, checks: CheckResult[] = []): VerifyReport {
  const address = (i: number) => `0x${(i + 16).toString(16).padStart(40, "0")}`;
  return {
    network: "n",
    chainId: 1,
    block: 5,
    oldVault: OLD,
    newVault: NEW,
    planId: `0x${"ab".repeat(32)}`,
    planFiles: [],
    passed: checks.filter((c) => c.status === "pass").length,
    failed: checks.filter((c) => c.status === "fail").length,
    notApplicable: 0,
    checks,
    wiring: {
      admins: [address(900)],
      roleHolders: { ...none, DEFAULT_ADMIN_ROLE: [address(900)], SETTLEMENT_ROLE: [address(901), address(902)] },
      plannedHolders: { ...none, DEFAULT_ADMIN_ROLE: [address(900)], SETTLEMENT_ROLE: [address(901)] },
      oldVaultPaused: true,
      pointers: [{ kind: "hub", address: address(800), vault: NEW }],
      orderBooks: Array.from({ length: books }, (_, i) => ({
        address: address(i),
        symbol: `M${i}`,
        vault: i < onOld ? OLD : NEW,
      })),
    },
  };
}

describe("verify report rendering", () => {
  it("draws few OrderBooks one by one, and many as one node per vault they call", () => {
    const few = mermaidWiring(report(3, 1));
    expect(few).to.include('ob0 -- "vault()" --> old\n  class ob0 bad');
    expect(few).to.include('ob2 -- "vault()" --> new');
    const many = mermaidWiring(report(1000, 3));
    expect(many).to.include('obs_old[["3 OrderBooks"]]');
    expect(many).to.include('obs_new[["997 OrderBooks"]]');
    expect(many).to.include("class obs_old bad");
    expect(many).to.not.include("ob999");
  });

  it("marks a role holder no plan wired, and prints each failure with expected, found and fix", () => {
    const text = mermaidWiring(report(1, 0));
    expect(text).to.match(
      /settle1\(\["not in the plan<br\/>0x0000…0396"\]\) -- "SETTLEMENT_ROLE" --> new\n {2}class settle1 bad/,
    );
    const failing: CheckResult = {
      name: "x.y",
      title: "a title",
      status: "fail",
      evidence: "e",
      failures: [{ subject: "s", expected: "e1", found: "f1", fix: "do it" }],
    };
    const table = renderVerifyTable(report(1, 0, [failing, { ...failing, name: "z", status: "pass", failures: [] }]));
    expect(table).to.include("FAIL x.y: a title\n  - s\n      expected: e1\n      found:    f1\n      fix:      do it");
    expect(table).to.match(/1 passed, 1 failed, 0 not applicable$/);
  });
});
