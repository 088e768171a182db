import { expect } from "chai";
import { Interface, Wallet } from "ethers";
import { decodeFacets, decodeWord, FACETS_OUTPUT } from "../../src/engine/aggregate3.js";

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

describe("lone static return values decoded from their word", () => {
  const iface = new Interface([
    "function a() view returns (address)",
    "function b() view returns (bool)",
    "function c() view returns (uint256)",
    "function d() view returns (bytes32)",
  ]);

  it("gives what the ABI coder gives, and leaves to it what it would refuse", () => {
    const address = Wallet.createRandom().address;
    const cases: [string, unknown][] = [
      ["a", address],
      ["b", true],
      ["b", false],
      ["c", 2n ** 200n + 5n],
      ["d", "0x" + "Ab".repeat(32)],
    ];
    for (const [fn, value] of cases) {
      const fragment = iface.getFunction(fn)!;
      const raw = iface.encodeFunctionResult(fragment, [value]);
      expect(decodeWord(fragment.outputs[0].type, raw), fn).to.deep.equal(iface.decodeFunctionResult(fragment, raw)[0]);
    }
    expect(decodeWord("address", "0x" + "ff".repeat(32))).to.equal(undefined);
    expect(decodeWord("uint256", "0x1234")).to.equal(undefined);
    expect(decodeWord("uint8", "0x" + "00".repeat(31) + "01")).to.equal(undefined);
  });
});
