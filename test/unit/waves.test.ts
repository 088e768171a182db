import { expect } from "chai";
import type { Step } from "../../src/engine/types.js";
import { senderGroups, sendingOrder, wavesOf } from "../../src/engine/waves.js";

const step = (id: string, from: string, dependsOn: string[] = []): Step => ({
  id,
  kind: "call",
  label: id,
  from,
  dependsOn,
  writes: [],
  actions: [],
});

describe("the order the engine sends a plan's steps in (waves.ts)", () => {
  const steps = [
    step("deploy", "0xA"),
    step("configure", "0xa", ["deploy"]),
    step("register", "0xA", ["grant"]),
    step("grant", "0xA", ["deploy"]),
    step("rewire", "0xB", ["deploy"]),
    step("handoff", "0xA", ["register", "configure"]),
  ];

  it("gives each step the wave applyPlan sends it in: one after its latest dependency's, wherever it is in the plan", () => {
    expect(Object.fromEntries(wavesOf(steps))).to.deep.equal({
      deploy: 0,
      configure: 1,
      grant: 1,
      register: 2,
      rewire: 1,
      handoff: 3,
    });
  });

  it("never sends a step in a cycle or after an unknown dependency", () => {
    const waves = wavesOf([step("a", "0xA", ["b"]), step("b", "0xA", ["a"]), step("c", "0xA", ["missing"])]);
    expect([...waves.values()]).to.deep.equal([Infinity, Infinity, Infinity]);
  });

  it("groups a wave by sender (any case), in the order of each sender's first step, plan order inside a group", () => {
    const wave = [step("x1", "0xB"), step("y1", "0xa"), step("x2", "0xb"), step("y2", "0xA")];
    expect(senderGroups(wave).map((g) => g.map((s) => s.id))).to.deep.equal([
      ["x1", "x2"],
      ["y1", "y2"],
    ]);
  });

  it("orders the steps still to send wave by wave, then sender by sender (what the whole-plan simulation runs)", () => {
    const pending = steps.filter((s) => s.id !== "deploy");
    expect(sendingOrder(steps, pending).map((s) => s.id)).to.deep.equal([
      "configure",
      "grant",
      "rewire",
      "register",
      "handoff",
    ]);
    const mixed = [step("b1", "0xB"), step("a1", "0xA"), step("b2", "0xB")];
    expect(sendingOrder(mixed, mixed).map((s) => s.id)).to.deep.equal(["b1", "b2", "a1"]);
    // a Safe's or timelock's steps are served after the accounts' sends of their wave
    expect(sendingOrder(mixed, mixed, ["0xb"]).map((s) => s.id)).to.deep.equal(["a1", "b1", "b2"]);
  });
});
