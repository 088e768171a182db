// MigrationClaims on its own: construction refuses a half-set payout, proofs bind (address, amount), a claim pays the
// leaf's address once, a token that re-enters or answers false and a vault that refuses the credit leave nothing
// claimed.
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { ContractFactory, Interface, ZeroAddress, type Contract, type InterfaceAbi } from "ethers";
import hre, { network } from "hardhat";
import { loadArtifact } from "../../src/artifacts.js";

const conn = await network.create();
const [admin, alice, bob, relayer] = await conn.ethers.getSigners();
const CREDIT = new Interface(["function creditExternal(address user, uint256 amount)"]).getFunction(
  "creditExternal",
)!.selector;

async function deploy(name: string, ...args: unknown[]): Promise<Contract> {
  const artifact = await loadArtifact(hre, name);
  const contract = await new ContractFactory(artifact.abi as InterfaceAbi, artifact.bytecode, admin).deploy(...args);
  return (await contract.waitForDeployment()) as unknown as Contract;
}

const tree = StandardMerkleTree.of(
  [
    [alice.address, "1000"],
    [bob.address, "2500"],
  ],
  ["address", "uint256"],
);
const proofOf = (address: string) => tree.getProof([...tree.entries()].find(([, v]) => v[0] === address)![0]);

async function claimsWith(token: Contract, vault = ZeroAddress, selector = "0x00000000"): Promise<Contract> {
  const claims = await deploy("MigrationClaims", await token.getAddress(), tree.root, 3500n, vault, selector);
  await (await token.mint(await claims.getAddress(), 3500n)).wait();
  return claims;
}

async function reverts(sent: Promise<unknown>, error: string) {
  await sent.then(
    () => expect.fail(`expected ${error}`),
    (e: Error) => expect(e.message).to.include(error),
  );
}

describe("MigrationClaims", () => {
  it("refuses a zero root, a zero total, and a vault without a selector (or the reverse)", async () => {
    const token = await deploy("MockUSDC");
    const t = await token.getAddress();
    await reverts(deploy("MigrationClaims", t, `0x${"0".repeat(64)}`, 1n, ZeroAddress, "0x00000000"), "args");
    await reverts(deploy("MigrationClaims", t, tree.root, 0n, ZeroAddress, "0x00000000"), "args");
    await reverts(deploy("MigrationClaims", t, tree.root, 1n, admin.address, "0x00000000"), "vault and selector");
    await reverts(deploy("MigrationClaims", t, tree.root, 1n, ZeroAddress, CREDIT), "vault and selector");
  });

  it("pays the leaf's address once, whoever submits; the proof binds the amount and the address", async () => {
    const token = await deploy("MockUSDC");
    const claims = await claimsWith(token);
    expect(await claims.funded()).to.equal(true);
    await reverts(
      claims.connect(relayer).getFunction("claim")(alice.address, 1001n, proofOf(alice.address)),
      "InvalidProof",
    );
    await reverts(
      claims.connect(relayer).getFunction("claim")(relayer.address, 1000n, proofOf(alice.address)),
      "InvalidProof",
    );
    await (await claims.connect(relayer).getFunction("claim")(alice.address, 1000n, proofOf(alice.address))).wait();
    expect(await token.balanceOf(alice.address)).to.equal(1000n);
    expect(await token.balanceOf(relayer.address)).to.equal(0n);
    await reverts(
      claims.connect(alice).getFunction("claim")(alice.address, 1000n, proofOf(alice.address)),
      "AlreadyClaimed",
    );
    expect([await claims.claimed(alice.address), await claims.claimedTotal(), await claims.funded()]).to.deep.equal([
      true,
      1000n,
      true,
    ]);
  });

  it("a token that re-enters, a token that answers false, a vault that refuses the credit: the claim reverts whole", async () => {
    const reentrant = await deploy("ReentrantToken");
    const claims = await claimsWith(reentrant);
    await (await reentrant.arm(await claims.getAddress(), bob.address, 2500n, proofOf(bob.address))).wait();
    await reverts(
      claims.getFunction("claim")(alice.address, 1000n, proofOf(alice.address)),
      "ReentrancyGuardReentrantCall",
    );
    expect([await claims.claimed(alice.address), await claims.claimed(bob.address)]).to.deep.equal([false, false]);

    const falseToken = await deploy("FalseToken");
    const unpaid = await claimsWith(falseToken);
    await reverts(
      unpaid.getFunction("claim")(alice.address, 1000n, proofOf(alice.address)),
      "SafeERC20FailedOperation",
    );
    expect(await unpaid.claimed(alice.address)).to.equal(false);

    const usdc = await deploy("MockUSDC");
    const vault = await deploy("RefusingVault");
    const credit = await claimsWith(usdc, await vault.getAddress(), CREDIT);
    await reverts(credit.getFunction("claim")(alice.address, 1000n, proofOf(alice.address)), "CreditFailed");
    expect([await credit.claimed(alice.address), await usdc.balanceOf(await vault.getAddress())]).to.deep.equal([
      false,
      0n,
    ]);
  });
});
