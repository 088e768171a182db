// diamond:plan, diamond:stage-plan, diamond:apply-plan and diamond:rollback, driven through the tasks on the
// in-process chain: a ManifestDispatcher, and an OrderBookDiamond owned by a real OpenZeppelin TimelockController.
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import { Contract, id, keccak256, ZeroAddress } from "ethers";
import hre from "hardhat";
import { selectorsOf } from "../../src/diamond/selectors.js";
import { facetPlanId, type FacetPlan } from "../../src/diamond/facet-plan.js";
import { conn, nonce } from "../helpers/system.js";
import { runJson, runTask, taskError } from "../helpers/tasks.js";

const { ethers, networkHelpers } = conn;
const { time } = networkHelpers;
const [admin, outsider] = await ethers.getSigners();
const root = hre.config.paths.root;
const DELAY = 3600;
const FACETS = "FeeConfigFacet,PauseGuardFacet,MarketInfoFacet";

// Plans and engine runs of an earlier process on this (ephemeral) chain describe a chain that is gone: start clean.
await rm(path.join(root, "plans", conn.networkName), { recursive: true, force: true });
const runs = path.join(root, "deployments", conn.networkName, ".cutover");
for (const entry of await readdir(runs).catch(() => [] as string[])) {
  if (/^diamond-(facets|stage|apply)-/.test(entry)) await rm(path.join(runs, entry), { recursive: true, force: true });
}

interface PlanOut {
  planId: string;
  status: string;
  file: string;
  transactionsSent: number;
  plan: FacetPlan;
}

async function plan(args: Record<string, unknown>): Promise<PlanOut> {
  return runJson<PlanOut>("diamond:plan", args);
}

async function change(task: string, args: Record<string, unknown>) {
  return runJson<{
    state: { state: string; eta?: number };
    stage?: { transactionsSent: number; complete: boolean };
    apply?: { transactionsSent: number; complete: boolean; results: { id: string; status: string }[] };
    routesVerified?: boolean;
  }>(task, args);
}

/** selector -> facet of a loupe, and facet -> sorted selectors: the same routes whatever the loupe's order. */
async function routes(target: string): Promise<Record<string, string[]>> {
  const loupe = await ethers.getContractAt("IDispatcherLoupe", target);
  const out: Record<string, string[]> = {};
  for (const [facet, selectors] of await loupe.facets()) out[facet] = [...selectors].sort();
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

async function dispatcher(delay = DELAY): Promise<Contract> {
  return (await ethers.deployContract("ManifestDispatcher", [admin.address, delay])) as unknown as Contract;
}

describe("facet plans: diamond:plan / stage-plan / apply-plan / rollback", () => {
  afterEach(() => {
    process.exitCode = 0;
  });

  describe("on a ManifestDispatcher", () => {
    it("plans, stages (twice: the second sends nothing), refuses an early apply with the time left, applies in batches, routes calls to the facets, rolls back", async () => {
      const d = await dispatcher();
      const target = await d.getAddress();
      const planned = await plan({ target, facets: FACETS });
      expect(planned.status).to.equal("ready");
      const p = planned.plan;
      expect(p.kind).to.equal("dispatcher");
      expect(p.epoch).to.equal(1);
      expect(p.activationDelay).to.equal(DELAY);
      expect(p.entries).to.have.length(17);
      expect(p.cut.summary).to.deep.equal({ add: 17, replace: 0, remove: 0, unchanged: 0 });
      // Every entry names a deployed facet by its real EXTCODEHASH.
      for (const e of p.entries) {
        expect(keccak256(await ethers.provider.getCode(e.facet)), e.signature).to.equal(e.codehash);
        expect(id(e.signature).slice(0, 10)).to.equal(e.selector);
      }
      expect(p.inverse!.entries).to.deep.equal([]);
      expect(p.inverse!.removals).to.have.length(17);
      const file = planned.file;
      expect(file).to.equal(path.join("plans", conn.networkName, `${p.id}.json`));

      const staged = await change("diamond:stage-plan", { plan: file });
      expect(staged.stage!.transactionsSent).to.equal(1);
      expect(await d.pendingRoot()).to.equal(p.root);
      expect(staged.state.state).to.equal("staged");
      expect(staged.state.eta).to.equal(Number(await d.earliestActivation()));
      const record = JSON.parse(await readFile(file.replace(/\.json$/, ".stage.json"), "utf8"));
      expect(record.eta).to.equal(Number(await d.earliestActivation()));
      expect(record.root).to.equal(p.root);

      const before = await nonce();
      const again = await change("diamond:stage-plan", { plan: file });
      expect(again.stage!.transactionsSent).to.equal(0);
      expect(await nonce()).to.equal(before);

      const early = await taskError("diamond:apply-plan", { plan: file, json: true });
      expect(early.message).to.match(/too early: it can be applied from .* \(chain time\), 1 h from now/);
      expect(early.message).to.include("Nothing was sent.");
      await time.increase(DELAY / 3);
      const stillEarly = await taskError("diamond:apply-plan", { plan: file, json: true });
      expect(stillEarly.message).to.match(/(39 min 59 s|40 min) from now/);
      expect(await nonce()).to.equal(before);

      await time.increase(DELAY);
      const applied = await change("diamond:apply-plan", { plan: file, batchSize: 5 });
      expect(applied.apply!.complete).to.equal(true);
      // ceil(17 / 5) applyRoutes batches, then the activation
      expect(applied.apply!.transactionsSent).to.equal(5);
      expect(applied.routesVerified).to.equal(true);
      expect(await d.activeRoot()).to.equal(p.root);
      expect(await d.activeEpoch()).to.equal(1n);
      for (const e of p.entries) expect(await d.facetAddress(e.selector), e.signature).to.equal(e.facet);

      // Calls through the dispatcher reach the facets, in the dispatcher's storage.
      const fees = await ethers.getContractAt("FeeConfigFacet", target);
      await expect(fees.setFees(5, 12)).to.emit(fees, "FeesSet").withArgs(5, 12);
      expect(await fees.fees()).to.deep.equal([5n, 12n]);
      expect(await fees.quoteFee(1_000_000n, false)).to.equal(1_200n);
      await expect((fees.connect(outsider) as Contract).setFees(1, 1))
        .to.be.revertedWithCustomError(fees, "NotConfigurator")
        .withArgs(outsider.address);
      const markets = await ethers.getContractAt("MarketInfoFacet", target);
      await (await markets.listMarket(id("ETH-USD"), "ETH-USD", 18)).wait();
      expect(await markets.marketInfo(id("ETH-USD"))).to.deep.equal(["ETH-USD", 18n, true]);

      const again2 = await change("diamond:apply-plan", { plan: file });
      expect(again2.apply).to.equal(undefined); // already applied: the engine is not even started
      expect(again2.routesVerified).to.equal(true);

      // The inverse only removes routes: removeRoutes, no epoch, no delay.
      const rolled = await change("diamond:rollback", { plan: file });
      expect(rolled.apply!.transactionsSent).to.equal(1);
      expect(rolled.state.state).to.equal("applied");
      expect(await routes(target)).to.deep.equal({});
      expect(await d.activeEpoch()).to.equal(1n);
      await expect(fees.fees()).to.be.revertedWithCustomError(d, "UnknownSelector");
    });

    it("the contract accepts the proof of every entry, and rejects a tampered one", async () => {
      const d = await dispatcher();
      const { plan: p, file } = await plan({ target: await d.getAddress(), facets: FACETS });
      await change("diamond:stage-plan", { plan: file });
      await time.increase(DELAY);
      for (const e of p.entries) {
        await d.applyRoutes.staticCall([e.selector], [e.facet], [e.codehash], [e.proof], [e.positions]);
      }
      const e = p.entries[3];
      const tampered = [...e.proof];
      tampered[0] = keccak256(tampered[0]);
      await expect(
        d.applyRoutes.staticCall([e.selector], [e.facet], [e.codehash], [tampered], [e.positions]),
      ).to.be.revertedWithCustomError(d, "InvalidProof");
      const flipped = e.positions.map((b, i) => (i === 0 ? !b : b));
      await expect(
        d.applyRoutes.staticCall([e.selector], [e.facet], [e.codehash], [e.proof], [flipped]),
      ).to.be.revertedWithCustomError(d, "InvalidProof");
    });

    it("refuses a plan file with a tampered proof, whether or not its id was recomputed", async () => {
      const d = await dispatcher();
      const { plan: p, file } = await plan({ target: await d.getAddress(), facets: FACETS });
      const before = await nonce();
      const edited = structuredClone(p);
      edited.entries[0].proof[0] = keccak256(edited.entries[0].proof[0]);
      const tamperedFile = file.replace(/\.json$/, ".tampered.json");
      await writeFile(tamperedFile, JSON.stringify(edited));
      const idMismatch = await taskError("diamond:stage-plan", { plan: tamperedFile, json: true });
      expect(idMismatch.message).to.include("the file was edited after it was planned");
      expect(idMismatch.message).to.include("its proof does not verify");

      const { id: _old, ...content } = edited;
      await writeFile(tamperedFile, JSON.stringify({ ...content, id: facetPlanId(content) }));
      const proof = await taskError("diamond:stage-plan", { plan: tamperedFile, json: true });
      expect(proof.message).to.not.include("the file was edited");
      expect(proof.message).to.include(
        `plan entry ${p.entries[0].selector} (${p.entries[0].facetName}): its proof does not verify against root ${p.root}`,
      );
      expect(await nonce()).to.equal(before);
      expect(await d.pendingRoot()).to.equal(ethers.ZeroHash);
    });

    it("refuses to apply when a facet's code was swapped between stage and apply; nothing is sent", async () => {
      const d = await dispatcher();
      const { plan: p, file } = await plan({ target: await d.getAddress(), facets: FACETS });
      await change("diamond:stage-plan", { plan: file });
      await time.increase(DELAY);
      const fee = p.facets.find((f) => f.name === "FeeConfigFacet")!;
      const original = await ethers.provider.getCode(fee.address);
      await networkHelpers.setCode(fee.address, (await hre.artifacts.readArtifact("CollidingFacet")).deployedBytecode);
      try {
        const before = await nonce();
        const error = await taskError("diamond:apply-plan", { plan: file, json: true });
        expect(error.message).to.include("a facet's code is not the code it was planned with");
        expect(error.message).to.include(
          `FeeConfigFacet ${fee.address}: planned code hash ${fee.codehash}, on chain ${keccak256(await ethers.provider.getCode(fee.address))}`,
        );
        expect(await nonce()).to.equal(before);
        expect(await d.stagedSelectors()).to.deep.equal([]);
        // Planning against swapped code is refused too: the CREATE2 address must hold the compiled code.
        const replan = await taskError("diamond:plan", { target: await d.getAddress(), facets: FACETS, json: true });
        expect(replan.message).to.include(`FeeConfigFacet ${fee.address}: on chain`);
      } finally {
        await networkHelpers.setCode(fee.address, original);
      }
    });

    it("refuses a collision within the plan, an oversize facet and a takeover: the plan is written as refused, nothing is deployed", async () => {
      const d = await dispatcher();
      const target = await d.getAddress();
      const before = await nonce();

      const collision = await taskError("diamond:plan", {
        target,
        facets: "FeeConfigFacet,CollidingFacet",
        json: true,
      });
      expect(collision.message).to.match(
        /Plan 0x[0-9a-f]{64} for .* is refused \(written to plans\/.*\.json\); nothing was deployed or sent/,
      );
      expect(collision.message).to.include(
        `[collision] ${id("feeRecipient()").slice(0, 10)} feeRecipient() is in more than one planned facet`,
      );
      const refusedFile = path.join(root, /written to (plans\/\S+\.json)/.exec(collision.message)![1]);
      const refused = JSON.parse(await readFile(refusedFile, "utf8")) as FacetPlan;
      expect(refused.status).to.equal("refused");
      expect(refused.checks.collisions).to.have.length(1);
      expect(refused.inverse).to.equal(null);
      expect(await ethers.provider.getCode(refused.facets.find((f) => f.name === "CollidingFacet")!.address)).to.equal(
        "0x",
      );
      const stageRefused = await taskError("diamond:stage-plan", { plan: refusedFile, json: true });
      expect(stageRefused.message).to.include("was refused when it was made");

      const oversize = await taskError("diamond:plan", { target, facets: "OversizeFacet", json: true });
      const size = ((await hre.artifacts.readArtifact("OversizeFacet")).deployedBytecode.length - 2) / 2;
      expect(size).to.be.greaterThan(24_576);
      expect(oversize.message).to.include(
        `[oversize] OversizeFacet: deployed code is ${size} bytes, over the EIP-170 limit of 24576`,
      );
      expect(await nonce()).to.equal(before);

      // FeeConfigFacet live; CollidingFacet would take feeRecipient() over.
      const live = await plan({ target, facets: "FeeConfigFacet" });
      await change("diamond:stage-plan", { plan: live.file });
      await time.increase(DELAY);
      await change("diamond:apply-plan", { plan: live.file });
      const takeover = await taskError("diamond:plan", { target, facets: "CollidingFacet", json: true });
      expect(takeover.message).to.include(
        `[takeover] ${id("feeRecipient()").slice(0, 10)} feeRecipient() is served by FeeConfigFacet`,
      );
      const allowed = await plan({
        target,
        facets: "CollidingFacet",
        allowTakeover: id("feeRecipient()").slice(0, 10),
      });
      expect(allowed.status).to.equal("ready");
      expect(allowed.plan.checks.takeovers).to.deep.include({
        selector: id("feeRecipient()").slice(0, 10),
        signature: "feeRecipient()",
        from: `FeeConfigFacet (${live.plan.facets[0].address})`,
        to: "CollidingFacet",
        allowed: true,
      });
      expect(allowed.plan.cut.summary).to.deep.equal({ add: 1, replace: 1, remove: 0, unchanged: 0 });
    });

    it("an upgrade to a new version: breaking removals refused unless acknowledged; the rollback restores the previous routes exactly", async () => {
      const d = await dispatcher();
      const target = await d.getAddress();
      const v1 = await plan({ target, facets: FACETS });
      await change("diamond:stage-plan", { plan: v1.file });
      await time.increase(DELAY);
      await change("diamond:apply-plan", { plan: v1.file });
      const routesBefore = await routes(target);
      const liveRoutes = async () => Promise.all(v1.plan.entries.map(async (e) => [...(await d.routes(e.selector))]));
      const codehashesBefore = await liveRoutes();

      const breaking = await taskError("diamond:plan", { target, facets: "MarketInfoFacetV2", json: true });
      expect(breaking.message).to.include("[breaking] the plan removes 2 live selector(s)");
      expect(breaking.message).to.include("delistMarket(bytes32)");
      expect(breaking.message).to.include("--accept-breaking");
      const v2 = await plan({ target, facets: "MarketInfoFacetV2", acceptBreaking: true });
      expect(v2.status).to.equal("ready");
      const abi = v2.plan.checks.abi;
      expect(abi.removed.map((r) => r.signature).sort()).to.deep.equal([
        "delistMarket(bytes32)",
        "listMarket(bytes32,string,uint8)",
      ]);
      expect(abi.added.map((a) => a.signature).sort()).to.deep.equal([
        "listMarket(bytes32,string,uint8,uint256)",
        "tickSize(bytes32)",
      ]);
      expect(abi.changed).to.deep.equal([
        {
          name: "listMarket",
          from: "listMarket(bytes32,string,uint8)",
          to: "listMarket(bytes32,string,uint8,uint256)",
        },
      ]);
      expect(abi.moved.map((m) => m.signature).sort()).to.deep.equal([
        "marketCount()",
        "marketIdAt(uint256)",
        "marketInfo(bytes32)",
      ]);
      expect(v2.plan.checks.takeovers).to.deep.equal([]); // an earlier version's selectors move without a takeover
      expect(v2.plan.epoch).to.equal(2);
      expect(v2.plan.inverse!.epoch).to.equal(3);

      await change("diamond:stage-plan", { plan: v2.file });
      await time.increase(DELAY);
      const applied = await change("diamond:apply-plan", { plan: v2.file });
      expect(applied.apply!.results.map((r) => r.id)).to.deep.equal(["apply-routes:1", "activate", "remove-routes"]);
      const markets = await ethers.getContractAt("MarketInfoFacetV2", target);
      await (await markets.listMarket(id("BTC-USD"), "BTC-USD", 8, 50n)).wait();
      expect(await markets.tickSize(id("BTC-USD"))).to.equal(50n);
      const v1Markets = await ethers.getContractAt("MarketInfoFacet", target);
      await expect(v1Markets.delistMarket(id("BTC-USD"))).to.be.revertedWithCustomError(d, "UnknownSelector");

      // The rollback: epoch 3's manifest of the V1 routes (needs the delay), and removeRoutes for what V2 added.
      const staged = await change("diamond:rollback", { plan: v2.file });
      expect(staged.state.state).to.equal("staged");
      expect(staged.apply).to.equal(undefined);
      expect(await d.pendingEpoch()).to.equal(3n);
      await time.increase(DELAY);
      const rolled = await change("diamond:rollback", { plan: v2.file });
      expect(rolled.state.state).to.equal("applied");
      expect(rolled.routesVerified).to.equal(true);
      expect(await routes(target)).to.deep.equal(routesBefore);
      expect(await liveRoutes()).to.deep.equal(codehashesBefore);
      // V1 answers again, with the state V2 wrote (same ERC-7201 namespace).
      expect(await v1Markets.marketInfo(id("BTC-USD"))).to.deep.equal(["BTC-USD", 8n, true]);
      const before = await nonce();
      expect((await change("diamond:rollback", { plan: v2.file })).state.state).to.equal("applied");
      expect(await nonce()).to.equal(before);
    });

    it("plan ids are reproducible: the same inputs give the same id and the same file bytes", async () => {
      const d = await dispatcher();
      const target = await d.getAddress();
      const first = await plan({ target, facets: FACETS });
      const bytes = await readFile(first.file);
      const second = await plan({ target, facets: "MarketInfoFacet, FeeConfigFacet,PauseGuardFacet" });
      expect(second.planId).to.equal(first.planId);
      expect(second.transactionsSent).to.equal(0);
      expect((await readFile(second.file)).equals(bytes)).to.equal(true);
      const { id: planId, ...content } = first.plan;
      expect(facetPlanId(content)).to.equal(planId);
    });

    it("--plan-only predicts the CREATE2 facets exactly: the plan it writes is the one deploying gives; stage --plan-only sends nothing", async () => {
      const d = await dispatcher();
      const target = await d.getAddress();
      const before = await nonce();
      const predicted = await plan({ target, facets: "WideFacet", planOnly: true });
      const wide = predicted.plan.facets[0];
      expect(await ethers.provider.getCode(wide.address)).to.equal("0x");
      expect(await nonce()).to.equal(before);
      const bytes = await readFile(predicted.file);
      const deployed = await plan({ target, facets: "WideFacet" });
      expect(deployed.transactionsSent).to.equal(1);
      expect(keccak256(await ethers.provider.getCode(wide.address))).to.equal(wide.codehash);
      expect(deployed.planId).to.equal(predicted.planId);
      expect((await readFile(deployed.file)).equals(bytes)).to.equal(true);
      const after = await nonce();
      await runTask("diamond:stage-plan", { plan: deployed.file, planOnly: true });
      expect(await nonce()).to.equal(after);
      expect(await d.pendingRoot()).to.equal(ethers.ZeroHash);
    });

    it("refuses a signer without the dispatcher's role, and a root someone else committed after planning", async () => {
      const d = await dispatcher();
      const { file } = await plan({ target: await d.getAddress(), facets: FACETS });
      const before = await nonce();
      const noRole = await taskError("diamond:stage-plan", { plan: file, signer: outsider.address, json: true });
      expect(noRole.message).to.include(`would revert when sent by ${outsider.address}`);
      expect(noRole.message).to.include("COMMIT_ROLE");
      const foreign = keccak256(Buffer.from("someone else's manifest"));
      await (await d.commitRoot(foreign, 1)).wait();
      const discard = await taskError("diamond:stage-plan", { plan: file, json: true });
      expect(discard.message).to.include(
        `root ${foreign} is committed on ${await d.getAddress()} and not activated; staging would discard it`,
      );
      expect(await nonce()).to.equal(before + 1);
      // Planned again, the plan says so; staging it then replaces the foreign root.
      const again = await plan({ target: await d.getAddress(), facets: FACETS });
      expect(again.plan.checks.warnings[0]).to.match(
        new RegExp(`^root ${foreign} \\(epoch 1\\) is committed and not yet activated`),
      );
      await change("diamond:stage-plan", { plan: again.file });
      expect(await d.pendingRoot()).to.equal(again.plan.root);
      const badSigner = await taskError("diamond:apply-plan", { plan: again.file, signer: "alice" });
      expect(badSigner.message).to.match(/^Invalid --signer: "alice"/);
    });

    it("refuses bad input with the input, the value and the fix", async () => {
      const d = await dispatcher();
      const unknown = await taskError("diamond:plan", {
        target: await d.getAddress(),
        facets: "FeeConfigFacet,NoSuchFacet",
      });
      expect(unknown.message).to.equal(
        `Invalid --facets: "NoSuchFacet". Fix: no compiled contract has that name; check the spelling or run \`npx hardhat build\`, e.g. --facets FeeConfigFacet,MarketInfoFacet.`,
      );
      const empty = "0x000000000000000000000000000000000000dEaD";
      const noCode = await taskError("diamond:plan", { target: empty, facets: FACETS });
      expect(noCode.message).to.match(
        /^Invalid --target: "0x000000000000000000000000000000000000dEaD". Fix: no contract there on default \(chain 31337\)/,
      );
      const { file } = await plan({ target: await d.getAddress(), facets: "FeeConfigFacet" });
      const batch = await taskError("diamond:apply-plan", { plan: file, batchSize: 101 });
      expect(batch.message).to.match(
        /^Invalid --batch-size: 101\. Fix: give a whole number of selectors per applyRoutes transaction from 1 to 100/,
      );
      const missing = await taskError("diamond:stage-plan", { plan: "plans/nowhere.json" });
      expect(missing.message).to.match(/^Invalid --plan: "plans\/nowhere.json"/);
    });
  });

  describe("on an EIP-2535 diamond owned by a TimelockController", () => {
    async function timelockDiamond() {
      const timelock = await ethers.deployContract("Timelock", [DELAY, [admin.address], [admin.address], ZeroAddress]);
      const cuts = [];
      for (const name of ["DiamondCutFacet", "DiamondLoupeFacet", "OwnershipFacet"]) {
        const facet = await ethers.deployContract(name);
        cuts.push({
          facetAddress: await facet.getAddress(),
          action: 0,
          functionSelectors: selectorsOf(facet.interface).map((s) => s.selector),
        });
      }
      const diamond = await ethers.deployContract("OrderBookDiamond", [
        await timelock.getAddress(),
        cuts,
        ZeroAddress,
        "0x",
      ]);
      return { timelock, target: await diamond.getAddress() };
    }

    it("schedules the cut through the timelock (salt from the plan id), refuses it early, executes it, and rolls it back after it", async () => {
      const { timelock, target } = await timelockDiamond();
      const routesBefore = await routes(target);
      const planned = await plan({ target, facets: "FeeConfigFacet,MarketInfoFacet" });
      const p = planned.plan;
      expect(p.kind).to.equal("diamond");
      expect(p.timelock).to.equal(await timelock.getAddress());
      expect(p.activationDelay).to.equal(DELAY);
      expect(p.epoch).to.equal(null);
      expect(p.cut.facetCuts.map((c) => c.action)).to.deep.equal([0, 0]);

      const staged = await change("diamond:stage-plan", { plan: planned.file });
      expect(staged.stage!.transactionsSent).to.equal(1);
      const record = JSON.parse(await readFile(planned.file.replace(/\.json$/, ".stage.json"), "utf8"));
      expect(record.salt).to.equal(keccak256(Buffer.from(`hardhat-cutover/facet-plan/${p.id}`)));
      expect(record.predecessor).to.equal(ethers.ZeroHash);
      expect(await timelock.isOperationPending(record.operationId)).to.equal(true);
      expect(record.eta).to.equal(Number(await timelock.getTimestamp(record.operationId)));
      const before = await nonce();
      expect((await change("diamond:stage-plan", { plan: planned.file })).stage!.transactionsSent).to.equal(0);
      expect(await nonce()).to.equal(before);

      const early = await taskError("diamond:apply-plan", { plan: planned.file, json: true });
      expect(early.message).to.match(/too early: .* 1 h from now/);
      await time.increase(DELAY);
      const applied = await change("diamond:apply-plan", { plan: planned.file });
      expect(applied.apply!.transactionsSent).to.equal(1);
      expect(applied.routesVerified).to.equal(true);
      expect(await timelock.isOperationDone(record.operationId)).to.equal(true);
      const loupe = await ethers.getContractAt("DiamondLoupeFacet", target);
      for (const e of p.entries) expect(await loupe.facetAddress(e.selector)).to.equal(e.facet);
      const fees = await ethers.getContractAt("FeeConfigFacet", target);
      expect(await fees.MAX_FEE_BPS()).to.equal(1000n);
      // Configuration is the owner's (the timelock's), not the proposer's.
      await expect(fees.setFees(1, 1)).to.be.revertedWithCustomError(fees, "NotConfigurator").withArgs(admin.address);

      const rollbackStaged = await change("diamond:rollback", { plan: planned.file });
      expect(rollbackStaged.state.state).to.equal("staged");
      const rollbackRecord = JSON.parse(
        await readFile(planned.file.replace(/\.json$/, ".rollback.stage.json"), "utf8"),
      );
      expect(rollbackRecord.predecessor).to.equal(record.operationId);
      await time.increase(DELAY);
      const rolled = await change("diamond:rollback", { plan: planned.file });
      expect(rolled.state.state).to.equal("applied");
      expect(await routes(target)).to.deep.equal(routesBefore);
      const diamond = await ethers.getContractAt("OrderBookDiamond", target);
      await expect(fees.MAX_FEE_BPS()).to.be.revertedWithCustomError(diamond, "FunctionNotFound");
    });
  });
});
