// A real Safe (v1.4.1, or v1.3.0) on a chain, from Safe's npm artifacts (test/fixtures/safe-v<version>), and its
// owners' signatures. Owner keys live only here, in tests; nothing prints them.
import { readFileSync } from "node:fs";
import {
  Contract,
  ContractFactory,
  keccak256,
  toUtf8Bytes,
  Wallet,
  ZeroAddress,
  type InterfaceAbi,
  type Signer,
} from "ethers";
import type { NetworkConnection } from "hardhat/types/network";
import { buildSignatureBytes, EthSafeSignature } from "@safe-global/protocol-kit";
import { execTransactionArgs, MULTISEND_CALL_ONLY, type SafeTx, type SafeVersion } from "../../src/safe/safe-tx.js";

type SafeContract = "Safe" | "SafeProxyFactory" | "MultiSendCallOnly";

/** The artifact of a Safe contract of `version` (v1.3.0's singleton and factory are named GnosisSafe…). */
export function safeArtifact(
  name: SafeContract,
  version: SafeVersion = "1.4.1",
): { abi: InterfaceAbi; bytecode: string; deployedBytecode: string } {
  const file = version === "1.3.0" && name !== "MultiSendCallOnly" ? `Gnosis${name}` : name;
  return JSON.parse(readFileSync(new URL(`../fixtures/safe-v${version}/${file}.json`, import.meta.url), "utf8"));
}

/** Deterministic owner keys for tests. */
export function owners(count: number, label: string): Wallet[] {
  return Array.from(
    { length: count },
    (_, i) => new Wallet(keccak256(toUtf8Bytes(`hardhat-cutover test safe owner ${label} ${i}`))),
  );
}

const infrastructure = new Map<string, { singleton: string; factory: string }>();

/**
 * The singleton and proxy factory of `version`, deployed once per chain from the artifacts; its MultiSendCallOnly's
 * runtime code at the canonical address (it has no constructor and no immutables, so this is byte for byte the
 * canonical contract).
 */
async function safeInfrastructure(
  conn: NetworkConnection,
  deployer: Signer,
  version: SafeVersion,
): Promise<{ singleton: string; factory: string }> {
  const known = infrastructure.get(version);
  if (known && (await conn.ethers.provider.getCode(known.singleton)) !== "0x") return known;
  const deploy = async (name: "Safe" | "SafeProxyFactory") => {
    const { abi, bytecode } = safeArtifact(name, version);
    const contract = await new ContractFactory(abi, bytecode, deployer).deploy();
    await contract.waitForDeployment();
    return contract.getAddress();
  };
  const deployed = { singleton: await deploy("Safe"), factory: await deploy("SafeProxyFactory") };
  infrastructure.set(version, deployed);
  await conn.provider.request({
    method: "hardhat_setCode",
    params: [MULTISEND_CALL_ONLY[version][0].address, safeArtifact("MultiSendCallOnly", version).deployedBytecode],
  });
  return deployed;
}

/** A new Safe proxy with these owners and threshold. */
export async function createSafe(
  conn: NetworkConnection,
  deployer: Signer,
  ownerAddresses: string[],
  threshold: number,
  saltNonce: bigint,
  version: SafeVersion = "1.4.1",
): Promise<Contract> {
  const { singleton, factory } = await safeInfrastructure(conn, deployer, version);
  const safeAbi = safeArtifact("Safe", version).abi;
  const setup = new Contract(singleton, safeAbi).interface.encodeFunctionData("setup", [
    ownerAddresses,
    threshold,
    ZeroAddress,
    "0x",
    ZeroAddress,
    ZeroAddress,
    0,
    ZeroAddress,
  ]);
  const proxyFactory = new Contract(factory, safeArtifact("SafeProxyFactory", version).abi, deployer);
  const receipt = await (await proxyFactory.createProxyWithNonce(singleton, setup, saltNonce)).wait();
  const created = receipt!.logs
    .map((log: { topics: string[]; data: string }) => proxyFactory.interface.parseLog(log))
    .find((e: { name: string } | null) => e?.name === "ProxyCreation");
  return new Contract(created!.args.proxy as string, safeAbi, deployer);
}

/** The owners' packed signatures of a safeTxHash (ECDSA over the hash itself, v 27/28), sorted by owner. */
export function sign(safeTxHash: string, signers: Wallet[]): string {
  return buildSignatureBytes(
    signers.map((w) => new EthSafeSignature(w.address, w.signingKey.sign(safeTxHash).serialized)),
  );
}

/** execTransaction of a proposal's SafeTx, signed by `signers`, sent by `sender` (anyone may relay it). */
export async function execute(safe: Contract, safeTx: SafeTx, safeTxHash: string, signers: Wallet[], sender: Signer) {
  return (safe.connect(sender) as Contract).execTransaction(...execTransactionArgs(safeTx, sign(safeTxHash, signers)));
}
