import { expect } from "chai";
import { getAddress, id, keccak256, toBeHex, toUtf8Bytes, zeroPadValue } from "ethers";
import { applyCutToLive, FacetCutAction } from "../../src/diamond/cut.js";
import {
  batches,
  buildFacetPlan,
  EIP170_LIMIT,
  EIP170_WARN_BYTES,
  facetFamily,
  facetPlanId,
  planIntegrityProblems,
  routeDifferences,
  type FacetPlanInputs,
  type LiveFacetView,
  type PlannedFacet,
} from "../../src/diamond/facet-plan.js";
import { verifyManifestProof } from "../../src/manifest/merkle.js";
import { formatDuration } from "../../src/timelock/duration.js";
import { hashOperationBatch } from "../../src/timelock/operation.js";

const addr = (n: number) => getAddress(zeroPadValue(toBeHex(n), 20));
const sel = (signature: string) => ({ selector: id(signature).slice(0, 10), signature });
const hash = (label: string) => keccak256(toUtf8Bytes(label));
const TARGET = addr(0xd15);

function facet(name: string, n: number, signatures: string[], deployedSize = 2_000): PlannedFacet {
  return { name, address: addr(n), codehash: hash(name), deployedSize, selectors: signatures.map(sel) };
}

function liveFacet(name: string | undefined, n: number, signatures: string[]): LiveFacetView {
  return { address: addr(n), ...(name ? { name } : {}), codehash: hash(`live ${n}`), selectors: signatures.map(sel) };
}

function inputs(over: Partial<FacetPlanInputs>): FacetPlanInputs {
  return {
    network: "unit",
    chainId: 31337,
    target: TARGET,
    kind: "dispatcher",
    timelock: null,
    owner: null,
    dispatcherProfile: "reference",
    epoch: 1,
    activationDelay: 3600,
    facets: [],
    live: [],
    hostSelectors: [sel("commitRoot(bytes32,uint64)"), sel("paused()")],
    pending: null,
    acceptBreaking: false,
    allowTakeover: [],
    ...over,
  };
}

const FEES = facet("FeeConfigFacet", 0xa1, ["setFees(uint16,uint16)", "fees()", "feeRecipient()"]);
const MARKETS = facet("MarketInfoFacet", 0xa2, [
  "listMarket(bytes32,string,uint8)",
  "delistMarket(bytes32)",
  "marketCount()",
]);

describe("facet plan (pure)", () => {
  it("routes every selector of the planned facets with a leaf, proof and position bits that verify against the root", () => {
    const plan = buildFacetPlan(inputs({ facets: [MARKETS, FEES] }));
    expect(plan.status).to.equal("ready");
    expect(plan.entries.map((e) => e.selector)).to.deep.equal([...plan.entries.map((e) => e.selector)].sort());
    expect(plan.entries).to.have.length(6);
    for (const e of plan.entries) {
      expect(verifyManifestProof(plan.root, e, e.proof, e.positions), e.signature).to.equal(true);
      expect(e.positions).to.have.length(e.proof.length);
    }
    expect(plan.cut.facetCuts).to.deep.equal([
      {
        facetAddress: FEES.address,
        action: FacetCutAction.Add,
        functionSelectors: FEES.selectors.map((s) => s.selector).sort(),
      },
      {
        facetAddress: MARKETS.address,
        action: FacetCutAction.Add,
        functionSelectors: MARKETS.selectors.map((s) => s.selector).sort(),
      },
    ]);
    expect(planIntegrityProblems(plan)).to.deep.equal([]);
  });

  it("the id is the hash of the content: the same inputs (in any order) give the same plan; any change gives another", () => {
    const a = buildFacetPlan(inputs({ facets: [FEES, MARKETS] }));
    const b = buildFacetPlan(inputs({ facets: [MARKETS, FEES] }));
    expect(JSON.stringify(a)).to.equal(JSON.stringify(b));
    const { id: planId, ...content } = a;
    expect(facetPlanId(content)).to.equal(planId);
    expect(buildFacetPlan(inputs({ facets: [FEES, MARKETS], epoch: 2 })).id).to.not.equal(a.id);
    expect(buildFacetPlan(inputs({ facets: [FEES, { ...MARKETS, codehash: hash("other code") }] })).id).to.not.equal(
      a.id,
    );
  });

  it("finds tampering: an edited field changes the id; an edited proof or bit does not verify", () => {
    const plan = buildFacetPlan(inputs({ facets: [FEES, MARKETS] }));
    const edited = structuredClone(plan);
    edited.entries[2].positions[0] = !edited.entries[2].positions[0];
    const { id: _id, ...content } = edited;
    const rehashed = { ...content, id: facetPlanId(content) };
    expect(planIntegrityProblems(edited).some((p) => p.includes("the file was edited"))).to.equal(true);
    expect(planIntegrityProblems(rehashed)).to.deep.equal([
      `plan entry ${plan.entries[2].selector} (${plan.entries[2].facetName}): its proof does not verify against root ${plan.root}`,
    ]);
    const swapped = structuredClone(plan);
    swapped.entries[0].codehash = hash("swapped");
    const { id: _id2, ...content2 } = swapped;
    expect(planIntegrityProblems({ ...content2, id: facetPlanId(content2) }).some((p) => p.includes("leaf"))).to.equal(
      true,
    );
  });

  it("refuses a selector in two planned facets (collision)", () => {
    const colliding = facet("CollidingFacet", 0xa3, ["feeRecipient()", "collidingPing()"]);
    const plan = buildFacetPlan(inputs({ facets: [FEES, colliding] }));
    expect(plan.status).to.equal("refused");
    expect(plan.checks.collisions).to.deep.equal([
      {
        selector: sel("feeRecipient()").selector,
        signature: "feeRecipient()",
        facets: [`CollidingFacet (${colliding.address})`, `FeeConfigFacet (${FEES.address})`],
      },
    ]);
    expect(plan.reasons[0]).to.match(/^\[collision\] 0x46904840 feeRecipient\(\) is in more than one planned facet/);
    expect(plan.inverse).to.equal(null);
    expect(plan.live.after).to.equal(null);
  });

  it("refuses a takeover of a live route served by an unrelated facet, unless allowed", () => {
    const live = [liveFacet("FeeConfigFacet", 0xa1, ["setFees(uint16,uint16)", "fees()", "feeRecipient()"])];
    const colliding = facet("CollidingFacet", 0xa3, ["feeRecipient()", "collidingPing()"]);
    const refused = buildFacetPlan(inputs({ facets: [colliding], live }));
    expect(refused.status).to.equal("refused");
    expect(refused.checks.takeovers).to.deep.equal([
      {
        selector: "0x46904840",
        signature: "feeRecipient()",
        from: `FeeConfigFacet (${addr(0xa1)})`,
        to: "CollidingFacet",
        allowed: false,
      },
    ]);
    expect(refused.reasons).to.deep.equal([
      `[takeover] 0x46904840 feeRecipient() is served by FeeConfigFacet (${addr(0xa1)}); CollidingFacet would take it over. If intended, pass --allow-takeover 0x46904840; otherwise drop it from CollidingFacet.`,
    ]);
    const allowed = buildFacetPlan(inputs({ facets: [colliding], live, allowTakeover: ["0x46904840"] }));
    expect(allowed.status).to.equal("ready");
    expect(allowed.cut.summary).to.deep.equal({ add: 1, replace: 1, remove: 0, unchanged: 0 });
    expect(buildFacetPlan(inputs({ facets: [colliding], live, allowTakeover: true })).status).to.equal("ready");
  });

  it("refuses a selector the target answers itself (shadowed) and, on a diamond, cut/loupe/ownership functions", () => {
    const shadow = facet("GuardFacet", 0xa4, ["paused()", "guard()"]);
    const plan = buildFacetPlan(inputs({ facets: [shadow] }));
    expect(plan.checks.shadowed).to.deep.equal([
      { selector: sel("paused()").selector, signature: "paused()", facet: "GuardFacet" },
    ]);
    expect(plan.status).to.equal("refused");

    const live = [liveFacet("OwnershipFacet", 0xb1, ["owner()", "transferOwnership(address)"])];
    const owner = facet("MyOwnerFacet", 0xa5, ["owner()"]);
    const diamond = buildFacetPlan(
      inputs({
        kind: "diamond",
        timelock: addr(0x71),
        epoch: null,
        hostSelectors: [],
        facets: [owner],
        live,
        allowTakeover: true,
      }),
    );
    expect(diamond.status).to.equal("refused");
    expect(diamond.checks.protected.map((p) => p.selector)).to.deep.equal([sel("owner()").selector]);
  });

  it("EIP-170 on deployed code: over 24 576 bytes refused, from 90 % warned, at the limit accepted", () => {
    expect(EIP170_WARN_BYTES).to.equal(22_119);
    const at = (size: number) => buildFacetPlan(inputs({ facets: [{ ...FEES, deployedSize: size }] }));
    expect(at(EIP170_LIMIT + 1).status).to.equal("refused");
    expect(at(EIP170_LIMIT + 1).reasons[0]).to.equal(
      "[oversize] FeeConfigFacet: deployed code is 24577 bytes, over the EIP-170 limit of 24576 (100%). Split the facet.",
    );
    expect(at(EIP170_LIMIT).status).to.equal("ready");
    expect(at(EIP170_LIMIT).checks.size[0].status).to.equal("warn");
    expect(at(EIP170_WARN_BYTES).checks.warnings[0]).to.match(
      /^FeeConfigFacet: deployed code is 22119 bytes, 90% of the EIP-170 limit/,
    );
    expect(at(EIP170_WARN_BYTES - 1).checks.size[0].status).to.equal("ok");
  });

  it("a new version supersedes the live one: moves without takeover, removals refused unless accepted, changed signatures found", () => {
    expect(facetFamily("MarketInfoFacetV2")).to.equal("MarketInfoFacet");
    const live = [
      liveFacet("FeeConfigFacet", 0xa1, ["setFees(uint16,uint16)", "fees()", "feeRecipient()"]),
      liveFacet("MarketInfoFacet", 0xa2, [
        "listMarket(bytes32,string,uint8)",
        "delistMarket(bytes32)",
        "marketCount()",
      ]),
    ];
    const v2 = facet("MarketInfoFacetV2", 0xa6, [
      "listMarket(bytes32,string,uint8,uint256)",
      "marketCount()",
      "tickSize(bytes32)",
    ]);
    const refused = buildFacetPlan(inputs({ facets: [v2], live }));
    expect(refused.status).to.equal("refused");
    expect(refused.reasons).to.have.length(1);
    expect(refused.reasons[0]).to.match(/^\[breaking\] the plan removes 2 live selector\(s\)/);
    expect(refused.checks.takeovers).to.deep.equal([]);
    expect(refused.checks.abi.changed).to.deep.equal([
      { name: "listMarket", from: "listMarket(bytes32,string,uint8)", to: "listMarket(bytes32,string,uint8,uint256)" },
    ]);

    const plan = buildFacetPlan(inputs({ facets: [v2], live, acceptBreaking: true }));
    expect(plan.status).to.equal("ready");
    expect(plan.cut.summary).to.deep.equal({ add: 2, replace: 1, remove: 2, unchanged: 0 });
    expect(plan.cut.removals).to.deep.equal(
      [sel("delistMarket(bytes32)").selector, sel("listMarket(bytes32,string,uint8)").selector].sort(),
    );
    // The inverse: V1's routes back as epoch 2's manifest (with their live code hashes), V2's additions removed.
    const inverse = plan.inverse!;
    expect(inverse.epoch).to.equal(2);
    expect(inverse.entries.map((e) => [e.signature, e.facet, e.codehash])).to.deep.equal(
      ["listMarket(bytes32,string,uint8)", "delistMarket(bytes32)", "marketCount()"]
        .map((s) => [s, addr(0xa2), hash(`live ${0xa2}`)])
        .sort((a, b) => (id(a[0]).slice(0, 10) < id(b[0]).slice(0, 10) ? -1 : 1)),
    );
    for (const e of inverse.entries) expect(verifyManifestProof(inverse.root!, e, e.proof, e.positions)).to.equal(true);
    expect(inverse.removals).to.deep.equal(
      [sel("listMarket(bytes32,string,uint8,uint256)").selector, sel("tickSize(bytes32)").selector].sort(),
    );
    expect(routeDifferences(inverse.after, applyCutToLive(inverse.before, inverse.cut))).to.deep.equal([]);
    expect(routeDifferences(plan.live.before, inverse.after)).to.deep.equal([]);
  });

  it("an unidentified live facet is not superseded: moving its selectors is a takeover", () => {
    const live = [liveFacet(undefined, 0xa2, ["marketCount()"])];
    const same = buildFacetPlan(inputs({ facets: [MARKETS], live }));
    expect(same.status).to.equal("ready"); // same address: nothing moves
    expect(same.cut.summary).to.deep.equal({ add: 2, replace: 0, remove: 0, unchanged: 1 });
    const moved = buildFacetPlan(inputs({ facets: [{ ...MARKETS, address: addr(0xa7) }], live }));
    expect(moved.status).to.equal("refused");
    expect(moved.checks.takeovers).to.deep.equal([
      {
        selector: sel("marketCount()").selector,
        signature: "marketCount()",
        from: addr(0xa2),
        to: "MarketInfoFacet",
        allowed: false,
      },
    ]);
    expect(moved.checks.abi.removed).to.deep.equal([]);
  });

  it("warns about a pending root the plan would replace", () => {
    const plan = buildFacetPlan(inputs({ facets: [FEES], pending: { root: hash("pending"), epoch: 1 } }));
    expect(plan.status).to.equal("ready");
    expect(plan.checks.warnings).to.deep.equal([
      `root ${hash("pending")} (epoch 1) is committed and not yet activated; staging this plan replaces it and discards its staged routes`,
    ]);
  });

  it("batches of at most 100, timelock operation ids, durations", () => {
    expect(batches([...Array(250).keys()], 100).map((b) => b.length)).to.deep.equal([100, 100, 50]);
    expect(() => batches([1], 101)).to.throw(/from 1 to 100/);
    expect(() => batches([1], 0)).to.throw(/from 1 to 100/);
    // hashOperationBatch of OpenZeppelin's TimelockController: keccak256(abi.encode(targets, values, payloads, predecessor, salt)).
    const zero = `0x${"00".repeat(32)}`;
    const words = ["a0", "e0", "120", "0", "0", "1", "1", "1", "0", "1", "20", "0"]; // offsets, predecessor, salt, then the arrays
    expect(hashOperationBatch([addr(1)], [0n], ["0x"], zero, zero)).to.equal(
      keccak256(`0x${words.map((w) => w.padStart(64, "0")).join("")}`),
    );
    expect(formatDuration(3600)).to.equal("1 h");
    expect(formatDuration(2399.2)).to.equal("40 min");
    expect(formatDuration(90_061)).to.equal("1 d 1 h 1 min 1 s");
    expect(formatDuration(0)).to.equal("0 s");
  });
});
