// The manifest tree's two odd-node rules against a Solidity verifier with PayRox's leaf encoding
// (contracts/dispatcher/test/OrderedMerkleVerifier.sol): every proof verifies on chain under both rules; the roots
// differ exactly when a level has an odd node; pinned vectors; and a facet plan made with the duplicate rule applies on
// our mock dispatcher, which verifies every proof on chain.
import path from "node:path";
import { expect } from "chai";
import { concat, dataSlice, getAddress, id, keccak256, toBeHex, zeroPadValue, type Contract } from "ethers";
import hre from "hardhat";
import { buildManifestTree, type ManifestEntry, type OddNodeRule } from "../../src/manifest/merkle.js";
import { conn } from "../helpers/system.js";
import { runJson } from "../helpers/tasks.js";

const { ethers, networkHelpers } = conn;
const [admin] = await ethers.getSigners();
const verifier = (await ethers.deployContract("OrderedMerkleVerifier")) as unknown as Contract;

function entries(n: number): ManifestEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    selector: dataSlice(id(`f${i}()`), 0, 4),
    facet: getAddress(zeroPadValue(toBeHex(0x1000 + i), 20)),
    codehash: id(`code-${i}`),
  }));
}
const node = (e: ManifestEntry) =>
  keccak256(concat(["0x00", keccak256(concat([e.selector + "0".repeat(56), zeroPadValue(e.facet, 32), e.codehash]))]));
const inner = (a: string, b: string) => keccak256(concat(["0x01", a, b]));
const RULES: OddNodeRule[] = ["promote", "duplicate"];

describe("manifest odd-node rules against a Solidity verifier with PayRox's leaf encoding", () => {
  for (const n of [1, 2, 3, 4, 5, 6, 7, 13]) {
    it(`${n} entries: every proof of both rules verifies on chain; roots differ only with an odd level`, async () => {
      const es = entries(n);
      const roots: string[] = [];
      for (const rule of RULES) {
        const tree = buildManifestTree(es, rule);
        roots.push(tree.root);
        for (let i = 0; i < n; i++) {
          const { proof, isRight } = tree.proofs[i];
          const e = es[i];
          expect(await verifier.verify(tree.root, e.selector, e.facet, e.codehash, proof, isRight), `${rule} ${i}`).to
            .be.true;
          const other = es[(i + 1) % n];
          if (n > 1)
            expect(await verifier.verify(tree.root, other.selector, other.facet, other.codehash, proof, isRight)).to.be
              .false;
        }
      }
      const powerOfTwo = (n & (n - 1)) === 0;
      expect(roots[0] === roots[1], `roots equal for ${n}`).to.equal(powerOfTwo);
    });
  }

  it("pinned vectors: 3 entries, written out by hand", () => {
    const [a, b, c] = entries(3).map(node);
    expect(buildManifestTree(entries(3), "promote").root).to.equal(inner(inner(a, b), c));
    expect(buildManifestTree(entries(3), "duplicate").root).to.equal(inner(inner(a, b), inner(c, c)));
    expect(buildManifestTree(entries(3), "promote").root).to.equal(
      "0x645cf3cfdee4fbe901d94ed5e3f7e9b72e141201a1daf9dddf518b6919bca000",
    );
    expect(buildManifestTree(entries(3), "duplicate").root).to.equal(
      "0x447e446ea038016aaa0bb39473e1b48685b1c3b2921be315cb5487789e0c5827",
    );
    expect(buildManifestTree(entries(3), "duplicate").proofs[2]).to.deep.equal({
      proof: [c, inner(a, b)],
      isRight: [true, false],
    });
  });

  it("a plan made with the duplicate rule (cutover.diamond.oddNode) stages and applies on our mock, which verifies every proof", async () => {
    hre.config.cutover.diamond.oddNode = "duplicate";
    try {
      const d = await ethers.deployContract("ManifestDispatcher", [admin.address, 60]);
      const target = await d.getAddress();
      const p = await runJson("diamond:plan", { target, facets: "FeeConfigFacet,PauseGuardFacet,MarketInfoFacet" });
      expect(p.plan.oddNode).to.equal("duplicate");
      expect(p.plan.entries).to.have.length(17);
      const promoted = buildManifestTree(
        p.plan.entries.map((e: ManifestEntry) => ({ selector: e.selector, facet: e.facet, codehash: e.codehash })),
        "promote",
      );
      expect(p.plan.root).to.not.equal(promoted.root);
      const staged = await runJson("diamond:stage-plan", { plan: p.file });
      // --json paths are relative to the project root, like the printed ones
      expect([p.file, staged.stageRecord].filter((f: string) => path.isAbsolute(f))).to.deep.equal([]);
      await networkHelpers.time.increase(60);
      const applied = await runJson("diamond:apply-plan", { plan: p.file });
      expect(applied.apply.complete).to.equal(true);
      expect(applied.routesVerified).to.equal(true);
      expect(await d.activeRoot()).to.equal(p.plan.root);
    } finally {
      hre.config.cutover.diamond.oddNode = undefined;
    }
  });
});
