import { expect } from "chai";
import { roleId, type VaultRole } from "../../src/corevault/observe.js";
import { describeStep, makePlan } from "../../src/engine/plan.js";
import type { CallStep } from "../../src/engine/types.js";
import { planRegrant, REGRANT_TASK, type RegrantPlanInputs } from "../../src/roles/plan-regrant.js";
import { planContent } from "../../src/engine/run.js";
import { liveFromFacts, parseDesiredRoles, roleFacts } from "../../src/roles/regrant.js";
import { reconcileRoles, type ReconcileInput, type RoleGraph, type RoleOperation } from "../../src/roles/reconcile.js";

const EXECUTOR = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const B = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const C = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const D = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
const E = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";
const F = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const VAULT = "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9";

const ADMINS: Record<VaultRole, VaultRole> = {
  DEFAULT_ADMIN_ROLE: "DEFAULT_ADMIN_ROLE",
  FACTORY_ROLE: "DEFAULT_ADMIN_ROLE",
  SETTLEMENT_ROLE: "DEFAULT_ADMIN_ROLE",
  EXTERNAL_CREDITOR_ROLE: "DEFAULT_ADMIN_ROLE",
  ORDERBOOK_ROLE: "FACTORY_ROLE",
};

function reconcile(desired: RoleGraph, live: RoleGraph, options: Partial<ReconcileInput> = {}) {
  return reconcileRoles({
    desired,
    live: { DEFAULT_ADMIN_ROLE: [EXECUTOR], ...live },
    admins: ADMINS,
    executor: EXECUTOR,
    revokeExtra: false,
    ...options,
  });
}

/** Operations as "kind ROLE account" lines, temporary ones marked. */
function ops(operations: RoleOperation[]): string[] {
  return operations.map(
    (op) =>
      `${op.phase === "temporary" ? "temporary " : ""}${op.kind} ${op.role} ${op.account}${op.via ? ` via ${op.via}` : ""}`,
  );
}

describe("reconcileRoles", () => {
  it("grants what is missing before it revokes what is extra, and leaves roles absent from the desired graph alone", () => {
    const result = reconcile(
      { SETTLEMENT_ROLE: [C, B] },
      { SETTLEMENT_ROLE: [B, D], EXTERNAL_CREDITOR_ROLE: [E] },
      { revokeExtra: true },
    );
    expect(result.refusals).to.deep.equal([]);
    expect(ops(result.operations)).to.deep.equal([`grant SETTLEMENT_ROLE ${C}`, `revoke SETTLEMENT_ROLE ${D}`]);
    expect(result.kept).to.deep.equal([]);
  });

  it("keeps and reports holders outside the desired graph unless revokeExtra", () => {
    const result = reconcile({ SETTLEMENT_ROLE: [B] }, { SETTLEMENT_ROLE: [B, D] });
    expect(result.operations).to.deep.equal([]);
    expect(result.kept).to.deep.equal([{ role: "SETTLEMENT_ROLE", account: D }]);
  });

  it("compares addresses in any letter case and ignores duplicates", () => {
    const result = reconcile({ SETTLEMENT_ROLE: [B.toLowerCase(), B, C.toLowerCase()] }, { SETTLEMENT_ROLE: [B] });
    expect(ops(result.operations)).to.deep.equal([`grant SETTLEMENT_ROLE ${C}`]);
  });

  it("has nothing to do when the live graph already matches", () => {
    const result = reconcile(
      { SETTLEMENT_ROLE: [B], DEFAULT_ADMIN_ROLE: [EXECUTOR] },
      { SETTLEMENT_ROLE: [B] },
      { revokeExtra: true },
    );
    expect(result).to.deep.equal({ operations: [], kept: [], refusals: [] });
  });

  describe("never leaves DEFAULT_ADMIN_ROLE without a holder", () => {
    it("refuses to remove its last holder, naming the role", () => {
      const result = reconcile({ DEFAULT_ADMIN_ROLE: [] }, {}, { revokeExtra: true });
      expect(result.refusals).to.have.length(1);
      expect(result.refusals[0].role).to.equal("DEFAULT_ADMIN_ROLE");
      expect(result.refusals[0].message).to.match(/DEFAULT_ADMIN_ROLE would be left without a holder/);
      expect(result.refusals[0].message).to.include(EXECUTOR);
    });

    it("refuses when every holder, not only the executor, would go", () => {
      const result = reconcile(
        { DEFAULT_ADMIN_ROLE: [] },
        { DEFAULT_ADMIN_ROLE: [EXECUTOR, B] },
        { revokeExtra: true },
      );
      expect(result.refusals.map((r) => r.role)).to.deep.equal(["DEFAULT_ADMIN_ROLE"]);
    });

    it("allows handing it over: the new admin is granted first, the executor renounces last", () => {
      const result = reconcile(
        { DEFAULT_ADMIN_ROLE: [C], SETTLEMENT_ROLE: [D] },
        { SETTLEMENT_ROLE: [B, EXECUTOR] },
        { revokeExtra: true },
      );
      expect(result.refusals).to.deep.equal([]);
      expect(ops(result.operations)).to.deep.equal([
        `grant DEFAULT_ADMIN_ROLE ${C}`,
        `grant SETTLEMENT_ROLE ${D}`,
        `revoke SETTLEMENT_ROLE ${B}`,
        `renounce SETTLEMENT_ROLE ${EXECUTOR}`,
        `renounce DEFAULT_ADMIN_ROLE ${EXECUTOR}`,
      ]);
    });

    it("without revokeExtra an empty desired list keeps the admins", () => {
      const result = reconcile({ DEFAULT_ADMIN_ROLE: [] }, {});
      expect(result.refusals).to.deep.equal([]);
      expect(result.kept).to.deep.equal([{ role: "DEFAULT_ADMIN_ROLE", account: EXECUTOR }]);
    });
  });

  describe("role admins", () => {
    it("grants itself the missing admin role temporarily when it holds that role's admin, and renounces it at the end", () => {
      const result = reconcile(
        { ORDERBOOK_ROLE: [B, C], DEFAULT_ADMIN_ROLE: [E] },
        { ORDERBOOK_ROLE: [B, D] },
        { revokeExtra: true },
      );
      expect(result.refusals).to.deep.equal([]);
      expect(ops(result.operations)).to.deep.equal([
        `temporary grant FACTORY_ROLE ${EXECUTOR}`,
        `grant DEFAULT_ADMIN_ROLE ${E}`,
        `grant ORDERBOOK_ROLE ${C} via FACTORY_ROLE`,
        `revoke ORDERBOOK_ROLE ${D} via FACTORY_ROLE`,
        `renounce FACTORY_ROLE ${EXECUTOR}`,
        `renounce DEFAULT_ADMIN_ROLE ${EXECUTOR}`,
      ]);
    });

    it("needs no temporary role when it holds the admin role already", () => {
      const result = reconcile({ ORDERBOOK_ROLE: [C] }, { FACTORY_ROLE: [EXECUTOR] });
      expect(ops(result.operations)).to.deep.equal([`grant ORDERBOOK_ROLE ${C}`]);
    });

    it("grants itself an admin role it is meant to keep before the grants that need it, and keeps it", () => {
      const result = reconcile({ ORDERBOOK_ROLE: [C], FACTORY_ROLE: [D, EXECUTOR] }, {});
      expect(ops(result.operations)).to.deep.equal([
        `grant FACTORY_ROLE ${EXECUTOR}`,
        `grant FACTORY_ROLE ${D}`,
        `grant ORDERBOOK_ROLE ${C}`,
      ]);
      expect(result.operations[0].phase).to.equal("self");
    });

    it("refuses a role whose admin it does not hold, nor the admin of that admin, naming both", () => {
      const result = reconcile({ ORDERBOOK_ROLE: [C], SETTLEMENT_ROLE: [B, D] }, { DEFAULT_ADMIN_ROLE: [E] });
      expect(result.refusals.map((r) => r.role)).to.deep.equal(["SETTLEMENT_ROLE", "ORDERBOOK_ROLE"]);
      expect(result.refusals[1].message).to.equal(
        `the executor ${EXECUTOR} cannot grant or revoke ORDERBOOK_ROLE: it does not hold FACTORY_ROLE, the admin role of ORDERBOOK_ROLE, nor DEFAULT_ADMIN_ROLE, which administers FACTORY_ROLE; run with an account that holds FACTORY_ROLE (--signer)`,
      );
      expect(result.refusals[0].message).to.match(
        /cannot grant or revoke SETTLEMENT_ROLE: it does not hold DEFAULT_ADMIN_ROLE, the admin role of SETTLEMENT_ROLE; /,
      );
    });

    it("renounces its own roles without needing their admin", () => {
      const result = reconcile(
        { ORDERBOOK_ROLE: [] },
        { DEFAULT_ADMIN_ROLE: [B], ORDERBOOK_ROLE: [EXECUTOR] },
        { revokeExtra: true },
      );
      expect(result.refusals).to.deep.equal([]);
      expect(ops(result.operations)).to.deep.equal([`renounce ORDERBOOK_ROLE ${EXECUTOR}`]);
    });
  });
});

/** The regrant planner's steps wrapped as the engine wraps them. */
function plan(desired: RoleGraph, live: RoleGraph, overrides: Partial<RegrantPlanInputs> = {}, revokeExtra = true) {
  const meta = {
    task: REGRANT_TASK,
    runKey: "corevault-regrant-roles-test",
    network: "default",
    chainId: 31337,
    observedBlock: 100,
    facts: { "vault.role.SETTLEMENT_ROLE.holders": "" },
    known: {},
  };
  return planContent(
    meta,
    planRegrant({
      vault: VAULT,
      reconciliation: reconcile(desired, live, { revokeExtra }),
      executor: EXECUTOR,
      batchSize: 60,
      ...overrides,
    }),
  );
}

describe("planRegrant", () => {
  it("turns grants, revokes and renounces into vault calls with hasRole done checks, writes and role labels", () => {
    const content = plan({ SETTLEMENT_ROLE: [C], DEFAULT_ADMIN_ROLE: [E] }, { SETTLEMENT_ROLE: [B] });
    expect(content.task).to.equal("corevault:regrant-roles");
    expect(content.steps.map((s) => s.id)).to.deep.equal(["grant:1", "revoke:1", "renounce:1"]);
    const [grant, revoke, renounce] = content.steps as CallStep[];
    expect(grant.actions.map((a) => [a.call.fn, ...a.call.args])).to.deep.equal([
      ["grantRole", roleId("DEFAULT_ADMIN_ROLE"), E],
      ["grantRole", roleId("SETTLEMENT_ROLE"), C],
    ]);
    expect(grant.actions[0].call.to).to.equal(VAULT);
    expect(grant.actions[0].call.contract).to.equal("CoreVault");
    expect(grant.actions[1].done).to.deep.equal([
      { read: { to: VAULT, contract: "CoreVault", fn: "hasRole", args: [roleId("SETTLEMENT_ROLE"), C] }, equals: true },
    ]);
    expect(revoke.actions[0].done[0].equals).to.equal(false);
    expect(renounce.actions.map((a) => a.call.fn)).to.deep.equal(["renounceRole"]);
    expect(grant.writes).to.deep.equal(["vault.role.DEFAULT_ADMIN_ROLE.holders", "vault.role.SETTLEMENT_ROLE.holders"]);
    expect(revoke.dependsOn).to.deep.equal(["grant:1"]);
    expect(renounce.dependsOn).to.deep.equal(["revoke:1"]);
    expect(content.steps.every((s) => s.from === EXECUTOR)).to.equal(true);
    expect(describeStep(grant, content.labels)).to.deep.equal([
      `multicall of 2 calls to ${VAULT}:`,
      `  ${VAULT}.grantRole(DEFAULT_ADMIN_ROLE, ${E})`,
      `  ${VAULT}.grantRole(SETTLEMENT_ROLE, ${C})`,
    ]);
  });

  it("plans a temporary admin grant that the steps needing it depend on, released only after their work is done", () => {
    const content = plan({ ORDERBOOK_ROLE: [B, C] }, { ORDERBOOK_ROLE: [B, D] });
    expect(content.steps.map((s) => s.id)).to.deep.equal([
      "grant:temporary:FACTORY_ROLE",
      "grant:1",
      "revoke:1",
      "renounce:1",
    ]);
    const [temporary, grant, revoke, release] = content.steps as CallStep[];
    expect(temporary.temporary).to.equal(true);
    expect(temporary.label).to.equal(
      "grant the executor FACTORY_ROLE for as long as it grants or revokes ORDERBOOK_ROLE",
    );
    expect(temporary.actions[0].call.args).to.deep.equal([roleId("FACTORY_ROLE"), EXECUTOR]);
    expect(grant.dependsOn).to.deep.equal(["grant:temporary:FACTORY_ROLE"]);
    expect(revoke.dependsOn).to.deep.equal(["grant:1", "grant:temporary:FACTORY_ROLE"]);
    expect(release.actions[0].call.fn).to.equal("renounceRole");
    // "executor lacks FACTORY_ROLE" alone is also true before the grant: the release also waits for the work it enabled.
    expect(release.actions[0].done.map((c) => [c.read.args[0], c.read.args[1], c.equals])).to.deep.equal([
      [roleId("FACTORY_ROLE"), EXECUTOR, false],
      [roleId("ORDERBOOK_ROLE"), C, true],
      [roleId("ORDERBOOK_ROLE"), D, false],
    ]);
    expect(temporary.writes).to.deep.equal(["vault.role.FACTORY_ROLE.holders"]);
    expect(content.notes).to.include(
      "the executor holds FACTORY_ROLE only while it needs it, and renounces it at the end",
    );
  });

  it("batches each phase in multicall chunks of batchSize; the next phase waits for every chunk", () => {
    const content = plan({ SETTLEMENT_ROLE: [B, C, D, E, F] }, { SETTLEMENT_ROLE: [] }, { batchSize: 2 });
    expect(content.steps.map((s) => [s.id, (s as CallStep).actions.length, s.label])).to.deep.equal([
      ["grant:1", 2, "grant SETTLEMENT_ROLE (1/3)"],
      ["grant:2", 2, "grant SETTLEMENT_ROLE (2/3)"],
      ["grant:3", 1, "grant SETTLEMENT_ROLE (3/3)"],
    ]);
    expect(content.steps.every((s) => s.dependsOn.length === 0)).to.equal(true);

    const revoking = plan(
      { SETTLEMENT_ROLE: [B], FACTORY_ROLE: [] },
      { SETTLEMENT_ROLE: [C, D, E], FACTORY_ROLE: [B, C] },
      { batchSize: 2 },
    );
    expect(revoking.steps.map((s) => [s.id, s.dependsOn])).to.deep.equal([
      ["grant:1", []],
      ["revoke:1", ["grant:1"]],
      ["revoke:2", ["grant:1"]],
      ["revoke:3", ["grant:1"]],
    ]);
  });

  it("sends the executor's renounces one batch after another, DEFAULT_ADMIN_ROLE in the last", () => {
    const content = plan(
      { DEFAULT_ADMIN_ROLE: [B], SETTLEMENT_ROLE: [], FACTORY_ROLE: [] },
      { SETTLEMENT_ROLE: [EXECUTOR], FACTORY_ROLE: [EXECUTOR] },
      { batchSize: 2 },
    );
    expect(
      content.steps.map((s) => [s.id, s.dependsOn, (s as CallStep).actions.map((a) => a.call.args[0])]),
    ).to.deep.equal([
      ["grant:1", [], [roleId("DEFAULT_ADMIN_ROLE")]],
      ["renounce:1", ["grant:1"], [roleId("FACTORY_ROLE"), roleId("SETTLEMENT_ROLE")]],
      ["renounce:2", ["grant:1", "renounce:1"], [roleId("DEFAULT_ADMIN_ROLE")]],
    ]);
  });

  it("states kept extras as notes, and an empty plan when nothing differs", () => {
    const kept = plan({ SETTLEMENT_ROLE: [B] }, { SETTLEMENT_ROLE: [B, C, D] }, {}, false);
    expect(kept.steps).to.deep.equal([]);
    expect(kept.notes).to.deep.equal([
      `extra, kept: SETTLEMENT_ROLE held by ${C}, ${D}, not in the desired graph (pass --revoke-extra to revoke)`,
      "the live roles already match the desired graph: nothing to send",
    ]);
  });

  it("is deterministic: the same inputs give the same plan id", () => {
    const a = makePlan(plan({ ORDERBOOK_ROLE: [C] }, {}));
    const b = makePlan(plan({ ORDERBOOK_ROLE: [C] }, {}));
    expect(a.id).to.equal(b.id);
    expect(makePlan(plan({ ORDERBOOK_ROLE: [D] }, {})).id).to.not.equal(a.id);
  });

  it("refuses to plan a reconciliation that has refusals", () => {
    expect(() => plan({ DEFAULT_ADMIN_ROLE: [] }, {})).to.throw(
      /Cannot plan a refused reconciliation: DEFAULT_ADMIN_ROLE would be left without a holder/,
    );
  });
});

describe("desired roles and facts", () => {
  it("parses a desired file: role names checked, addresses checksummed", () => {
    expect(parseDesiredRoles({ SETTLEMENT_ROLE: [B.toLowerCase()], ORDERBOOK_ROLE: [] }, "roles.json")).to.deep.equal({
      SETTLEMENT_ROLE: [B],
      ORDERBOOK_ROLE: [],
    });
    expect(() => parseDesiredRoles(["SETTLEMENT_ROLE"], "roles.json")).to.throw(
      /Invalid --desired: "roles.json"\. Fix: give a JSON object of role -> holders/,
    );
    expect(() => parseDesiredRoles({ ADMIN: [B] }, "roles.json")).to.throw(
      /"ADMIN" is not a vault role; use DEFAULT_ADMIN_ROLE, FACTORY_ROLE/,
    );
    expect(() => parseDesiredRoles({ SETTLEMENT_ROLE: B }, "roles.json")).to.throw(
      /SETTLEMENT_ROLE must be an array of addresses/,
    );
  });

  it("reads back the role graph its facts recorded (what a stored plan is re-planned from)", () => {
    const live = {
      admins: { ...ADMINS },
      holders: {
        DEFAULT_ADMIN_ROLE: [EXECUTOR],
        FACTORY_ROLE: [],
        SETTLEMENT_ROLE: [B, C],
        EXTERNAL_CREDITOR_ROLE: [D],
        ORDERBOOK_ROLE: [E],
      },
    };
    const facts = roleFacts(31337, VAULT, live);
    expect(facts["vault.role.SETTLEMENT_ROLE.holders"]).to.equal(`${B},${C}`.toLowerCase());
    expect(liveFromFacts(facts)).to.deep.equal(live);
  });
});
