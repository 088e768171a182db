// The authorities the multisig tests hand a system to: a 2-of-3 Safe v1.4.1 with deterministic owner keys, and an
// OpenZeppelin TimelockController (the project's `Timelock`) whose only proposer and executor is one account.
import { ContractFactory, getAddress, ZeroAddress, type Contract, type Signer, type Wallet } from "ethers";
import hre from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import { loadArtifact } from "../../src/artifacts.js";
import { createSafe, owners } from "./safe.js";

/** A 2-of-3 Safe owned by `owners(3, label)`, created by `from` with `saltNonce`. */
export async function twoOfThreeSafe(
  conn: NetworkConnection,
  from: Signer,
  label: string,
  saltNonce: bigint,
): Promise<{ keys: Wallet[]; safe: Contract; address: string }> {
  const keys = owners(3, label);
  const safe = await createSafe(
    conn,
    from,
    keys.map((k) => k.address),
    2,
    saltNonce,
  );
  return { keys, safe, address: getAddress(await safe.getAddress()) };
}

/** A TimelockController with `delay` seconds, `account` its only proposer and executor, and no extra admin. */
export async function deployTimelock(account: Signer, delay: number): Promise<Contract> {
  const artifact = await loadArtifact(hre, "Timelock");
  const address = await account.getAddress();
  const deployed = await new ContractFactory(artifact.abi, artifact.bytecode, account).deploy(
    delay,
    [address],
    [address],
    ZeroAddress,
  );
  return (await deployed.waitForDeployment()) as unknown as Contract;
}
