import { expect } from "chai";
import { Interface } from "ethers";
import { selectorsOf } from "../../src/diamond/selectors.js";

const diamondAbi = [
  "function diamondCut((address facetAddress, uint8 action, bytes4[] functionSelectors)[] _diamondCut, address _init, bytes _calldata)",
  "function facets() view returns ((address facetAddress, bytes4[] functionSelectors)[])",
  "function owner() view returns (address)",
  "function transferOwnership(address)",
  "event OwnershipTransferred(address indexed previousOwner, address indexed newOwner)",
  "error NotContractOwner(address user, address owner)",
];

describe("selectorsOf", () => {
  it("returns the known EIP-2535 / ERC-173 selectors with canonical signatures", () => {
    const bySignature = new Map(selectorsOf(diamondAbi).map((s) => [s.signature, s.selector]));
    expect(bySignature.get("diamondCut((address,uint8,bytes4[])[],address,bytes)")).to.equal("0x1f931c1c");
    expect(bySignature.get("facets()")).to.equal("0x7a0ed627");
    expect(bySignature.get("owner()")).to.equal("0x8da5cb5b");
    expect(bySignature.get("transferOwnership(address)")).to.equal("0xf2fde38b");
  });

  it("lists functions only (no events or errors), sorted by selector", () => {
    const selectors = selectorsOf(diamondAbi).map((s) => s.selector);
    expect(selectors).to.deep.equal(["0x1f931c1c", "0x7a0ed627", "0x8da5cb5b", "0xf2fde38b"]);
  });

  it("accepts an ethers Interface and JSON ABI alike", () => {
    const iface = new Interface(diamondAbi);
    const json = JSON.parse(iface.formatJson());
    expect(selectorsOf(iface)).to.deep.equal(selectorsOf(json));
    expect(selectorsOf(iface)).to.have.length(4);
  });

  it("returns an empty list for an ABI without functions", () => {
    expect(selectorsOf(["event E(uint256)"])).to.deep.equal([]);
  });
});
