import { expect } from "chai";
import { canonicalJson } from "../../src/engine/plan.js";
import { planJsonChunks } from "../../src/engine/plan-file.js";
import type { Plan } from "../../src/engine/types.js";
import { toJson } from "../../src/util/json.js";

/** The definition canonicalJson must match: JSON.stringify of the value rebuilt with sorted keys at every level. */
function reference(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (typeof v === "bigint") return v.toString();
    if (v !== null && typeof v === "object" && !Array.isArray(v))
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, (v as Record<string, unknown>)[k]]),
      );
    return v;
  });
}

describe("canonicalJson written in one pass", () => {
  it("gives exactly the text of the sorted rebuild, for every kind of value a plan holds", () => {
    const values: unknown[] = [
      null,
      true,
      0,
      -1.5,
      Number.NaN,
      'quote " backslash \\ newline \n unicode é ✓ 😀',
      12345678901234567890n,
      [],
      {},
      [1, undefined, () => 1, null, [2, [3]], { b: 1, a: 2 }],
      {
        z: 1,
        a: undefined,
        m: () => 1,
        "10": "ten",
        "2": "two",
        "-1": "minus",
        "01": "zero-one",
        B: [{ y: 2n, x: 1 }],
      },
      { when: new Date(0), nested: { deeper: { list: [{ k: "v", j: null }] } } },
      {
        id: "0x" + "ab".repeat(32),
        steps: Array.from({ length: 50 }, (_, i) => ({
          id: `rewire:0x${i.toString(16).padStart(40, "0")}`,
          dependsOn: i > 0 ? ["deploy:facet"] : [],
          actions: [{ call: { to: { $ref: "VaultAdminFacet" }, fn: "diamondCut", args: [[1, 2n], "0x"] } }],
        })),
      },
    ];
    for (const value of values) expect(canonicalJson(value), reference(value)).to.equal(reference(value));
  });
});

describe("plan.json written a step at a time", () => {
  it("joins to exactly toJson(plan), with steps and without", () => {
    const steps = [
      { id: "deploy:facet", kind: "deploy", contract: "F", args: [1n], libraries: {}, dependsOn: [], writes: [] },
      {
        id: "rewire:0xab",
        kind: "call",
        actions: [{ call: { to: "0xab", fn: "f", args: ["a\nb", [2n]] } }],
        dependsOn: ["deploy:facet"],
      },
    ];
    const plan = {
      id: "0x01",
      task: "orderbook:rewire",
      runKey: "k",
      network: "localhost",
      chainId: 31337,
      facts: { "a.b": "1" },
      observedBlock: 7,
      known: {},
      steps,
      notes: ["n"],
      labels: { "0xab": "Book" },
    } as unknown as Plan;
    expect([...planJsonChunks(plan)].join("")).to.equal(toJson(plan));
    expect([...planJsonChunks({ ...plan, steps: [] })].join("")).to.equal(toJson({ ...plan, steps: [] }));
  });
});
