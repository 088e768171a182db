import { expect } from "chai";
import { Interface, Wallet } from "ethers";
import { decodeFacets, FACETS_OUTPUT } from "../../src/engine/aggregate3.js";

const loupe = new Interface([
  "function facets() view returns ((address facetAddress, bytes4[] functionSelectors)[] facets_)",
]);

describe("the loupe's facets() decoded by hand", () => {
  it("gives what the ABI coder gives, for the fragment the reader matches", () => {
    const fragment = loupe.getFunction("facets")!;
    expect(fragment.outputs[0].format()).to.equal(FACETS_OUTPUT);
    const facets = [
      [Wallet.createRandom().address, ["0x1f931c1c", "0xCDFFACC6", "0x52ef6b2c"]],
      [Wallet.createRandom().address, []],
      [Wallet.createRandom().address, ["0x8da5cb5b"]],
    ];
    const raw = loupe.encodeFunctionResult(fragment, [facets]);
    const expected = (loupe.decodeFunctionResult(fragment, raw)[0] as unknown[][]).map(([a, s]) => [
      a,
      [...(s as string[])],
    ]);
    expect(decodeFacets(raw)).to.deep.equal(expected);
    expect(decodeFacets(loupe.encodeFunctionResult(fragment, [[]]))).to.deep.equal([]);
  });

  it("refuses data without the layout instead of reading past it", () => {
    const raw = loupe.encodeFunctionResult("facets", [[[Wallet.createRandom().address, ["0x1f931c1c"]]]]);
    expect(() => decodeFacets(raw.slice(0, raw.length - 64))).to.throw(/shorter than its layout/);
    expect(() => decodeFacets("0x" + "ff".repeat(32))).to.throw(/out of range/);
  });
});
