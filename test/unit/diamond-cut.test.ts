import { expect } from "chai";
import { AbiCoder, Interface, ZeroAddress, getAddress, id } from "ethers";
import {
  CutRefusedError,
  FacetCutAction,
  PROTECTED_SELECTORS,
  applyCutToLive,
  assertCutAllowed,
  computeCut,
  inverseCut,
  predictDiamondCutEvent,
  receiptHasDiamondCut,
  type DesiredFacet,
  type FacetCut,
  type LiveFacet,
} from "../../src/diamond/cut.js";

const fn = (signature: string) => ({ selector: id(signature).slice(0, 10), signature });
const sel = (signature: string) => fn(signature).selector;

const CUT = getAddress("0x" + "c1".repeat(20));
const LOUPE = getAddress("0x" + "10".repeat(20));
const OWNERSHIP = getAddress("0x" + "0e".repeat(20));
const TRADING_V1 = getAddress("0x" + "a1".repeat(20));
const TRADING_V2 = getAddress("0x" + "a2".repeat(20));
const VIEW = getAddress("0x" + "b1".repeat(20));
const ADMIN = getAddress("0x" + "d1".repeat(20));
const DIAMOND = getAddress("0x" + "dd".repeat(20));

const diamondCutSig = "diamondCut((address,uint8,bytes4[])[],address,bytes)";
const loupeSigs = [
  "facets()",
  "facetFunctionSelectors(address)",
  "facetAddresses()",
  "facetAddress(bytes4)",
  "supportsInterface(bytes4)",
];
const ownershipSigs = ["owner()", "transferOwnership(address)"];
const place = "placeOrder(uint256,uint256)";
const cancel = "cancelOrder(uint256)";
const bestBid = "bestBid()";
const bestAsk = "bestAsk()";
const setVault = "setVault(address)";
const legacy = "legacyMatch()";

/** A live OrderBook diamond: cut, loupe, ownership, trading v1 (place, cancel, legacy), view (bestBid). */
function liveDiamond(): LiveFacet[] {
  return [
    { facetAddress: CUT, functionSelectors: [sel(diamondCutSig)] },
    { facetAddress: LOUPE, functionSelectors: loupeSigs.map(sel) },
    { facetAddress: OWNERSHIP, functionSelectors: ownershipSigs.map(sel) },
    { facetAddress: TRADING_V1, functionSelectors: [place, cancel, legacy].map(sel) },
    { facetAddress: VIEW, functionSelectors: [sel(bestBid)] },
  ];
}

const desiredFacet = (name: string, facetAddress: string, signatures: string[]): DesiredFacet => ({
  name,
  facetAddress,
  selectors: signatures.map(fn),
});

const sorted = (selectors: string[]) => [...selectors].sort();

/** selector -> facet, to compare loupe views regardless of order. */
const mapping = (live: LiveFacet[]) =>
  Object.fromEntries(live.flatMap((f) => f.functionSelectors.map((s) => [s, getAddress(f.facetAddress)])));

describe("diamond cut", () => {
  describe("protected selectors", () => {
    it("are the cut, loupe, ERC-165 and ERC-173 functions with their well-known selectors", () => {
      expect(Object.fromEntries(PROTECTED_SELECTORS)).to.deep.equal({
        "0x1f931c1c": diamondCutSig,
        "0x7a0ed627": "facets()",
        "0xadfca15e": "facetFunctionSelectors(address)",
        "0x52ef6b2c": "facetAddresses()",
        "0xcdffacc6": "facetAddress(bytes4)",
        "0x01ffc9a7": "supportsInterface(bytes4)",
        "0x8da5cb5b": "owner()",
        "0xf2fde38b": "transferOwnership(address)",
      });
    });
  });

  describe("computeCut", () => {
    it("adds absent selectors, one sorted FacetCut per facet, facets in desired order", () => {
      const result = computeCut(
        liveDiamond(),
        [
          desiredFacet("VaultAdminFacet", ADMIN, [setVault]),
          desiredFacet("OrderBookViewFacet", VIEW, [bestBid, bestAsk, "spread()"]),
        ],
        {},
      );
      expect(result.refusals).to.deep.equal([]);
      expect(result.cut).to.deep.equal([
        { facetAddress: ADMIN, action: FacetCutAction.Add, functionSelectors: [sel(setVault)] },
        { facetAddress: VIEW, action: FacetCutAction.Add, functionSelectors: sorted([sel(bestAsk), sel("spread()")]) },
      ]);
      expect(result.summary).to.deep.equal({ add: 3, replace: 0, remove: 0 });
    });

    it("groups Add before Replace within a facet and drops no-op Replaces", () => {
      const result = computeCut(
        liveDiamond(),
        [desiredFacet("OrderBookTradingFacet", TRADING_V2, [place, cancel, "amendOrder(uint256,uint256)"])],
        {
          allowTakeover: true,
        },
      );
      expect(result.cut).to.deep.equal([
        {
          facetAddress: TRADING_V2,
          action: FacetCutAction.Add,
          functionSelectors: [sel("amendOrder(uint256,uint256)")],
        },
        {
          facetAddress: TRADING_V2,
          action: FacetCutAction.Replace,
          functionSelectors: sorted([sel(place), sel(cancel)]),
        },
      ]);

      const noop = computeCut(liveDiamond(), [desiredFacet("OrderBookTradingFacet", TRADING_V1, [place, cancel])], {});
      expect(noop.cut).to.deep.equal([]);
      expect(noop.refusals).to.deep.equal([]);
      expect(noop.summary).to.deep.equal({ add: 0, replace: 0, remove: 0 });
    });

    it("compares addresses and selectors case-insensitively", () => {
      const live = liveDiamond().map((f) => ({
        facetAddress: f.facetAddress.toLowerCase(),
        functionSelectors: f.functionSelectors.map((s) => s.toUpperCase().replace("0X", "0x")),
      }));
      const result = computeCut(live, [desiredFacet("OrderBookTradingFacet", TRADING_V1.toLowerCase(), [place])], {});
      expect(result.cut).to.deep.equal([]);
      expect(result.refusals).to.deep.equal([]);
    });

    it("refuses a takeover from another facet unless allowed, per selector or with true", () => {
      const desired = [desiredFacet("OrderBookTradingFacet", TRADING_V2, [place, cancel])];

      const refused = computeCut(liveDiamond(), desired, {});
      expect(refused.cut).to.deep.equal([]);
      expect(refused.refusals.map((r) => [r.kind, r.selector, r.signature])).to.deep.equal([
        ["takeover", sel(place), place],
        ["takeover", sel(cancel), cancel],
      ]);
      const detail = refused.refusals[0].detail;
      for (const part of [
        sel(place),
        place,
        TRADING_V1,
        TRADING_V2,
        "OrderBookTradingFacet",
        `--allow-takeover ${sel(place)}`,
      ]) {
        expect(detail).to.contain(part);
      }

      const one = computeCut(liveDiamond(), desired, { allowTakeover: [sel(place).toUpperCase().replace("0X", "0x")] });
      expect(one.cut).to.deep.equal([
        { facetAddress: TRADING_V2, action: FacetCutAction.Replace, functionSelectors: [sel(place)] },
      ]);
      expect(one.refusals.map((r) => [r.kind, r.selector])).to.deep.equal([["takeover", sel(cancel)]]);

      const all = computeCut(liveDiamond(), desired, { allowTakeover: true });
      expect(all.refusals).to.deep.equal([]);
      expect(all.summary).to.deep.equal({ add: 0, replace: 2, remove: 0 });
    });

    it("names the live facet when it is in the desired set", () => {
      const result = computeCut(
        liveDiamond(),
        [
          desiredFacet("OrderBookViewFacet", VIEW, [bestBid]),
          desiredFacet("OrderBookTradingFacet", TRADING_V1, [place]),
          desiredFacet("NewViewFacet", ADMIN, [cancel]),
        ],
        {},
      );
      expect(result.refusals).to.have.length(1);
      expect(result.refusals[0].detail).to.contain(`OrderBookTradingFacet (${TRADING_V1})`);
    });

    it("removes only allowlisted live selectors, with the zero address, and reports the rest as untouched", () => {
      const result = computeCut(liveDiamond(), [desiredFacet("OrderBookTradingFacet", TRADING_V1, [place, cancel])], {
        removals: [sel(legacy), sel("neverLive()")],
      });
      expect(result.refusals).to.deep.equal([]);
      expect(result.cut).to.deep.equal([
        { facetAddress: ZeroAddress, action: FacetCutAction.Remove, functionSelectors: [sel(legacy)] },
      ]);
      expect(result.summary).to.deep.equal({ add: 0, replace: 0, remove: 1 });
      expect(result.untouched).to.deep.equal(
        sorted([sel(diamondCutSig), ...loupeSigs.map(sel), ...ownershipSigs.map(sel), sel(bestBid)]),
      );

      const kept = computeCut(liveDiamond(), [desiredFacet("OrderBookTradingFacet", TRADING_V1, [place, cancel])], {});
      expect(kept.cut).to.deep.equal([]);
      expect(kept.untouched).to.include(sel(legacy));
    });

    it("refuses a removal requested by the desired set (zero-address facet) unless allowlisted", () => {
      const desired = [desiredFacet("removed", ZeroAddress, [legacy, "neverLive()"])];
      const refused = computeCut(liveDiamond(), desired, {});
      expect(refused.cut).to.deep.equal([]);
      expect(refused.refusals.map((r) => [r.kind, r.selector, r.signature])).to.deep.equal([
        ["removal-not-allowed", sel(legacy), legacy],
      ]);
      expect(refused.refusals[0].detail).to.contain(TRADING_V1).and.to.contain("add it to the removal allowlist");
      expect(refused.untouched).to.not.include(sel(legacy));

      const allowed = computeCut(liveDiamond(), desired, { removals: [sel(legacy)] });
      expect(allowed.refusals).to.deep.equal([]);
      expect(allowed.cut).to.deep.equal([
        { facetAddress: ZeroAddress, action: FacetCutAction.Remove, functionSelectors: [sel(legacy)] },
      ]);
    });

    it("refuses to replace or remove protected selectors whatever the policy says", () => {
      const all = [diamondCutSig, ...loupeSigs, ...ownershipSigs];
      const moved = computeCut(liveDiamond(), [desiredFacet("EvilFacet", ADMIN, all)], { allowTakeover: true });
      expect(moved.cut).to.deep.equal([]);
      expect(moved.refusals.map((r) => r.kind)).to.deep.equal(all.map(() => "protected"));
      expect(moved.refusals.map((r) => r.selector)).to.deep.equal(all.map(sel));
      expect(moved.refusals[0].detail).to.contain(diamondCutSig).and.to.contain(CUT).and.to.contain("EvilFacet");

      const removed = computeCut(liveDiamond(), [], { removals: all.map(sel) });
      expect(removed.cut).to.deep.equal([]);
      expect(removed.refusals.map((r) => [r.kind, r.signature])).to.deep.equal(all.map((s) => ["protected", s]));

      const removedByDesire = computeCut(liveDiamond(), [desiredFacet("removed", ZeroAddress, ["owner()"])], {
        removals: [sel("owner()")],
      });
      expect(removedByDesire.refusals.map((r) => r.kind)).to.deep.equal(["protected"]);
    });

    it("adds a protected selector that is not live (a fresh diamond)", () => {
      const result = computeCut([], [desiredFacet("DiamondLoupeFacet", LOUPE, loupeSigs)], {});
      expect(result.refusals).to.deep.equal([]);
      expect(result.cut).to.deep.equal([
        { facetAddress: LOUPE, action: FacetCutAction.Add, functionSelectors: sorted(loupeSigs.map(sel)) },
      ]);
    });

    it("treats selectors registered under the diamond itself as immutable when policy.diamond is given", () => {
      const live = [...liveDiamond(), { facetAddress: DIAMOND, functionSelectors: [sel("immutableVersion()")] }];
      const desired = [desiredFacet("V", ADMIN, ["immutableVersion()"])];
      expect(computeCut(live, desired, { allowTakeover: true }).refusals).to.deep.equal([]);
      const guarded = computeCut(live, desired, { allowTakeover: true, diamond: DIAMOND });
      expect(guarded.refusals.map((r) => r.kind)).to.deep.equal(["protected"]);
      expect(guarded.refusals[0].detail).to.contain("immutable");
      expect(
        computeCut(live, [], { removals: [sel("immutableVersion()")], diamond: DIAMOND }).refusals.map((r) => r.kind),
      ).to.deep.equal(["protected"]);
    });

    it("refuses a selector in two desired facets, and one both desired and allowlisted for removal", () => {
      const result = computeCut(
        liveDiamond(),
        [desiredFacet("A", TRADING_V2, [place, bestAsk]), desiredFacet("B", ADMIN, [bestAsk, setVault])],
        { allowTakeover: true, removals: [sel(setVault)] },
      );
      expect(result.refusals.map((r) => [r.kind, r.selector])).to.deep.equal([
        ["collision", sel(bestAsk)],
        ["collision", sel(setVault)],
      ]);
      expect(result.refusals[0].detail)
        .to.contain(`A (${TRADING_V2})`)
        .and.to.contain(`B (${ADMIN})`)
        .and.to.contain(bestAsk);
      expect(result.refusals[1].detail).to.contain("removal allowlist");
      // the rest is still computed, for display only
      expect(result.cut).to.deep.equal([
        { facetAddress: TRADING_V2, action: FacetCutAction.Replace, functionSelectors: [sel(place)] },
      ]);
    });

    it("rejects malformed input and signatures that do not match their selector", () => {
      expect(() =>
        computeCut(
          liveDiamond(),
          [{ name: "X", facetAddress: ADMIN, selectors: [{ selector: sel(place), signature: cancel }] }],
          {},
        ),
      ).to.throw(/does not match signature/);
      expect(() => computeCut(liveDiamond(), [desiredFacet("X", "0x1234", [place])], {})).to.throw(/Invalid address/);
      expect(() => computeCut(liveDiamond(), [], { removals: ["0x123"] })).to.throw(/Invalid selector/);
    });
  });

  describe("assertCutAllowed", () => {
    it("returns the cut when there is no refusal and throws listing every refusal otherwise", () => {
      const ok = computeCut(liveDiamond(), [desiredFacet("VaultAdminFacet", ADMIN, [setVault])], {});
      expect(assertCutAllowed(ok)).to.equal(ok.cut);

      const bad = computeCut(liveDiamond(), [desiredFacet("T", TRADING_V2, [place, "owner()"])], {
        removals: [sel(diamondCutSig)],
      });
      expect(bad.refusals).to.have.length(3);
      let caught: unknown;
      try {
        assertCutAllowed(bad);
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(CutRefusedError);
      const message = (caught as Error).message;
      expect(message).to.contain("3 problems");
      for (const refusal of bad.refusals) expect(message).to.contain(refusal.detail);
      expect((caught as CutRefusedError).refusals).to.deep.equal(bad.refusals);
    });
  });

  describe("DiamondCut event", () => {
    const cut: FacetCut[] = [
      { facetAddress: ADMIN, action: FacetCutAction.Add, functionSelectors: [sel(setVault)] },
      { facetAddress: TRADING_V2, action: FacetCutAction.Replace, functionSelectors: [sel(cancel), sel(place)] },
      { facetAddress: ZeroAddress, action: FacetCutAction.Remove, functionSelectors: [sel(legacy)] },
    ];
    const init = getAddress("0x" + "11".repeat(20));
    const calldata = new Interface(["function init(address vault)"]).encodeFunctionData("init", [ADMIN]);

    it("predicts topic0 and data exactly as the event is ABI-encoded", () => {
      const predicted = predictDiamondCutEvent(cut, init, calldata);
      // EIP-2535's well-known DiamondCut topic
      expect(predicted.topic0).to.equal("0x8faa70878671ccd212d20771b795c50af8fd3ff6cf27f4bde57e5d4de0aeb673");

      // Solidity-style declaration, as in IDiamondCut.sol
      const iface = new Interface([
        "event DiamondCut(tuple(address facetAddress, uint8 action, bytes4[] functionSelectors)[] _diamondCut, address _init, bytes _calldata)",
      ]);
      const encoded = iface.encodeEventLog("DiamondCut", [
        cut.map((c) => [c.facetAddress, c.action, c.functionSelectors]),
        init,
        calldata,
      ]);
      expect(predicted).to.deep.equal({ topic0: encoded.topics[0], data: encoded.data });
      expect(encoded.topics).to.have.length(1);

      const plain = AbiCoder.defaultAbiCoder().encode(
        ["(address,uint8,bytes4[])[]", "address", "bytes"],
        [cut.map((c) => [c.facetAddress, c.action, c.functionSelectors]), init, calldata],
      );
      expect(predicted.data).to.equal(plain);

      const decoded = iface.decodeEventLog("DiamondCut", predicted.data, [predicted.topic0]);
      expect(decoded._init).to.equal(init);
      expect(decoded._calldata).to.equal(calldata);
      expect(decoded._diamondCut[1].functionSelectors).to.deep.equal([sel(cancel), sel(place)]);
    });

    it("encodes an empty init as the zero address with empty calldata", () => {
      const predicted = predictDiamondCutEvent([], ZeroAddress, "0x");
      expect(predicted.data).to.equal(
        AbiCoder.defaultAbiCoder().encode(["(address,uint8,bytes4[])[]", "address", "bytes"], [[], ZeroAddress, "0x"]),
      );
    });

    it("finds the matching log from the diamond only", () => {
      const predicted = predictDiamondCutEvent(cut, init, calldata);
      const other = predictDiamondCutEvent(cut, ZeroAddress, "0x");
      const transfer = { address: DIAMOND, topics: [id("OwnershipTransferred(address,address)")], data: "0x" };
      const log = { address: DIAMOND.toLowerCase(), topics: [predicted.topic0], data: predicted.data };

      expect(receiptHasDiamondCut([transfer, log], DIAMOND, predicted)).to.equal(true);
      expect(receiptHasDiamondCut([], DIAMOND, predicted)).to.equal(false);
      expect(receiptHasDiamondCut([transfer], DIAMOND, predicted)).to.equal(false);
      expect(receiptHasDiamondCut([{ ...log, address: ADMIN }], DIAMOND, predicted)).to.equal(false);
      expect(receiptHasDiamondCut([{ ...log, data: other.data }], DIAMOND, predicted)).to.equal(false);
      expect(receiptHasDiamondCut([{ ...log, topics: [id("Other()")] }], DIAMOND, predicted)).to.equal(false);
      expect(receiptHasDiamondCut([{ ...log, topics: [] }], DIAMOND, predicted)).to.equal(false);
    });
  });

  describe("applyCutToLive and inverseCut", () => {
    const desired = [
      desiredFacet("OrderBookTradingFacet", TRADING_V2, [place, cancel, "amendOrder(uint256,uint256)"]),
      desiredFacet("VaultAdminFacet", ADMIN, [setVault]),
    ];
    const policy = { allowTakeover: true, removals: [sel(legacy), sel(bestBid)] };

    it("gives the loupe view after the cut, in LibDiamond's storage order (append, swap-and-pop)", () => {
      const [A, B, C, D] = [TRADING_V1, VIEW, ADMIN, TRADING_V2];
      const live = [
        { facetAddress: A, functionSelectors: ["x1()", "x2()", "x3()"].map(sel) },
        { facetAddress: B, functionSelectors: [sel("y1()")] },
        { facetAddress: C, functionSelectors: [sel("z1()")] },
      ];
      const after = applyCutToLive(live, [
        { facetAddress: ZeroAddress, action: FacetCutAction.Remove, functionSelectors: [sel("x1()")] }, // A: x3 x2
        { facetAddress: ZeroAddress, action: FacetCutAction.Remove, functionSelectors: [sel("y1()")] }, // B gone, C moves up
        { facetAddress: D, action: FacetCutAction.Add, functionSelectors: [sel("w1()")] },
        { facetAddress: D, action: FacetCutAction.Replace, functionSelectors: [sel("x3()")] }, // A: x2
      ]);
      expect(after).to.deep.equal([
        { facetAddress: A, functionSelectors: [sel("x2()")] },
        { facetAddress: C, functionSelectors: [sel("z1()")] },
        { facetAddress: D, functionSelectors: [sel("w1()"), sel("x3()")] },
      ]);
      expect(live[0].functionSelectors).to.have.length(3); // input not mutated
    });

    it("reaches the desired state: recomputing the cut on the result gives nothing to do", () => {
      const { cut } = computeCut(liveDiamond(), desired, policy);
      const after = applyCutToLive(liveDiamond(), cut);
      expect(mapping(after)).to.deep.equal({
        ...mapping(liveDiamond().slice(0, 3)),
        [sel(place)]: TRADING_V2,
        [sel(cancel)]: TRADING_V2,
        [sel("amendOrder(uint256,uint256)")]: TRADING_V2,
        [sel(setVault)]: ADMIN,
      });
      expect(computeCut(after, desired, policy).cut).to.deep.equal([]);
    });

    it("throws where LibDiamond would revert", () => {
      const live = liveDiamond();
      const one = (facetAddress: string, action: FacetCutAction, signature: string) => [
        { facetAddress, action, functionSelectors: [sel(signature)] },
      ];
      expect(() => applyCutToLive(live, one(ADMIN, FacetCutAction.Add, place))).to.throw(
        /CannotAddSelectorThatAlreadyExists/,
      );
      expect(() => applyCutToLive(live, one(ADMIN, FacetCutAction.Replace, setVault))).to.throw(
        /CannotReplaceFunctionThatDoesNotExist/,
      );
      expect(() => applyCutToLive(live, one(TRADING_V1, FacetCutAction.Replace, place))).to.throw(
        /CannotReplaceFunctionWithTheSameFacet/,
      );
      expect(() => applyCutToLive(live, one(ADMIN, FacetCutAction.Remove, place))).to.throw(
        /RemoveFacetAddressMustBeZero/,
      );
      expect(() => applyCutToLive(live, one(ZeroAddress, FacetCutAction.Remove, setVault))).to.throw(
        /CannotRemoveFunctionThatDoesNotExist/,
      );
      expect(() =>
        applyCutToLive(live, [{ facetAddress: ADMIN, action: FacetCutAction.Add, functionSelectors: [] }]),
      ).to.throw(/NoSelectorsProvidedForFacetForCut/);
    });

    it("inverseCut restores the original loupe view (adds, replaces and removes)", () => {
      const before = liveDiamond();
      const { cut, refusals } = computeCut(before, desired, policy);
      expect(refusals).to.deep.equal([]);
      expect(cut.map((c) => c.action)).to.deep.equal([
        FacetCutAction.Add,
        FacetCutAction.Replace,
        FacetCutAction.Add,
        FacetCutAction.Remove,
      ]);

      const after = applyCutToLive(before, cut);
      const inverse = inverseCut(before, cut);
      expect(inverse).to.deep.equal([
        { facetAddress: TRADING_V1, action: FacetCutAction.Add, functionSelectors: [sel(legacy)] },
        {
          facetAddress: TRADING_V1,
          action: FacetCutAction.Replace,
          functionSelectors: sorted([sel(place), sel(cancel)]),
        },
        { facetAddress: VIEW, action: FacetCutAction.Add, functionSelectors: [sel(bestBid)] },
        {
          facetAddress: ZeroAddress,
          action: FacetCutAction.Remove,
          functionSelectors: sorted([sel("amendOrder(uint256,uint256)"), sel(setVault)]),
        },
      ]);

      const restored = applyCutToLive(after, inverse);
      expect(mapping(restored)).to.deep.equal(mapping(before));
      expect(restored.map((f) => f.facetAddress).sort()).to.deep.equal(before.map((f) => f.facetAddress).sort());
      expect(inverseCut(before, [])).to.deep.equal([]);
    });
  });
});
