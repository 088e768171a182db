// The host functions of a target read from its own runtime bytecode (the shadowing check when no ABI is given),
// checked against the compiled ABIs of contracts of different shapes.
import { expect } from "chai";
import hre from "hardhat";
import { bytecodeSelectors, selectorsOf } from "../../src/diamond/selectors.js";

async function compare(name: string) {
  const artifact = await hre.artifacts.readArtifact(name);
  const fromCode = new Set(bytecodeSelectors(artifact.deployedBytecode).map((s) => s.selector));
  const fromAbi = selectorsOf(artifact.abi as never).map((s) => s.selector);
  return { fromCode, fromAbi };
}

describe("host selectors from bytecode", () => {
  for (const name of ["PayRoxDispatcher", "FeeConfigFacet", "MarketInfoFacet", "HostShadowFacet"]) {
    it(`${name}: exactly the functions of its ABI`, async () => {
      const { fromCode, fromAbi } = await compare(name);
      expect([...fromCode].sort()).to.deep.equal([...fromAbi].sort());
    });
  }

  for (const name of ["ManifestDispatcher", "Timelock", "OrderBookDiamond", "ReferenceDiamond"]) {
    it(`${name}: every function of its ABI is found`, async () => {
      const { fromCode, fromAbi } = await compare(name);
      for (const selector of fromAbi) expect(fromCode.has(selector), selector).to.equal(true);
    });
  }

  it("skips PUSH data: a PUSH32 operand that contains the PUSH4 ... EQ pattern is not read as a selector", () => {
    const inside = "63" + "deadbeef" + "14";
    const code = "0x7f" + inside.padEnd(64, "0") + "6312345678" + "14";
    expect(bytecodeSelectors(code).map((s) => s.selector)).to.deep.equal(["0x12345678"]);
  });
});
