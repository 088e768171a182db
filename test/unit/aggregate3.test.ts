import { expect } from "chai";
import { AbiCoder, Interface, Wallet } from "ethers";
import { AGGREGATE3_SELECTOR, decodeAggregate3, encodeAggregate3 } from "../../src/engine/aggregate3.js";

const multicall = new Interface([
  "function aggregate3((address target, bool allowFailure, bytes callData)[] calls) payable returns ((bool success, bytes returnData)[] returnData)",
]);

describe("aggregate3 coding by hand", () => {
  const calls = [
    { target: Wallet.createRandom().address, callData: "0x" },
    { target: Wallet.createRandom().address, callData: "0x70a08231" + "ab".repeat(32) },
    { target: Wallet.createRandom().address, callData: "0x" + "cd".repeat(77) },
  ];

  it("encodes exactly what the ABI coder encodes", () => {
    expect(multicall.getFunction("aggregate3")!.selector).to.equal(AGGREGATE3_SELECTOR);
    const expected = multicall.encodeFunctionData("aggregate3", [
      calls.map((c) => ({ target: c.target, allowFailure: true, callData: c.callData })),
    ]);
    expect(encodeAggregate3(calls)).to.equal(expected.toLowerCase());
  });

  it("decodes what the ABI coder encodes, and refuses data without the layout", () => {
    const results: [boolean, string][] = [
      [true, "0x" + "11".repeat(32)],
      [false, "0x"],
      [true, "0x" + "22".repeat(45)],
    ];
    const raw = AbiCoder.defaultAbiCoder().encode(["(bool,bytes)[]"], [results]);
    expect(decodeAggregate3(raw)).to.deep.equal(results);
    expect(decodeAggregate3(AbiCoder.defaultAbiCoder().encode(["(bool,bytes)[]"], [[]]))).to.deep.equal([]);
    expect(() => decodeAggregate3(raw.slice(0, raw.length - 64))).to.throw(/shorter than its layout/);
    expect(() => decodeAggregate3("0x" + "ff".repeat(64))).to.throw(/out of range/);
  });
});
