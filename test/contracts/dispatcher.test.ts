import { expect } from "chai";
import { network } from "hardhat";
import type { Contract, Signer } from "ethers";
import { buildManifestTree, type ManifestEntry, type ManifestTree } from "../../src/manifest/merkle.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const DELAY = 3600n;
const COUNTER_SLOT = "0x262d643ec349da80a53894f9ce0802131fb18a1ec8d57b7a9e6e9f996f17ab00";
const ZERO = ethers.ZeroHash;

function selectorsOf(c: Contract): string[] {
  const out: string[] = [];
  c.interface.forEachFunction((f) => out.push(f.selector));
  return out;
}

async function codehashOf(addr: string): Promise<string> {
  return ethers.keccak256(await ethers.provider.getCode(addr));
}

async function entriesFor(facet: Contract, codehash?: string): Promise<ManifestEntry[]> {
  const addr = await facet.getAddress();
  const hash = codehash ?? (await codehashOf(addr));
  return selectorsOf(facet).map((selector) => ({ selector, facet: addr, codehash: hash }));
}

/** applyRoutes arguments for the entries at `indices` (default: all) of a manifest. */
function applyArgs(entries: ManifestEntry[], tree: ManifestTree, indices = entries.map((_, i) => i)) {
  return [
    indices.map((i) => entries[i].selector),
    indices.map((i) => entries[i].facet),
    indices.map((i) => entries[i].codehash),
    indices.map((i) => tree.proofs[i].proof),
    indices.map((i) => tree.proofs[i].isRight),
  ] as const;
}

/** Each call, sent by `account`, reverts with AccessControlUnauthorizedAccount(account, role). */
async function expectMissingRole(
  dispatcher: Contract,
  account: Signer & { address: string },
  role: string,
  ...calls: ((as: Contract) => Promise<unknown>)[]
) {
  for (const call of calls) {
    await expect(call(dispatcher.connect(account) as Contract))
      .to.be.revertedWithCustomError(dispatcher, "AccessControlUnauthorizedAccount")
      .withArgs(account.address, role);
  }
}

async function deployed() {
  const [admin, outsider, alice] = await ethers.getSigners();
  const dispatcher = await ethers.deployContract("ManifestDispatcher", [admin.address, DELAY]);
  const counter = await ethers.deployContract("ManifestCounterFacet");
  const greeter = await ethers.deployContract("ManifestGreeterFacet");
  const entries = [...(await entriesFor(counter)), ...(await entriesFor(greeter))];
  const tree = buildManifestTree(entries);
  const roles = {
    admin: await dispatcher.DEFAULT_ADMIN_ROLE(),
    commit: await dispatcher.COMMIT_ROLE(),
    apply: await dispatcher.APPLY_ROLE(),
    emergency: await dispatcher.EMERGENCY_ROLE(),
  };
  return { dispatcher, counter, greeter, entries, tree, roles, admin, outsider, alice };
}

async function committed() {
  const f = await deployed();
  await f.dispatcher.commitRoot(f.tree.root, 1);
  return f;
}

async function due() {
  const f = await committed();
  await time.increase(DELAY);
  return f;
}

async function live() {
  const f = await due();
  await f.dispatcher.applyRoutes(...applyArgs(f.entries, f.tree));
  await f.dispatcher.activateCommittedRoot();
  const addr = await f.dispatcher.getAddress();
  const viaCounter = await ethers.getContractAt("ManifestCounterFacet", addr);
  const viaGreeter = await ethers.getContractAt("ManifestGreeterFacet", addr);
  return { ...f, viaCounter, viaGreeter };
}

describe("ManifestDispatcher", () => {
  describe("roles", () => {
    it("the constructor grants all four roles to admin and none to others", async () => {
      const { dispatcher, roles, admin, outsider } = await loadFixture(deployed);
      for (const role of Object.values(roles)) {
        expect(await dispatcher.hasRole(role, admin.address)).to.equal(true);
        expect(await dispatcher.hasRole(role, outsider.address)).to.equal(false);
      }
      expect(await dispatcher.activationDelay()).to.equal(DELAY);
    });

    it("commitRoot needs COMMIT_ROLE", async () => {
      const { dispatcher, tree, roles, outsider } = await loadFixture(deployed);
      await expectMissingRole(dispatcher, outsider, roles.commit, (d) => d.commitRoot(tree.root, 1));
    });

    it("applyRoutes and activateCommittedRoot need APPLY_ROLE (COMMIT_ROLE is not enough)", async () => {
      const { dispatcher, entries, tree, roles, outsider } = await loadFixture(due);
      await dispatcher.grantRole(roles.commit, outsider.address);
      await expectMissingRole(
        dispatcher,
        outsider,
        roles.apply,
        (d) => d.applyRoutes(...applyArgs(entries, tree)),
        (d) => d.activateCommittedRoot(),
      );
    });

    it("removeRoutes needs APPLY_ROLE or EMERGENCY_ROLE; either one suffices", async () => {
      const { dispatcher, entries, roles, outsider, alice } = await loadFixture(live);
      await expect((dispatcher.connect(outsider) as Contract).removeRoutes([entries[0].selector]))
        .to.be.revertedWithCustomError(dispatcher, "NotApplyOrEmergency")
        .withArgs(outsider.address);
      await dispatcher.grantRole(roles.emergency, outsider.address);
      await expect((dispatcher.connect(outsider) as Contract).removeRoutes([entries[0].selector])).to.emit(
        dispatcher,
        "RouteRemoved",
      );
      await dispatcher.grantRole(roles.apply, alice.address);
      await expect((dispatcher.connect(alice) as Contract).removeRoutes([entries[1].selector])).to.emit(
        dispatcher,
        "RouteRemoved",
      );
    });

    it("setActivationDelay and freeze need DEFAULT_ADMIN_ROLE", async () => {
      const { dispatcher, roles, outsider } = await loadFixture(deployed);
      await expectMissingRole(
        dispatcher,
        outsider,
        roles.admin,
        (d) => d.setActivationDelay(10),
        (d) => d.freeze(),
      );
    });

    it("pause and unpause need EMERGENCY_ROLE", async () => {
      const { dispatcher, roles, outsider } = await loadFixture(deployed);
      await expectMissingRole(dispatcher, outsider, roles.emergency, (d) => d.pause());
      await dispatcher.pause();
      await expectMissingRole(dispatcher, outsider, roles.emergency, (d) => d.unpause());
    });
  });

  describe("commitRoot", () => {
    it("records the pending root, its epoch and earliestActivation = now + delay", async () => {
      const { dispatcher, tree } = await loadFixture(deployed);
      const tx = await dispatcher.commitRoot(tree.root, 1);
      const at = BigInt((await ethers.provider.getBlock((await tx.wait())!.blockNumber))!.timestamp);
      await expect(tx)
        .to.emit(dispatcher, "RootCommitted")
        .withArgs(tree.root, 1, at + DELAY);
      expect(await dispatcher.pendingRoot()).to.equal(tree.root);
      expect(await dispatcher.pendingEpoch()).to.equal(1n);
      expect(await dispatcher.earliestActivation()).to.equal(at + DELAY);
      expect(await dispatcher.activeRoot()).to.equal(ZERO);
      expect(await dispatcher.activeEpoch()).to.equal(0n);
    });

    it("refuses an epoch other than activeEpoch + 1, and a zero root", async () => {
      const { dispatcher, tree } = await loadFixture(deployed);
      await expect(dispatcher.commitRoot(tree.root, 2))
        .to.be.revertedWithCustomError(dispatcher, "InvalidEpoch")
        .withArgs(1, 2);
      await expect(dispatcher.commitRoot(tree.root, 0))
        .to.be.revertedWithCustomError(dispatcher, "InvalidEpoch")
        .withArgs(1, 0);
      await expect(dispatcher.commitRoot(ZERO, 1)).to.be.revertedWithCustomError(dispatcher, "ZeroRoot");
    });

    it("after activation the next commit must use the next epoch", async () => {
      const { dispatcher, tree } = await loadFixture(live);
      expect(await dispatcher.activeEpoch()).to.equal(1n);
      await expect(dispatcher.commitRoot(tree.root, 1))
        .to.be.revertedWithCustomError(dispatcher, "InvalidEpoch")
        .withArgs(2, 1);
      await expect(dispatcher.commitRoot(tree.root, 2)).to.emit(dispatcher, "RootCommitted");
    });

    it("re-committing replaces the pending root, discards staged routes and restarts the delay", async () => {
      const { dispatcher, entries, tree } = await loadFixture(due);
      await dispatcher.applyRoutes(...applyArgs(entries, tree, [0, 1]));
      const other = buildManifestTree(entries.slice(0, 3));
      await expect(dispatcher.commitRoot(other.root, 1))
        .to.emit(dispatcher, "PendingRootDiscarded")
        .withArgs(tree.root, 1, 2);
      expect(await dispatcher.stagedSelectors()).to.deep.equal([]);
      expect((await dispatcher.stagedRoute(entries[0].selector))[0]).to.equal(ethers.ZeroAddress);
      await expect(dispatcher.applyRoutes(...applyArgs(entries.slice(0, 3), other))).to.be.revertedWithCustomError(
        dispatcher,
        "ActivationTooEarly",
      );
    });
  });

  describe("activation delay", () => {
    it("applyRoutes is refused before earliestActivation and accepted from it", async () => {
      const { dispatcher, entries, tree } = await loadFixture(committed);
      const earliest = await dispatcher.earliestActivation();
      await time.setNextBlockTimestamp(earliest - 1n);
      await expect(dispatcher.applyRoutes(...applyArgs(entries, tree)))
        .to.be.revertedWithCustomError(dispatcher, "ActivationTooEarly")
        .withArgs(earliest, earliest - 1n);
      await time.setNextBlockTimestamp(earliest);
      await expect(dispatcher.applyRoutes(...applyArgs(entries, tree)))
        .to.emit(dispatcher, "RoutesApplied")
        .withArgs(tree.root, 1, entries.length);
    });

    it("activateCommittedRoot is refused before earliestActivation and accepted after time travel", async () => {
      const { dispatcher, tree } = await loadFixture(committed);
      await expect(dispatcher.activateCommittedRoot()).to.be.revertedWithCustomError(dispatcher, "ActivationTooEarly");
      await time.increase(DELAY);
      await expect(dispatcher.activateCommittedRoot()).to.emit(dispatcher, "RootActivated").withArgs(tree.root, 1, 0);
    });

    it("apply and activate need a pending root", async () => {
      const { dispatcher, entries, tree } = await loadFixture(deployed);
      await expect(dispatcher.applyRoutes(...applyArgs(entries, tree))).to.be.revertedWithCustomError(
        dispatcher,
        "NoPendingRoot",
      );
      await expect(dispatcher.activateCommittedRoot()).to.be.revertedWithCustomError(dispatcher, "NoPendingRoot");
    });

    it("cannot be shortened while a root is pending; lengthening pushes earliestActivation back", async () => {
      const { dispatcher } = await loadFixture(committed);
      const earliest = await dispatcher.earliestActivation();
      await expect(dispatcher.setActivationDelay(DELAY - 1n))
        .to.be.revertedWithCustomError(dispatcher, "DelayShortenedWhilePending")
        .withArgs(DELAY, DELAY - 1n);
      await expect(dispatcher.setActivationDelay(DELAY + 100n))
        .to.emit(dispatcher, "ActivationDelaySet")
        .withArgs(DELAY, DELAY + 100n);
      expect(await dispatcher.earliestActivation()).to.equal(earliest + 100n);
      await time.increase(DELAY);
      await expect(dispatcher.activateCommittedRoot()).to.be.revertedWithCustomError(dispatcher, "ActivationTooEarly");
      await time.increase(100n);
      await expect(dispatcher.activateCommittedRoot()).to.emit(dispatcher, "RootActivated");
    });

    it("can be shortened when nothing is pending, and the new delay applies to the next commit", async () => {
      const { dispatcher, tree } = await loadFixture(deployed);
      await expect(dispatcher.setActivationDelay(60)).to.emit(dispatcher, "ActivationDelaySet").withArgs(DELAY, 60);
      await dispatcher.commitRoot(tree.root, 1);
      const at = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      expect(await dispatcher.earliestActivation()).to.equal(at + 60n);
    });
  });

  describe("proofs", () => {
    it("proofs from src/manifest/merkle.ts are accepted on chain for every entry", async () => {
      const { dispatcher, entries, tree } = await loadFixture(due);
      const tx = dispatcher.applyRoutes(...applyArgs(entries, tree));
      for (const e of entries)
        await expect(tx).to.emit(dispatcher, "RouteStaged").withArgs(e.selector, e.facet, e.codehash);
      expect(await dispatcher.stagedSelectors()).to.deep.equal(entries.map((e) => e.selector));
      expect(await dispatcher.stagedRoute(entries[4].selector)).to.deep.equal([entries[4].facet, entries[4].codehash]);
    });

    it("a routes set may be applied in several batches", async () => {
      const { dispatcher, entries, tree } = await loadFixture(due);
      await dispatcher.applyRoutes(...applyArgs(entries, tree, [5, 1]));
      await dispatcher.applyRoutes(...applyArgs(entries, tree, [0, 2, 3, 4]));
      expect(await dispatcher.stagedSelectors()).to.have.length(entries.length);
    });

    it("refuses a tampered sibling", async () => {
      const { dispatcher, entries, tree } = await loadFixture(due);
      const [sels, facets, hashes, proofs, isRight] = applyArgs(entries, tree, [0]);
      const bad = [[ethers.id("tampered"), ...proofs[0].slice(1)]];
      await expect(dispatcher.applyRoutes(sels, facets, hashes, bad, isRight))
        .to.be.revertedWithCustomError(dispatcher, "InvalidProof")
        .withArgs(entries[0].selector, entries[0].facet, entries[0].codehash);
    });

    it("refuses wrong position bits", async () => {
      const { dispatcher, entries, tree } = await loadFixture(due);
      const [sels, facets, hashes, proofs, isRight] = applyArgs(entries, tree, [2]);
      const flipped = [isRight[0].map((b) => !b)];
      await expect(dispatcher.applyRoutes(sels, facets, hashes, proofs, flipped)).to.be.revertedWithCustomError(
        dispatcher,
        "InvalidProof",
      );
      await expect(
        dispatcher.applyRoutes(sels, facets, hashes, proofs, [isRight[0].slice(1)]),
      ).to.be.revertedWithCustomError(dispatcher, "InvalidProof");
    });

    it("refuses a proof made for a different root", async () => {
      const { dispatcher, entries, tree } = await loadFixture(deployed);
      await dispatcher.commitRoot(buildManifestTree(entries.slice(0, 5)).root, 1);
      await time.increase(DELAY);
      await expect(dispatcher.applyRoutes(...applyArgs(entries, tree, [0]))).to.be.revertedWithCustomError(
        dispatcher,
        "InvalidProof",
      );
    });

    it("refuses an entry whose facet differs from the manifest's", async () => {
      const { dispatcher, entries, tree, greeter } = await loadFixture(due);
      const [sels, , hashes, proofs, isRight] = applyArgs(entries, tree, [0]);
      await expect(
        dispatcher.applyRoutes(sels, [await greeter.getAddress()], hashes, proofs, isRight),
      ).to.be.revertedWithCustomError(dispatcher, "InvalidProof");
    });

    it("refuses arrays of different lengths and a selector staged twice", async () => {
      const { dispatcher, entries, tree } = await loadFixture(due);
      const [sels, facets, hashes, proofs, isRight] = applyArgs(entries, tree, [0, 1]);
      await expect(
        dispatcher.applyRoutes(sels, facets.slice(1), hashes, proofs, isRight),
      ).to.be.revertedWithCustomError(dispatcher, "LengthMismatch");
      await expect(
        dispatcher.applyRoutes(sels, facets, hashes, proofs, isRight.slice(1)),
      ).to.be.revertedWithCustomError(dispatcher, "LengthMismatch");
      await dispatcher.applyRoutes(sels, facets, hashes, proofs, isRight);
      await expect(dispatcher.applyRoutes(...applyArgs(entries, tree, [1])))
        .to.be.revertedWithCustomError(dispatcher, "SelectorAlreadyStaged")
        .withArgs(entries[1].selector);
    });
  });

  describe("code hashes", () => {
    it("applyRoutes refuses a codehash that is not the facet's, even with a valid proof", async () => {
      const { dispatcher, counter } = await loadFixture(deployed);
      const wrong = ethers.id("not the counter's code");
      const entries = await entriesFor(counter, wrong);
      const tree = buildManifestTree(entries);
      await dispatcher.commitRoot(tree.root, 1);
      await time.increase(DELAY);
      await expect(dispatcher.applyRoutes(...applyArgs(entries, tree, [0])))
        .to.be.revertedWithCustomError(dispatcher, "CodehashMismatch")
        .withArgs(await counter.getAddress(), wrong, await codehashOf(await counter.getAddress()));
    });

    it("applyRoutes refuses a facet without code", async () => {
      const { dispatcher, alice } = await loadFixture(deployed);
      const entries = [{ selector: "0x12345678", facet: alice.address, codehash: ethers.keccak256("0x") }];
      const tree = buildManifestTree(entries);
      await dispatcher.commitRoot(tree.root, 1);
      await time.increase(DELAY);
      await expect(dispatcher.applyRoutes(...applyArgs(entries, tree)))
        .to.be.revertedWithCustomError(dispatcher, "FacetHasNoCode")
        .withArgs(alice.address);
    });

    it("activateCommittedRoot refuses a staged facet whose code changed since apply", async () => {
      const { dispatcher, entries, tree, counter, greeter } = await loadFixture(due);
      await dispatcher.applyRoutes(...applyArgs(entries, tree));
      const addr = await counter.getAddress();
      const newCode = await ethers.provider.getCode(await greeter.getAddress());
      await networkHelpers.setCode(addr, newCode);
      await expect(dispatcher.activateCommittedRoot())
        .to.be.revertedWithCustomError(dispatcher, "CodehashMismatch")
        .withArgs(addr, entries[0].codehash, ethers.keccak256(newCode));
    });

    it("the fallback refuses a live facet whose code hash changed", async () => {
      const { dispatcher, viaCounter, counter, greeter, entries } = await loadFixture(live);
      expect(await viaCounter.count()).to.equal(0n);
      const addr = await counter.getAddress();
      const newCode = await ethers.provider.getCode(await greeter.getAddress());
      await networkHelpers.setCode(addr, newCode);
      const sel = viaCounter.interface.getFunction("increment")!.selector;
      await expect(viaCounter.increment())
        .to.be.revertedWithCustomError(dispatcher, "FacetCodehashChanged")
        .withArgs(sel, addr, entries[0].codehash, ethers.keccak256(newCode));
    });
  });

  describe("staged versus live", () => {
    it("applied routes are staged only: not routed and not in the loupe until activation", async () => {
      const { dispatcher, entries, tree, counter } = await loadFixture(due);
      await dispatcher.applyRoutes(...applyArgs(entries, tree));
      const viaCounter = await ethers.getContractAt("ManifestCounterFacet", await dispatcher.getAddress());
      const sel = counter.interface.getFunction("increment")!.selector;
      await expect(viaCounter.increment()).to.be.revertedWithCustomError(dispatcher, "UnknownSelector").withArgs(sel);
      expect(await dispatcher.facetAddresses()).to.deep.equal([]);
      expect(await dispatcher.facetAddress(sel)).to.equal(ethers.ZeroAddress);
      expect(await dispatcher.activeRoot()).to.equal(ZERO);

      await expect(dispatcher.activateCommittedRoot())
        .to.emit(dispatcher, "RootActivated")
        .withArgs(tree.root, 1, entries.length);
      expect(await dispatcher.activeRoot()).to.equal(tree.root);
      expect(await dispatcher.activeEpoch()).to.equal(1n);
      expect(await dispatcher.pendingRoot()).to.equal(ZERO);
      expect(await dispatcher.pendingEpoch()).to.equal(0n);
      expect(await dispatcher.earliestActivation()).to.equal(0n);
      expect(await dispatcher.stagedSelectors()).to.deep.equal([]);
      expect(await viaCounter.increment.staticCall()).to.equal(1n);
    });

    it("a later epoch can move a selector to another facet (the loupe follows)", async () => {
      const { dispatcher, counter, viaCounter } = await loadFixture(live);
      await viaCounter.increment();
      const counter2 = await ethers.deployContract("ManifestCounterFacet");
      const c2 = await counter2.getAddress();
      const sel = counter.interface.getFunction("count")!.selector;
      const entries = [{ selector: sel, facet: c2, codehash: await codehashOf(c2) }];
      const tree = buildManifestTree(entries);
      await dispatcher.commitRoot(tree.root, 2);
      await time.increase(DELAY);
      await dispatcher.applyRoutes(...applyArgs(entries, tree));
      const tx = dispatcher.activateCommittedRoot();
      await expect(tx)
        .to.emit(dispatcher, "RouteRemoved")
        .withArgs(sel, await counter.getAddress());
      await expect(tx).to.emit(dispatcher, "RouteAdded").withArgs(sel, c2, entries[0].codehash);
      expect(await dispatcher.facetAddress(sel)).to.equal(c2);
      expect(await dispatcher.facetFunctionSelectors(c2)).to.deep.equal([sel]);
      expect(await dispatcher.facetFunctionSelectors(await counter.getAddress())).to.not.include(sel);
      expect(await dispatcher.routes(sel)).to.deep.equal([c2, entries[0].codehash]);
      // same storage namespace, so the new facet reads the state the old one wrote
      expect(await viaCounter.count()).to.equal(1n);
    });
  });

  describe("routing", () => {
    it("a call through the dispatcher reaches the facet and writes the dispatcher's namespaced storage", async () => {
      const { dispatcher, viaCounter, counter, alice } = await loadFixture(live);
      await expect((viaCounter.connect(alice) as Contract).increment())
        .to.emit(viaCounter, "Incremented")
        .withArgs(1, alice.address);
      await viaCounter.increment();
      expect(await viaCounter.count()).to.equal(2n);
      const dAddr = await dispatcher.getAddress();
      expect(BigInt(await ethers.provider.getStorage(dAddr, COUNTER_SLOT))).to.equal(2n);
      expect(BigInt(await ethers.provider.getStorage(await counter.getAddress(), COUNTER_SLOT))).to.equal(0n);
      expect(await counter.count()).to.equal(0n);
    });

    it("the two facets keep separate namespaces", async () => {
      const { viaCounter, viaGreeter } = await loadFixture(live);
      await viaGreeter.setGreeting("hello cutover");
      await viaCounter.increment();
      expect(await viaGreeter.greeting()).to.equal("hello cutover");
      expect(await viaCounter.count()).to.equal(1n);
    });

    it("bubbles the facet's revert data (custom error and reason string)", async () => {
      const { viaCounter, viaGreeter } = await loadFixture(live);
      await expect(viaCounter.fail(7)).to.be.revertedWithCustomError(viaCounter, "CounterFailure").withArgs(7);
      await expect(viaGreeter.setGreeting("")).to.be.revertedWith("empty greeting");
    });

    it("refuses an unknown selector and plain ether", async () => {
      const { dispatcher, alice } = await loadFixture(live);
      const to = await dispatcher.getAddress();
      await expect(alice.sendTransaction({ to, data: "0xabcdef0100" }))
        .to.be.revertedWithCustomError(dispatcher, "UnknownSelector")
        .withArgs("0xabcdef01");
      await expect(alice.sendTransaction({ to, value: 1n }))
        .to.be.revertedWithCustomError(dispatcher, "UnknownSelector")
        .withArgs("0x00000000");
    });

    it("refuses routing while paused; views and unpause still work", async () => {
      const { dispatcher, viaCounter, admin } = await loadFixture(live);
      await expect(dispatcher.pause()).to.emit(dispatcher, "Paused").withArgs(admin.address);
      await expect(viaCounter.increment()).to.be.revertedWithCustomError(dispatcher, "EnforcedPause");
      await expect(viaCounter.count()).to.be.revertedWithCustomError(dispatcher, "EnforcedPause");
      expect(await dispatcher.facetAddresses()).to.have.length(2);
      await expect(dispatcher.unpause()).to.emit(dispatcher, "Unpaused").withArgs(admin.address);
      await viaCounter.increment();
      expect(await viaCounter.count()).to.equal(1n);
    });
  });

  describe("loupe", () => {
    it("shows the live routes after activation", async () => {
      const { dispatcher, counter, greeter, entries } = await loadFixture(live);
      const c = await counter.getAddress();
      const g = await greeter.getAddress();
      expect(await dispatcher.facetAddresses()).to.deep.equal([c, g]);
      expect(await dispatcher.facetFunctionSelectors(c)).to.deep.equal(selectorsOf(counter));
      expect(await dispatcher.facetFunctionSelectors(g)).to.deep.equal(selectorsOf(greeter));
      const facets = await dispatcher.facets();
      expect(facets.map((f: [string, string[]]) => [f[0], [...f[1]]])).to.deep.equal([
        [c, selectorsOf(counter)],
        [g, selectorsOf(greeter)],
      ]);
      for (const e of entries) {
        expect(await dispatcher.facetAddress(e.selector)).to.equal(e.facet);
        expect(await dispatcher.routes(e.selector)).to.deep.equal([e.facet, e.codehash]);
      }
    });

    it("stays consistent after removeRoutes (swap-and-pop), and removed selectors are refused", async () => {
      const { dispatcher, counter, greeter, alice } = await loadFixture(live);
      const c = await counter.getAddress();
      const g = await greeter.getAddress();
      const cs = selectorsOf(counter); // 4 selectors
      await expect(dispatcher.removeRoutes([cs[1]]))
        .to.emit(dispatcher, "RouteRemoved")
        .withArgs(cs[1], c);
      expect(await dispatcher.facetFunctionSelectors(c)).to.deep.equal([cs[0], cs[3], cs[2]]);
      expect(await dispatcher.facetAddress(cs[1])).to.equal(ethers.ZeroAddress);
      expect(await dispatcher.routes(cs[1])).to.deep.equal([ethers.ZeroAddress, ZERO]);
      await expect(alice.sendTransaction({ to: await dispatcher.getAddress(), data: cs[1] }))
        .to.be.revertedWithCustomError(dispatcher, "UnknownSelector")
        .withArgs(cs[1]);

      // removing the counter's last selectors drops it from the facet list; the greeter moves into its place
      await dispatcher.removeRoutes([cs[0], cs[2], cs[3]]);
      expect(await dispatcher.facetAddresses()).to.deep.equal([g]);
      expect(await dispatcher.facetFunctionSelectors(c)).to.deep.equal([]);
      expect(await dispatcher.facets()).to.have.length(1);
      expect(await dispatcher.facetFunctionSelectors(g)).to.deep.equal(selectorsOf(greeter));
    });

    it("removeRoutes refuses a selector that is not routed", async () => {
      const { dispatcher } = await loadFixture(live);
      await expect(dispatcher.removeRoutes(["0xabcdef01"]))
        .to.be.revertedWithCustomError(dispatcher, "RouteNotFound")
        .withArgs("0xabcdef01");
    });

    it("supportsInterface: IERC165, the EIP-2535 loupe, IAccessControl", async () => {
      const { dispatcher } = await loadFixture(deployed);
      const loupeId = ["facets()", "facetFunctionSelectors(address)", "facetAddresses()", "facetAddress(bytes4)"]
        .map((s) => BigInt(ethers.id(s).slice(0, 10)))
        .reduce((a, b) => a ^ b);
      expect(loupeId).to.equal(0x48e2b093n);
      expect(await dispatcher.supportsInterface("0x48e2b093")).to.equal(true);
      expect(await dispatcher.supportsInterface("0x01ffc9a7")).to.equal(true);
      expect(await dispatcher.supportsInterface("0x7965db0b")).to.equal(true);
      expect(await dispatcher.supportsInterface("0xffffffff")).to.equal(false);
    });
  });

  describe("freeze", () => {
    it("makes every configuration function revert forever; routing and pause keep working", async () => {
      const { dispatcher, entries, tree, viaCounter, admin } = await loadFixture(live);
      const next = buildManifestTree(entries.slice(0, 2));
      await dispatcher.commitRoot(next.root, 2);
      await time.increase(DELAY);
      await expect(dispatcher.freeze()).to.emit(dispatcher, "Frozen").withArgs(admin.address);
      expect(await dispatcher.frozen()).to.equal(true);

      const frozen = (p: Promise<unknown>) => expect(p).to.be.revertedWithCustomError(dispatcher, "DispatcherFrozen");
      await frozen(dispatcher.commitRoot(tree.root, 2));
      await frozen(dispatcher.applyRoutes(...applyArgs(entries.slice(0, 2), next)));
      await frozen(dispatcher.activateCommittedRoot());
      await frozen(dispatcher.removeRoutes([entries[0].selector]));
      await frozen(dispatcher.setActivationDelay(DELAY * 2n));
      await frozen(dispatcher.freeze());

      await viaCounter.increment();
      expect(await viaCounter.count()).to.equal(1n);
      await dispatcher.pause();
      await expect(viaCounter.increment()).to.be.revertedWithCustomError(dispatcher, "EnforcedPause");
    });
  });
});
