// Facet plans through the tasks on a reference EIP-2535 diamond we did not shape around the tool
// (contracts/reference-diamond/test/ReferenceDiamond.sol: its own storage position, its owner in a slot of its own),
// owned by an EOA (a direct diamondCut), by a real Safe v1.4.1 (the Safe executor's batch) and by a
// TimelockController (scheduled, then executed): plan, apply, rollback, and plan + apply again after the rollback.
import { expect } from "chai";
import { id, ZeroAddress } from "ethers";
import type { SafeProposal } from "../../src/engine/proposal.js";
import type { FacetPlan } from "../../src/diamond/facet-plan.js";
import { selectorsOf } from "../../src/diamond/selectors.js";
import { createSafe, execute, owners } from "../helpers/safe.js";
import { conn, nonce } from "../helpers/system.js";
import { runJson, taskError } from "../helpers/tasks.js";

const { ethers, networkHelpers } = conn;
const { time } = networkHelpers;
const [admin, relayer] = await ethers.getSigners();
const DELAY = 3600;
const FACETS = "FeeConfigFacet,MarketInfoFacet";

interface ChangeOut {
  state: { state: string; eta?: number };
  stage?: { transactionsSent: number };
  apply?: { transactionsSent: number; complete: boolean; awaiting: boolean; proposals: SafeProposal[] };
  routesVerified?: boolean;
}
const plan = (args: Record<string, unknown>) =>
  runJson<{ planId: string; status: string; file: string; plan: FacetPlan }>("diamond:plan", args);
const change = (task: string, args: Record<string, unknown>) => runJson<ChangeOut>(task, args);

/** A reference diamond with its loupe and ownership facets, handed to `owner`. */
async function referenceDiamond(owner: string): Promise<string> {
  const cutFacet = await ethers.deployContract("ReferenceDiamondCutFacet");
  const diamond = await ethers.deployContract("ReferenceDiamond", [admin.address, await cutFacet.getAddress()]);
  const target = await diamond.getAddress();
  const cuts = [];
  for (const name of ["ReferenceDiamondLoupeFacet", "ReferenceOwnershipFacet"]) {
    const facet = await ethers.deployContract(name);
    cuts.push([await facet.getAddress(), 0, selectorsOf(facet.interface).map((s) => s.selector)]);
  }
  await (
    await (await ethers.getContractAt("ReferenceDiamondCutFacet", target)).diamondCut(cuts, ZeroAddress, "0x")
  ).wait();
  if (owner !== admin.address)
    await (await (await ethers.getContractAt("ReferenceOwnershipFacet", target)).transferOwnership(owner)).wait();
  return target;
}

async function routes(target: string): Promise<Record<string, string[]>> {
  const loupe = await ethers.getContractAt("ReferenceDiamondLoupeFacet", target);
  const out: Record<string, string[]> = {};
  for (const [facet, selectors] of await loupe.facets()) out[facet] = [...selectors].sort();
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

async function expectRouted(target: string, p: FacetPlan): Promise<void> {
  const loupe = await ethers.getContractAt("ReferenceDiamondLoupeFacet", target);
  for (const e of p.entries) expect(await loupe.facetAddress(e.selector), e.signature).to.equal(e.facet);
}

describe("facet plans on a reference EIP-2535 diamond, by owner", () => {
  afterEach(() => {
    process.exitCode = 0;
  });

  it("owned by an EOA: one direct diamondCut, no staging; rollback; plan and apply again", async () => {
    const target = await referenceDiamond(admin.address);
    const before = await routes(target);
    const p = await plan({ target, facets: FACETS });
    expect(p.status).to.equal("ready");
    expect(p.plan.owner).to.deep.equal({ address: admin.address, kind: "eoa" });
    expect(p.plan.timelock).to.equal(null);
    expect(p.plan.activationDelay).to.equal(0);
    const staged = await change("diamond:stage-plan", { plan: p.file });
    expect(staged.state.state).to.equal("no staging needed");
    expect(staged.stage).to.equal(undefined);

    const n0 = await nonce();
    const applied = await change("diamond:apply-plan", { plan: p.file });
    expect(applied.apply!.transactionsSent).to.equal(1);
    expect(applied.routesVerified).to.equal(true);
    expect(await nonce()).to.equal(n0 + 1);
    await expectRouted(target, p.plan);
    const fees = await ethers.getContractAt("FeeConfigFacet", target);
    await (await fees.setFees(3, 4)).wait(); // the facet finds the owner through the diamond's owner()
    expect(await fees.fees()).to.deep.equal([3n, 4n]);

    const rolled = await change("diamond:rollback", { plan: p.file });
    expect(rolled.state.state).to.equal("applied");
    expect(await routes(target)).to.deep.equal(before);

    // The same facets again: the routes are those of the first plan's start, so the same plan; it applies again.
    const again = await plan({ target, facets: FACETS });
    expect(again.planId).to.equal(p.planId);
    const reapplied = await change("diamond:apply-plan", { plan: again.file });
    expect(reapplied.apply!.transactionsSent).to.equal(1);
    expect(reapplied.routesVerified).to.equal(true);
    expect(await fees.fees()).to.deep.equal([3n, 4n]);
  });

  it("owned by a real Safe v1.4.1: the cut goes through the Safe's batch; the owners execute it; rollback and re-apply", async () => {
    const keys = owners(3, "diamond-owner");
    const safe = await createSafe(
      conn,
      admin,
      keys.map((k) => k.address),
      2,
      BigInt(Date.now()),
    );
    const safeAddress = await safe.getAddress();
    const target = await referenceDiamond(safeAddress);
    const before = await routes(target);
    const p = await plan({ target, facets: FACETS });
    expect(p.plan.owner).to.deep.equal({ address: safeAddress, kind: "safe" });

    // Without the Safe executor the owner cannot be signed for: refused before anything is sent.
    const n0 = await nonce();
    const refused = await taskError("diamond:apply-plan", { plan: p.file, json: true });
    expect(refused.message).to.include(`--executor safe --safe ${safeAddress}`);
    expect(await nonce()).to.equal(n0);

    const viaSafe = { executor: "safe", safe: safeAddress };
    const proposed = await change("diamond:apply-plan", { plan: p.file, ...viaSafe });
    expect(process.exitCode).to.equal(2);
    expect(proposed.apply!.awaiting).to.equal(true);
    const [proposal] = proposed.apply!.proposals;
    expect(proposal.stepIds).to.deep.equal(["diamond-cut"]);
    await (await execute(safe, proposal.safeTx, proposal.id, [keys[0], keys[1]], relayer)).wait();
    const applied = await change("diamond:apply-plan", { plan: p.file, ...viaSafe });
    expect(applied.routesVerified).to.equal(true);
    await expectRouted(target, p.plan);

    const rb = await change("diamond:rollback", { plan: p.file, ...viaSafe });
    expect(rb.apply!.awaiting).to.equal(true);
    const [rbProposal] = rb.apply!.proposals;
    await (await execute(safe, rbProposal.safeTx, rbProposal.id, [keys[1], keys[2]], relayer)).wait();
    const rolled = await change("diamond:rollback", { plan: p.file, ...viaSafe });
    expect(rolled.state.state).to.equal("applied");
    expect(await routes(target)).to.deep.equal(before);

    const again = await plan({ target, facets: FACETS });
    const re = await change("diamond:apply-plan", { plan: again.file, ...viaSafe });
    expect(re.apply!.awaiting).to.equal(true);
    const [reProposal] = re.apply!.proposals;
    expect(reProposal.id).to.not.equal(proposal.id); // the Safe's nonce moved on
    await (await execute(safe, reProposal.safeTx, reProposal.id, [keys[0], keys[2]], relayer)).wait();
    expect((await change("diamond:apply-plan", { plan: again.file, ...viaSafe })).routesVerified).to.equal(true);
    await expectRouted(target, again.plan);
  });

  it("owned by a TimelockController: scheduled then executed; rollback; re-planning gives a fresh salt and applies again", async () => {
    const timelock = await ethers.deployContract("Timelock", [DELAY, [admin.address], [admin.address], ZeroAddress]);
    const target = await referenceDiamond(await timelock.getAddress());
    const before = await routes(target);
    const p = await plan({ target, facets: FACETS });
    expect(p.plan.owner!.kind).to.equal("timelock");
    expect(p.plan.application).to.equal(0);
    await change("diamond:stage-plan", { plan: p.file });
    await time.increase(DELAY);
    expect((await change("diamond:apply-plan", { plan: p.file })).routesVerified).to.equal(true);
    await change("diamond:rollback", { plan: p.file });
    await time.increase(DELAY);
    expect((await change("diamond:rollback", { plan: p.file })).state.state).to.equal("applied");
    expect(await routes(target)).to.deep.equal(before);

    // The first plan's operation is spent: staging it again is refused (not "is applied" with exit 0).
    const n0 = await nonce();
    const spent = await taskError("diamond:stage-plan", { plan: p.file, json: true });
    expect(spent.message).to.include("was executed, but the loupe");
    expect(spent.message).to.include("Run diamond:plan again");
    expect(await nonce()).to.equal(n0);

    const again = await plan({ target, facets: FACETS });
    expect(again.plan.application).to.equal(1);
    expect(again.planId).to.not.equal(p.planId);
    const staged = await change("diamond:stage-plan", { plan: again.file });
    expect(staged.stage!.transactionsSent).to.equal(1);
    await time.increase(DELAY);
    expect((await change("diamond:apply-plan", { plan: again.file })).routesVerified).to.equal(true);
    await expectRouted(target, again.plan);
    const markets = await ethers.getContractAt("MarketInfoFacet", target);
    expect(await markets.marketInfo(id("none"))).to.deep.equal(["", 0n, false]);
  });

  it("many EOA-owned diamonds in one run: one diamondCut each, pipelined into few blocks; a re-run sends nothing; rolled back together", async () => {
    const targets: string[] = [];
    for (let i = 0; i < 6; i++) targets.push(await referenceDiamond(admin.address));
    const before = await Promise.all(targets.map(routes));
    const files: string[] = [];
    for (const target of targets) files.push((await plan({ target, facets: FACETS })).file);
    const provider = conn.provider;
    await provider.request({ method: "evm_setAutomine", params: [false] });
    await provider.request({ method: "evm_setIntervalMining", params: [250] });
    let out: ChangeOut & { targets: { verified: boolean }[] };
    try {
      out = (await change("diamond:apply-plan", { plan: files.join(",") })) as typeof out;
    } finally {
      await provider.request({ method: "evm_setIntervalMining", params: [0] });
      await provider.request({ method: "evm_setAutomine", params: [true] });
    }
    const results = (out.apply as unknown as { results: { status: string; block: number }[] }).results;
    expect(out.apply!.transactionsSent).to.equal(6);
    expect(results.every((r) => r.status === "done")).to.equal(true);
    expect(new Set(results.map((r) => r.block)).size, "blocks the 6 cuts landed in").to.be.at.most(2);
    expect(out.targets.every((t) => t.verified)).to.equal(true);
    expect(out.routesVerified).to.equal(true);

    const n0 = await nonce();
    const again = await change("diamond:apply-plan", { plan: files.join(",") });
    expect(again.apply).to.equal(undefined);
    expect(await nonce()).to.equal(n0);

    const rolled = await change("diamond:rollback", { plan: files.join(",") });
    expect(rolled.apply!.transactionsSent).to.equal(6);
    expect(await Promise.all(targets.map(routes))).to.deep.equal(before);
  });

  it("a failed read of the target names the contract, the function and the interface entry; nothing is sent", async () => {
    const target = await referenceDiamond(admin.address);
    const p = await plan({ target, facets: FACETS });
    // Someone removes the diamond's loupe behind the plan's back.
    const cut = await ethers.getContractAt("ReferenceDiamondCutFacet", target);
    await (await cut.diamondCut([[ZeroAddress, 2, [id("facets()").slice(0, 10)]]], ZeroAddress, "0x")).wait();
    const n0 = await nonce();
    const error = await taskError("diamond:apply-plan", { plan: p.file, json: true });
    expect(error.message).to.include(`Reading facets() of the diamond ${target} failed (EIP-2535 loupe, facets())`);
    expect(await nonce()).to.equal(n0);
  });

  it("refuses a diamond whose owner is a contract that is neither a Safe nor a timelock", async () => {
    const other = await ethers.deployContract("ReferenceDiamondLoupeFacet");
    const target = await referenceDiamond(await other.getAddress());
    const error = await taskError("diamond:plan", { target, facets: FACETS, json: true });
    expect(error.message).to.include("answers neither as a TimelockController");
  });
});
