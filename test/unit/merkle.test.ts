import { expect } from "chai";
import { concat, dataSlice, getAddress, id, keccak256, solidityPacked, toBeHex, zeroPadValue } from "ethers";
import { buildManifestTree, manifestLeaf, verifyManifestProof, type ManifestEntry } from "../../src/manifest/merkle.js";

function entries(n: number): ManifestEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    selector: dataSlice(id(`f${i}()`), 0, 4),
    facet: getAddress(zeroPadValue(toBeHex(0x1000 + i), 20)),
    codehash: id(`code-${i}`),
  }));
}

// Independent reference: hashes written out with solidityPacked rather than the module's helpers.
const leafRef = (e: ManifestEntry) =>
  keccak256(concat([e.selector + "0".repeat(56), zeroPadValue(e.facet, 32), e.codehash]));
const leafNode = (e: ManifestEntry) => keccak256(solidityPacked(["bytes1", "bytes32"], ["0x00", leafRef(e)]));
const inner = (a: string, b: string) => keccak256(solidityPacked(["bytes1", "bytes32", "bytes32"], ["0x01", a, b]));

describe("manifest merkle (pure)", () => {
  it("leaf is keccak256(abi.encode(bytes4, address, bytes32))", () => {
    const [e] = entries(1);
    expect(manifestLeaf(e.selector, e.facet, e.codehash)).to.equal(leafRef(e));
    // checksum-insensitive on the facet address
    expect(manifestLeaf(e.selector, e.facet.toLowerCase(), e.codehash)).to.equal(leafRef(e));
  });

  it("root of 1 entry is its leaf node, with an empty proof", () => {
    const es = entries(1);
    const t = buildManifestTree(es);
    expect(t.root).to.equal(leafNode(es[0]));
    expect(t.proofs).to.deep.equal([{ proof: [], isRight: [] }]);
    expect(verifyManifestProof(t.root, es[0], [], [])).to.equal(true);
  });

  it("root of 2 entries is H(0x01 ‖ n0 ‖ n1), position-aware", () => {
    const es = entries(2);
    const [n0, n1] = es.map(leafNode);
    const t = buildManifestTree(es);
    expect(t.root).to.equal(inner(n0, n1));
    expect(t.root).to.not.equal(inner(n1, n0));
    expect(t.proofs[0]).to.deep.equal({ proof: [n1], isRight: [true] });
    expect(t.proofs[1]).to.deep.equal({ proof: [n0], isRight: [false] });
    // the reversed order gives another root: order is the caller's business
    expect(buildManifestTree([es[1], es[0]]).root).to.equal(inner(n1, n0));
  });

  it("root of 3 entries promotes the odd last node unchanged", () => {
    const es = entries(3);
    const [n0, n1, n2] = es.map(leafNode);
    const t = buildManifestTree(es);
    expect(t.root).to.equal(inner(inner(n0, n1), n2));
    expect(t.proofs[2]).to.deep.equal({ proof: [inner(n0, n1)], isRight: [false] });
    expect(t.proofs[0]).to.deep.equal({ proof: [n1, n2], isRight: [true, true] });
  });

  it("root of 5 entries: the fifth is promoted twice and has a one-sibling proof", () => {
    const es = entries(5);
    const n = es.map(leafNode);
    const left = inner(inner(n[0], n[1]), inner(n[2], n[3]));
    const t = buildManifestTree(es);
    expect(t.root).to.equal(inner(left, n[4]));
    expect(t.proofs[4]).to.deep.equal({ proof: [left], isRight: [false] });
    expect(t.proofs[3]).to.deep.equal({ proof: [n[2], inner(n[0], n[1]), n[4]], isRight: [false, false, true] });
  });

  it("root of 8 entries is the full binary tree", () => {
    const es = entries(8);
    const n = es.map(leafNode);
    const a = inner(inner(n[0], n[1]), inner(n[2], n[3]));
    const b = inner(inner(n[4], n[5]), inner(n[6], n[7]));
    const t = buildManifestTree(es);
    expect(t.root).to.equal(inner(a, b));
    for (const p of t.proofs) expect(p.proof).to.have.length(3);
    expect(t.proofs[5]).to.deep.equal({ proof: [n[4], inner(n[6], n[7]), a], isRight: [false, true, false] });
  });

  for (const size of [1, 2, 3, 5, 8, 13]) {
    it(`every proof verifies for ${size} entries, and tampering fails`, () => {
      const es = entries(size);
      const t = buildManifestTree(es);
      es.forEach((e, i) => {
        const { proof, isRight } = t.proofs[i];
        expect(verifyManifestProof(t.root, e, proof, isRight), `entry ${i}`).to.equal(true);
        // wrong entry data
        expect(verifyManifestProof(t.root, { ...e, codehash: id("other") }, proof, isRight)).to.equal(false);
        expect(verifyManifestProof(t.root, { ...e, selector: "0xdeadbeef" }, proof, isRight)).to.equal(false);
        if (proof.length === 0) return;
        // tampered sibling
        const bad = [...proof];
        bad[0] = id("tampered");
        expect(verifyManifestProof(t.root, e, bad, isRight)).to.equal(false);
        // flipped position bit
        const flipped = isRight.map((b, k) => (k === 0 ? !b : b));
        expect(verifyManifestProof(t.root, e, proof, flipped)).to.equal(false);
        // truncated proof, mismatched lengths
        expect(verifyManifestProof(t.root, e, proof.slice(1), isRight.slice(1))).to.equal(false);
        expect(verifyManifestProof(t.root, e, proof, isRight.slice(1))).to.equal(false);
      });
    });
  }

  it("a proof does not verify against another manifest's root", () => {
    const t1 = buildManifestTree(entries(4));
    const t2 = buildManifestTree(entries(5));
    const e = entries(4)[1];
    expect(verifyManifestProof(t2.root, e, t1.proofs[1].proof, t1.proofs[1].isRight)).to.equal(false);
  });

  it("refuses an empty manifest", () => {
    expect(() => buildManifestTree([])).to.throw(/at least one route/);
  });
});
