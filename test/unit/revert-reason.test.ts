// Reverts of calls whose ABI is a profile's signature decode as `ErrorName(args)`: Error(string) and Panic(uint256),
// the custom errors of the artifacts the profile names, and those the profile declares; anything else keeps its raw
// revert data in the message.
import { expect } from "chai";
import { AbiCoder, Interface } from "ethers";
import hre from "hardhat";
import { ContractCatalog } from "../../src/engine/contracts.js";
import { revertReason } from "../../src/engine/preflight.js";
import { DEXETRA_V5 } from "../../src/profile/builtins.js";
import { profileErrors } from "../../src/profile/errors.js";
import { contractFor } from "../../src/profile/interpret.js";
import { resolveProfile } from "../../src/profile/resolve.js";

const abi = AbiCoder.defaultAbiCoder();
const errorData = (signature: string, args: unknown[]) =>
  new Interface([signature]).encodeErrorResult(signature.replace(/^error /, "").replace(/\(.*/, ""), args);
/** What ethers throws for an eth_call that reverted with data it could not decode. */
const reverted = (data: string) =>
  Object.assign(new Error("execution reverted (unknown custom error)"), {
    shortMessage: "execution reverted (unknown custom error)",
    data,
  });

/** A signature contract's interface from a catalog made while `profile` is the configured one. */
async function signatureIface(profile: ReturnType<typeof resolveProfile>): Promise<Interface> {
  const configured = hre.config.cutover.protocol;
  hre.config.cutover.protocol = profile;
  try {
    const catalog = new ContractCatalog(hre);
    return await catalog.iface(contractFor(profile, profile.vault.mmrParams.write.signature));
  } finally {
    hre.config.cutover.protocol = configured;
  }
}

describe("revert reasons of calls made through profile signatures", function () {
  it("decodes Error(string), Panic(uint256) and the vault artifact's custom errors", async () => {
    const iface = await signatureIface(resolveProfile({ profile: "reference" }));
    const error = (sig: string, args: unknown[]) => revertReason(iface, reverted(errorData(sig, args)), {});
    expect(error("error Error(string)", ["boom"])).to.equal('Error("boom")');
    expect(revertReason(iface, reverted(`0x4e487b71${abi.encode(["uint256"], [0x11]).slice(2)}`), {})).to.equal(
      "Panic(17)",
    );
    // CoreVault's own errors: the reference profile names the CoreVault artifact
    expect(error("error InvalidMmrParams(string reason)", ["maxMmrBps must be <= 5000"])).to.equal(
      'InvalidMmrParams("maxMmrBps must be <= 5000")',
    );
    const registrar = "0x00000000000000000000000000000000000000a1";
    expect(
      revertReason(iface, reverted(errorData("error UnauthorizedRegistrar(address caller)", [registrar])), {
        [registrar]: "the signer",
      }),
    ).to.equal("UnauthorizedRegistrar(the signer)");
  });

  it("decodes an error the profile declares (cutover.protocol.errors), and keeps the raw data of an unknown one", async () => {
    const profile = resolveProfile({
      profile: "reference",
      errors: ["error MarketFrozen(bytes32 marketId, uint256 until)"],
    });
    const iface = await signatureIface(profile);
    const id = `0x${"ab".repeat(32)}`;
    expect(
      revertReason(iface, reverted(errorData("error MarketFrozen(bytes32 marketId, uint256 until)", [id, 7])), {}),
    ).to.equal(`MarketFrozen(${id}, 7)`);
    const unknown = errorData("error NotInAnyAbi(uint256 x)", [5]);
    expect(revertReason(iface, reverted(unknown), {})).to.equal(
      `execution reverted (unknown custom error) (revert data ${unknown})`,
    );
    // nested as the provider nests it (error.info.error.data)
    expect(revertReason(iface, { message: "call failed", info: { error: { data: unknown } } }, {})).to.include(unknown);
  });

  it("lists the profile's declared errors and those of every artifact it names, once each", async () => {
    const loaded: string[] = [];
    const errors = await profileErrors(DEXETRA_V5, async (name) => {
      loaded.push(name);
      if (name === DEXETRA_V5.vault.artifact)
        return [{ type: "error", name: "Halted", inputs: [{ name: "why", type: "string" }] }];
      throw new Error(`no artifact ${name}`);
    });
    expect(errors).to.include("error OnlyAdmin()"); // the factory admin's probe
    expect(errors).to.include("error Halted(string why)");
    expect(new Set(loaded).size).to.equal(loaded.length);
    expect(loaded).to.include(DEXETRA_V5.vault.artifact);
  });
});
