// A real Safe v1.4.1 on the in-process chain, from Safe's npm artifacts (test/fixtures/safe-v1.4.1), and its owners'
// signatures. Owner keys live only here, in tests; nothing prints them.
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
import { MULTISEND_CALL_ONLY_141, execTransactionArgs, type SafeTx } from "../../src/safe/safe-tx.js";

export function safeArtifact(name: "Safe" | "SafeProxyFactory" | "MultiSendCallOnly"): {
  abi: InterfaceAbi;
  bytecode: string;
  deployedBytecode: string;
} {
  return JSON.parse(readFileSync(new URL(`../fixtures/safe-v1.4.1/${name}.json`, import.meta.url), "utf8"));
}

/** Deterministic owner keys for tests. */
export function owners(count: number, label: string): Wallet[] {
  return Array.from(
    { length: count },
    (_, i) => new Wallet(keccak256(toUtf8Bytes(`hardhat-cutover test safe owner ${label} ${i}`))),
  );
}

let infrastructure: { singleton: string; factory: string } | undefined;

/**
 * The singleton and proxy factory, deployed once per chain from the artifacts; MultiSendCallOnly's runtime code at its
 * canonical address (it has no constructor and no immutables, so this is byte for byte the canonical contract).
 */
async function safeInfrastructure(
  conn: NetworkConnection,
  deployer: Signer,
): Promise<{ singleton: string; factory: string }> {
  if (infrastructure && (await conn.ethers.provider.getCode(infrastructure.singleton)) !== "0x") return infrastructure;
  const deploy = async (name: "Safe" | "SafeProxyFactory") => {
    const { abi, bytecode } = safeArtifact(name);
    const contract = await new ContractFactory(abi, bytecode, deployer).deploy();
    await contract.waitForDeployment();
    return contract.getAddress();
  };
  infrastructure = { singleton: await deploy("Safe"), factory: await deploy("SafeProxyFactory") };
  await conn.provider.request({
    method: "hardhat_setCode",
    params: [MULTISEND_CALL_ONLY_141.address, safeArtifact("MultiSendCallOnly").deployedBytecode],
  });
  return infrastructure;
}

/** A new Safe proxy with these owners and threshold. */
export async function createSafe(
  conn: NetworkConnection,
  deployer: Signer,
  ownerAddresses: string[],
  threshold: number,
  saltNonce: bigint,
): Promise<Contract> {
  const { singleton, factory } = await safeInfrastructure(conn, deployer);
  const safeAbi = safeArtifact("Safe").abi;
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
  const proxyFactory = new Contract(factory, safeArtifact("SafeProxyFactory").abi, deployer);
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
