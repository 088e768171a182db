// Facet plans through the tasks on a dispatcher with PayRox's production interface (contracts/dispatcher/
// PayRoxDispatcher.sol, written from shared/protocol/payrox-dispatcher.md): pendingSince() + activationDelay() instead
// of earliestActivation(), no stagedRoute(bytes4), applyRoutes live at once, one owner. The profile is detected.
import { expect } from "chai";
import { Contract, id } from "ethers";
import hre from "hardhat";
import { conn, nonce } from "../helpers/system.js";
import { runJson, taskError } from "../helpers/tasks.js";
import type { FacetPlan } from "../../src/diamond/facet-plan.js";

const { ethers, networkHelpers } = conn;
const { time } = networkHelpers;
const [admin, outsider] = await ethers.getSigners();
const DELAY = 3600;

async function payrox(delay = DELAY): Promise<Contract> {
  const d = (await ethers.deployContract("PayRoxDispatcher")) as unknown as Contract;
  await (await d.initialize(admin.address)).wait();
  await (await d.setActivationDelay(delay)).wait();
  return d;
}

const plan = (args: Record<string, unknown>) =>
  runJson<{ planId: string; status: string; file: string; plan: FacetPlan }>("diamond:plan", args);
const change = (task: string, args: Record<string, unknown>) =>
  runJson<{
    state: { state: string; eta?: number };
    stage?: { transactionsSent: number };
    apply?: { transactionsSent: number; complete: boolean; results: { id: string; status: string }[] };
    routesVerified?: boolean;
  }>(task, args);

async function routes(target: string): Promise<Record<string, string[]>> {
  const loupe = await ethers.getContractAt("IDispatcherLoupe", target);
  const out: Record<string, string[]> = {};
  for (const [facet, selectors] of await loupe.facets()) out[facet] = [...selectors].sort();
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

describe("facet plans on PayRox's production dispatcher interface (profile payrox)", () => {
  afterEach(() => {
    process.exitCode = 0;
    hre.config.cutover.diamond.dispatcherProfile = undefined;
  });

  it("stage -> early apply refused -> delay -> apply -> activate -> upgrade -> rollback, through the tasks", async () => {
    const d = await payrox();
    const target = await d.getAddress();
    const v1 = await plan({ target, facets: "FeeConfigFacet,MarketInfoFacet" });
    expect(v1.status).to.equal("ready");
    expect(v1.plan.dispatcherProfile).to.equal("payrox");
    expect(v1.plan.oddNode).to.equal("duplicate"); // PayRox's own builder's rule: roots match its tooling
    expect(v1.plan.activationDelay).to.equal(DELAY);
    expect(v1.plan.checks.warnings.join("\n")).to.include(
      "applyRoutes makes routes live at once and checks no delay on chain",
    );

    const staged = await change("diamond:stage-plan", { plan: v1.file });
    expect(staged.stage!.transactionsSent).to.equal(1);
    expect(await d.pendingRoot()).to.equal(v1.plan.root);
    // The ETA is pendingSince + activationDelay: the dispatcher has no earliestActivation().
    expect(staged.state.eta).to.equal(Number(await d.pendingSince()) + DELAY);

    // On this dispatcher applyRoutes would go live at once: the tool's refusal is the only delay.
    const before = await nonce();
    const early = await taskError("diamond:apply-plan", { plan: v1.file, json: true });
    expect(early.message).to.match(/too early: it can be applied from .* \(chain time\), 1 h from now/);
    expect(await nonce()).to.equal(before);
    expect(await routes(target)).to.deep.equal({});

    await time.increase(DELAY);
    const applied = await change("diamond:apply-plan", { plan: v1.file, batchSize: 4 });
    expect(applied.apply!.complete).to.equal(true);
    expect(applied.apply!.results.map((r) => r.id)).to.deep.equal([
      "apply-routes:1",
      "apply-routes:2",
      "apply-routes:3",
      "activate",
    ]);
    expect(applied.routesVerified).to.equal(true);
    expect(await d.activeRoot()).to.equal(v1.plan.root);
    expect(await d.activeEpoch()).to.equal(1n);
    for (const e of v1.plan.entries) expect([...(await d.routes(e.selector))]).to.deep.equal([e.facet, e.codehash]);
    // Facets reach the dispatcher's owner() for configuration (no hasRole there).
    const fees = await ethers.getContractAt("FeeConfigFacet", target);
    await (await fees.setFees(5, 12)).wait();
    expect(await fees.fees()).to.deep.equal([5n, 12n]);
    await expect((fees.connect(outsider) as Contract).setFees(1, 1)).to.be.revertedWithCustomError(
      fees,
      "NotConfigurator",
    );
    const again = await change("diamond:apply-plan", { plan: v1.file });
    expect(again.apply).to.equal(undefined);
    const routesV1 = await routes(target);

    // The upgrade: MarketInfoFacetV2 (breaking removals acknowledged), epoch 2.
    const v2 = await plan({ target, facets: "MarketInfoFacetV2", acceptBreaking: true });
    expect(v2.plan.epoch).to.equal(2);
    await change("diamond:stage-plan", { plan: v2.file });
    await time.increase(DELAY);
    const upgraded = await change("diamond:apply-plan", { plan: v2.file });
    expect(upgraded.apply!.results.map((r) => r.id)).to.deep.equal(["apply-routes:1", "activate", "remove-routes"]);
    const markets = await ethers.getContractAt("MarketInfoFacetV2", target);
    await (await markets.listMarket(id("BTC-USD"), "BTC-USD", 8, 50n)).wait();
    expect(await markets.tickSize(id("BTC-USD"))).to.equal(50n);

    // The rollback: staged first (epoch 3), refused early, applied after the delay; V1's routes come back exactly.
    const rb = await change("diamond:rollback", { plan: v2.file });
    expect(rb.state.state).to.equal("staged");
    expect(await d.pendingEpoch()).to.equal(3n);
    const rbBefore = await nonce();
    const rbAgain = await change("diamond:rollback", { plan: v2.file });
    expect(rbAgain.apply).to.equal(undefined);
    expect(await nonce()).to.equal(rbBefore);
    await time.increase(DELAY);
    const rolled = await change("diamond:rollback", { plan: v2.file });
    expect(rolled.state.state).to.equal("applied");
    expect(rolled.routesVerified).to.equal(true);
    expect(await routes(target)).to.deep.equal(routesV1);
    const v1Markets = await ethers.getContractAt("MarketInfoFacet", target);
    expect(await v1Markets.marketInfo(id("BTC-USD"))).to.deep.equal(["BTC-USD", 8n, true]);
  });

  it("a profile that does not fit the target: the failed read names the contract, the function and the profile entry", async () => {
    const d = await payrox();
    const target = await d.getAddress();
    hre.config.cutover.diamond.dispatcherProfile = "reference";
    const before = await nonce();
    const error = await taskError("diamond:plan", { target, facets: "FeeConfigFacet", json: true });
    expect(error.message).to.include(`Reading earliestActivation() of the dispatcher ${target} failed`);
    expect(error.message).to.include(`dispatcher profile "reference", entry reads.eta`);
    expect(error.message).to.include("set cutover.diamond.dispatcherProfile");
    expect(await nonce()).to.equal(before);

    // A plan made with the right profile, then staged with the wrong one configured: refused before any send.
    hre.config.cutover.diamond.dispatcherProfile = undefined;
    const ok = await plan({ target, facets: "FeeConfigFacet" });
    hre.config.cutover.diamond.dispatcherProfile = "reference";
    const before2 = await nonce();
    const stage = await taskError("diamond:stage-plan", { plan: ok.file, json: true });
    expect(stage.message).to.include("entry reads.eta");
    expect(await nonce()).to.equal(before2);
    expect(await d.pendingRoot()).to.equal(ethers.ZeroHash);
  });

  it("host functions come from the target itself: a facet colliding with one of PayRox's is refused, not on our mock", async () => {
    const d = await payrox();
    const target = await d.getAddress();
    const before = await nonce();
    const shadowed = await taskError("diamond:plan", { target, facets: "HostShadowFacet", json: true });
    expect(shadowed.message).to.include(
      `[shadowed] ${id("pendingSince()").slice(0, 10)} pendingSince() of HostShadowFacet is a function of the target itself`,
    );
    expect(shadowed.message).to.include("nothing was deployed or sent");
    expect(await nonce()).to.equal(before);

    // Our mock has no pendingSince(): there the same facet is fine, read from the mock's own bytecode.
    const mock = await ethers.deployContract("ManifestDispatcher", [admin.address, DELAY]);
    const onMock = await plan({ target: await mock.getAddress(), facets: "HostShadowFacet" });
    expect(onMock.status).to.equal("ready");
    expect(onMock.plan.checks.shadowed).to.deep.equal([]);

    // A user-given ABI of the target is used instead of its bytecode.
    const given = await taskError("diamond:plan", {
      target: await mock.getAddress(),
      facets: "HostShadowFacet",
      hostAbi: "PayRoxDispatcher",
      json: true,
    });
    expect(given.message).to.include("[shadowed]");
    const bad = await taskError("diamond:plan", {
      target,
      facets: "HostShadowFacet",
      hostAbi: "NoSuchAbi",
      json: true,
    });
    expect(bad.message).to.include('Invalid --host-abi: "NoSuchAbi"');
  });

  it("refuses a signer that is not the dispatcher's owner, naming who may", async () => {
    const d = await payrox();
    const { file } = await plan({ target: await d.getAddress(), facets: "FeeConfigFacet" });
    const error = await taskError("diamond:stage-plan", { plan: file, signer: outsider.address, json: true });
    expect(error.message).to.include("NotOwner");
    expect(error.message).to.include("the dispatcher's owner()");
  });
});
