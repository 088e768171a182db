import { expect } from "chai";
import { linkBytecode } from "../../src/engine/create2.js";
import { canonicalJson, describeStep, driftBetween, makePlan } from "../../src/engine/plan.js";
import { planContent } from "../../src/engine/run.js";
import { linkedLibraries, roleId, type LegacySystem } from "../../src/corevault/observe.js";
import { planRedeploy, type RedeployInputs } from "../../src/corevault/plan-redeploy.js";
import type { CallStep } from "../../src/engine/types.js";

const A = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;
const SIGNER = A(0xd0);

function legacy(overrides: Partial<LegacySystem> = {}): LegacySystem {
  const books = [A(0xb1), A(0xb2), A(0xb3)];
  return {
    block: 100,
    chainId: 31337,
    vault: A(0xaa),
    collateral: A(0xc0),
    collateralDecimals: 6,
    liquidationManager: A(0x11),
    mmrParams: ["400", "150", "2500", "25"],
    paused: false,
    libraries: { VaultAnalytics: A(0x1a), PositionManager: A(0x1b) },
    roles: {
      DEFAULT_ADMIN_ROLE: { admin: "DEFAULT_ADMIN_ROLE", holders: [SIGNER] },
      FACTORY_ROLE: { admin: "DEFAULT_ADMIN_ROLE", holders: [A(0xfa)] },
      SETTLEMENT_ROLE: { admin: "DEFAULT_ADMIN_ROLE", holders: [A(0x5e)] },
      EXTERNAL_CREDITOR_ROLE: { admin: "DEFAULT_ADMIN_ROLE", holders: [A(0x4b)] },
      ORDERBOOK_ROLE: { admin: "FACTORY_ROLE", holders: books },
    },
    orderBooks: books,
    markets: books.map((orderBook, i) => ({ marketId: `0x${String(i + 1).padStart(64, "0")}`, orderBook })),
    factory: { address: A(0xfa), vault: A(0xaa), updatable: true, orderBookInit: A(0x1e), facetTemplate: [] },
    hub: { address: A(0x4b), vault: A(0xaa) },
    ...overrides,
  };
}

function inputs(system = legacy(), extra: Partial<RedeployInputs> = {}): RedeployInputs {
  return {
    system,
    signer: SIGNER,
    admins: [SIGNER],
    pauseOld: false,
    collateral: system.collateral,
    libraries: system.libraries,
    liquidationManager: system.liquidationManager,
    mmrParams: system.mmrParams,
    roleOverrides: {},
    batchSize: 60,
    ...extra,
  };
}

/** The redeploy planner's steps wrapped as the engine wraps them. */
function redeployContent(redeploy: RedeployInputs) {
  const facts = { "oldVault.paused": "false", "oldVault.role.SETTLEMENT_ROLE.holders": A(0x5e) };
  const meta = {
    task: "corevault:redeploy",
    runKey: `corevault-redeploy-${redeploy.system.vault}`,
    network: "localhost",
    chainId: 31337,
    observedBlock: 100,
    facts,
    known: {},
  };
  return planContent(meta, planRedeploy(redeploy));
}

describe("plans", () => {
  it("the same inputs give the same plan and id; the observed block is not part of the id", () => {
    const first = makePlan(redeployContent(inputs()));
    const second = makePlan(redeployContent(inputs()));
    expect(canonicalJson(second)).to.equal(canonicalJson(first));
    const later = makePlan({ ...redeployContent(inputs()), observedBlock: 999 });
    expect(later.id).to.equal(first.id);
    const changed = makePlan(redeployContent(inputs(legacy({ liquidationManager: A(0x12) }))));
    expect(changed.id).to.not.equal(first.id);
  });

  it("refuses a step depending on a later or unknown step", () => {
    const plan = redeployContent(inputs());
    const broken = { ...plan, steps: [...plan.steps].reverse() };
    expect(() => makePlan(broken)).to.throw(/depends on .*which is not an earlier step/);
  });

  it("drift lists changed facts except those the plan's own steps write", () => {
    const plan = makePlan(redeployContent(inputs(legacy(), { pauseOld: true })));
    expect(driftBetween(plan, { ...plan.facts, "oldVault.paused": "true" })).to.deep.equal([]);
    expect(
      driftBetween(plan, { ...plan.facts, "oldVault.role.SETTLEMENT_ROLE.holders": `${A(0x5e)},${A(0x5f)}` }),
    ).to.deep.equal([
      { fact: "oldVault.role.SETTLEMENT_ROLE.holders", planned: A(0x5e), now: `${A(0x5e)},${A(0x5f)}` },
    ]);
  });
});

describe("planRedeploy", () => {
  it("follows the runbook's order and wires every role, OrderBook and market to the new vault", () => {
    const plan = planRedeploy(inputs(legacy(), { pauseOld: true }));
    expect(plan.steps.map((s) => s.id)).to.deep.equal([
      "pause-old-vault",
      "deploy:CoreVault",
      "configure:liquidation-manager",
      "configure:mmr-params",
      "grant:roles",
      "grant:temporary-factory-role",
      "markets:1",
      "align:factory",
      "repoint:hub",
      "handoff:admin",
    ]);
    const markets = plan.steps.find((s) => s.id === "markets:1") as CallStep;
    expect(markets.actions.map((a) => a.call.fn)).to.deep.equal(
      Array(3).fill(["registerOrderBook", "assignMarketToOrderBook", "grantRole"]).flat(),
    );
    expect(markets.dependsOn).to.include("grant:temporary-factory-role");
    const deploy = plan.steps.find((s) => s.id === "deploy:CoreVault")!;
    expect(deploy.kind === "deploy" && deploy.libraries).to.deep.equal({
      VaultAnalytics: A(0x1a),
      PositionManager: A(0x1b),
    });
    const text = describeStep(
      plan.steps.find((s) => s.id === "grant:roles")!,
      plan.labels,
    ).join("\n");
    expect(text).to.include(`grantRole(SETTLEMENT_ROLE, ${A(0x5e)})`);
  });

  it("the signer's FACTORY_ROLE is temporary and renounced last; it keeps DEFAULT_ADMIN_ROLE only if it is the configured admin", () => {
    const own = planRedeploy(inputs());
    const temporary = own.steps.find((s) => s.id === "grant:temporary-factory-role")!;
    expect(temporary.temporary).to.equal(true);
    const handoff = own.steps.at(-1) as CallStep;
    expect(handoff.actions.map((a) => `${a.call.fn}:${a.call.args[0]}`)).to.deep.equal([
      `renounceRole:${roleId("FACTORY_ROLE")}`,
    ]);
    expect(handoff.dependsOn).to.include.members(["markets:1", "grant:roles", "configure:mmr-params"]);

    const other = planRedeploy(inputs(legacy(), { admins: [A(0xad)] }));
    const otherHandoff = other.steps.at(-1) as CallStep;
    expect(otherHandoff.actions.map((a) => a.call.fn)).to.deep.equal(["grantRole", "renounceRole", "renounceRole"]);
    expect(otherHandoff.actions[0].call.args).to.deep.equal([roleId("DEFAULT_ADMIN_ROLE"), A(0xad)]);
    expect(otherHandoff.actions[2].call.args).to.deep.equal([roleId("DEFAULT_ADMIN_ROLE"), SIGNER]);
    expect(otherHandoff.label).to.equal(
      "grant DEFAULT_ADMIN_ROLE to the admin, then renounce the signer's FACTORY_ROLE and DEFAULT_ADMIN_ROLE",
    );
  });

  it("with an immutable factory deploys a new one and gives it FACTORY_ROLE and SETTLEMENT_ROLE instead of the old", () => {
    const system = legacy({
      factory: { address: A(0xfa), vault: A(0xaa), updatable: false, orderBookInit: A(0x1e), facetTemplate: [] },
    });
    const plan = planRedeploy(inputs(system));
    expect(plan.steps.map((s) => s.id))
      .to.include("deploy:FuturesMarketFactory")
      .and.not.include("align:factory");
    const grants = plan.steps.find((s) => s.id === "grant:roles") as CallStep;
    const granted = grants.actions.map((a) => a.call.args);
    expect(granted).to.deep.include([roleId("FACTORY_ROLE"), { $ref: "FuturesMarketFactory" }]);
    expect(granted).to.deep.include([roleId("SETTLEMENT_ROLE"), { $ref: "FuturesMarketFactory" }]);
    expect(granted).to.not.deep.include([roleId("FACTORY_ROLE"), A(0xfa)]);
    expect(grants.dependsOn).to.include("deploy:FuturesMarketFactory");
    expect(plan.notes.join(" ")).to.match(/future markets must be created through the new factory/);
  });

  it("batches calls per multicall by the batch size", () => {
    const plan = planRedeploy(inputs(legacy(), { batchSize: 4 }));
    const marketSteps = plan.steps.filter((s) => s.id.startsWith("markets:")) as CallStep[];
    expect(marketSteps.map((s) => s.actions.length)).to.deep.equal([4, 4, 1]);
  });

  it("role overrides replace the observed holders", () => {
    const plan = planRedeploy(inputs(legacy(), { roleOverrides: { SETTLEMENT_ROLE: [A(0x77)] } }));
    const grants = (plan.steps.find((s) => s.id === "grant:roles") as CallStep).actions.map((a) => a.call.args);
    expect(grants).to.deep.include([roleId("SETTLEMENT_ROLE"), A(0x77)]);
    expect(grants).to.not.deep.include([roleId("SETTLEMENT_ROLE"), A(0x5e)]);
  });
});

describe("library linking", () => {
  it("writes library addresses at the link references and reads them back from deployed code", () => {
    const references = {
      "contracts/L.sol": {
        Lib: [
          { start: 2, length: 20 },
          { start: 30, length: 20 },
        ],
      },
    };
    const bytecode = `0x${"ab".repeat(2)}${"__$placeholder_for_the_library_$__".padEnd(40, "_")}${"cd".repeat(8)}${"_".repeat(40)}ee`;
    const linked = linkBytecode({ bytecode, linkReferences: references }, { Lib: A(0x1234) });
    expect(linked).to.not.include("_");
    expect(linkedLibraries(linked, references)).to.deep.equal({ Lib: "0x0000000000000000000000000000000000001234" });
    expect(() => linkBytecode({ bytecode, linkReferences: references }, {})).to.throw(/Library Lib has no address/);
  });
});
