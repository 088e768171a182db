import { expect } from "chai";
import { network } from "hardhat";

const { ethers, networkHelpers } = await network.create();

const SALT = ethers.id("cutover/create2/test");

async function deployed() {
  const factory = await ethers.deployContract("Create2Factory");
  const initCode = (await ethers.getContractFactory("ManifestCounterFacet")).bytecode;
  // reference deployment, for the runtime code hash the CREATE2 copy must have
  const reference = await ethers.deployContract("ManifestCounterFacet");
  const codehash = ethers.keccak256(await ethers.provider.getCode(await reference.getAddress()));
  const predicted = ethers.getCreate2Address(await factory.getAddress(), SALT, ethers.keccak256(initCode));
  return { factory, initCode, codehash, predicted };
}

describe("Create2Factory", () => {
  it("predict matches ethers.getCreate2Address", async () => {
    const { factory, initCode, predicted } = await networkHelpers.loadFixture(deployed);
    expect(await factory.predict(SALT, ethers.keccak256(initCode))).to.equal(predicted);
    const other = ethers.id("other salt");
    expect(await factory.predict(other, ethers.keccak256(initCode))).to.equal(
      ethers.getCreate2Address(await factory.getAddress(), other, ethers.keccak256(initCode)),
    );
  });

  it("deploys at the predicted address, checks the code hash and emits Deployed", async () => {
    const { factory, initCode, codehash, predicted } = await networkHelpers.loadFixture(deployed);
    expect(await factory.deploy.staticCall(SALT, initCode, codehash)).to.equal(predicted);
    await expect(factory.deploy(SALT, initCode, codehash))
      .to.emit(factory, "Deployed")
      .withArgs(predicted, SALT, codehash);
    expect(ethers.keccak256(await ethers.provider.getCode(predicted))).to.equal(codehash);
    const counter = await ethers.getContractAt("ManifestCounterFacet", predicted);
    await counter.increment();
    expect(await counter.count()).to.equal(1n);
  });

  it("a second deploy is a no-op that returns the same address", async () => {
    const { factory, initCode, codehash, predicted } = await networkHelpers.loadFixture(deployed);
    await factory.deploy(SALT, initCode, codehash);
    const counter = await ethers.getContractAt("ManifestCounterFacet", predicted);
    await counter.increment(); // state that a redeploy would have to preserve

    expect(await factory.deploy.staticCall(SALT, initCode, codehash)).to.equal(predicted);
    expect(await factory.deploy.staticCall(SALT, initCode, ethers.ZeroHash)).to.equal(predicted);
    await expect(factory.deploy(SALT, initCode, codehash)).to.not.emit(factory, "Deployed");
    expect(await counter.count()).to.equal(1n);
  });

  it("refuses a wrong expected code hash, on first deploy and on an existing contract", async () => {
    const { factory, initCode, codehash, predicted } = await networkHelpers.loadFixture(deployed);
    const wrong = ethers.id("wrong");
    await expect(factory.deploy(SALT, initCode, wrong))
      .to.be.revertedWithCustomError(factory, "CodehashMismatch")
      .withArgs(predicted, wrong, codehash);
    expect(await ethers.provider.getCode(predicted)).to.equal("0x");

    await factory.deploy(SALT, initCode, ethers.ZeroHash); // zero = no check
    await expect(factory.deploy(SALT, initCode, wrong))
      .to.be.revertedWithCustomError(factory, "CodehashMismatch")
      .withArgs(predicted, wrong, codehash);
  });

  it("a reverting constructor reverts the deploy, bubbling its revert data", async () => {
    const { factory } = await networkHelpers.loadFixture(deployed);
    // init code: PUSH1 0 PUSH1 0 REVERT (no data)
    await expect(factory.deploy(SALT, "0x60006000fd", ethers.ZeroHash)).to.be.revertedWithCustomError(
      factory,
      "FailedDeployment",
    );

    // init code: mstore(0, 0xdeadbeef << 224); revert(0, 4)
    const withData = "0x63deadbeef60e01b60005260046000fd";
    const data = await ethers.provider
      .call({
        to: await factory.getAddress(),
        data: factory.interface.encodeFunctionData("deploy", [SALT, withData, ethers.ZeroHash]),
      })
      .then(
        () => "no revert",
        (e: { data?: string }) => e.data,
      );
    expect(data).to.equal("0xdeadbeef");
    await expect(factory.deploy(SALT, withData, ethers.ZeroHash)).to.revert(ethers);
    const address = await factory.predict(SALT, ethers.keccak256(withData));
    expect(await ethers.provider.getCode(address)).to.equal("0x");
  });

  it("refuses empty init code", async () => {
    const { factory } = await networkHelpers.loadFixture(deployed);
    await expect(factory.deploy(SALT, "0x", ethers.ZeroHash)).to.be.revertedWithCustomError(
      factory,
      "Create2EmptyBytecode",
    );
  });
});
