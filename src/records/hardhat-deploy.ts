// Records that hardhat-deploy v2 reads as its own (checked against the source of hardhat-deploy 2.0.0-next.66 with
// rocketh 0.17.15, @rocketh/node 0.17.18 and @rocketh/deploy 0.17.9):
// - a deployment file is `{ address, abi, ...artifact, argsData, transaction: { hash, origin, nonce }, receipt:
//   { blockHash, blockNumber, transactionIndex } }`; `deploy(name, { artifact, args }, { libraries })` reports an
//   existing record "reused" when the record's `bytecode` (linked, its CBOR metadata tail aside) and `argsData` (the
//   ABI-encoded constructor arguments) equal what it would send. It links library addresses exactly as they are
//   spelled, so the bytecode we record is linked with checksummed addresses, as our records spell them;
// - the network folder names its chain in `.chain` (`{ chainId: "<decimal string>", genesisHash }`); with only
//   `.chainId`, rocketh rewrites it into `.chain` on first load. We write both (`.chainId` for hardhat-deploy v1).
import { readFile } from "node:fs/promises";
import path from "node:path";
import { getAddress, Interface, toQuantity, type Provider } from "ethers";
import type { Artifact } from "hardhat/types/artifacts";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { linkBytecode } from "../engine/create2.js";
import { exists } from "../util/fs.js";
import { networkDir, writeChainId } from "./records.js";

/** The deployment transaction as hardhat-deploy v2 records it. */
export interface RecordedTransaction {
  hash: string;
  origin: string;
  nonce: string;
}

/** What hardhat-deploy v2 keeps of a deployment beyond address, abi and receipt. */
export interface HardhatDeployFields {
  contractName: string;
  sourceName: string;
  /** Creation code, libraries linked (checksummed addresses), without constructor arguments. */
  bytecode: string;
  deployedBytecode: string;
  linkReferences: Artifact["linkReferences"];
  deployedLinkReferences: Artifact["deployedLinkReferences"];
  /** The ABI-encoded constructor arguments ("0x" for none). */
  argsData: string;
  libraries: Record<string, string>;
  transaction: RecordedTransaction;
  metadata?: string;
  devdoc?: unknown;
  userdoc?: unknown;
}

/** The hardhat-deploy fields of a deployment of `artifact` with `args` and `libraries`, sent in transaction `tx`. */
export async function hardhatDeployFields(
  hre: HardhatRuntimeEnvironment,
  artifact: Artifact,
  deployment: {
    args: unknown[];
    libraries?: Record<string, string>;
    tx: { hash: string; from: string; nonce: number };
  },
): Promise<HardhatDeployFields> {
  const libraries = Object.fromEntries(
    Object.entries(deployment.libraries ?? {}).map(([name, address]) => [name, getAddress(address)]),
  );
  return {
    contractName: artifact.contractName,
    sourceName: artifact.sourceName,
    bytecode: linkBytecode(artifact, libraries, true),
    deployedBytecode: artifact.deployedBytecode,
    linkReferences: artifact.linkReferences,
    deployedLinkReferences: artifact.deployedLinkReferences,
    argsData: new Interface(artifact.abi as never).encodeDeploy(deployment.args),
    libraries,
    transaction: { hash: deployment.tx.hash, origin: deployment.tx.from, nonce: toQuantity(deployment.tx.nonce) },
    ...(await compilerOutput(hre, artifact)),
  };
}

/** The deployment transaction of `hash` (its sender and nonce), read from the chain. */
export async function deploymentTransaction(
  provider: Provider,
  hash: string,
): Promise<{ hash: string; from: string; nonce: number }> {
  const tx = await provider.getTransaction(hash);
  if (!tx) throw new Error(`Could not read the deployment transaction ${hash} from the chain`);
  return { hash, from: tx.from, nonce: tx.nonce };
}

const outputs = new Map<string, Promise<unknown>>();

/** The solc metadata, devdoc and userdoc of the artifact's contract, from its build info (absent for bundled artifacts). */
async function compilerOutput(
  hre: HardhatRuntimeEnvironment,
  artifact: Artifact,
): Promise<Pick<HardhatDeployFields, "metadata" | "devdoc" | "userdoc">> {
  const fqn = `${artifact.sourceName}:${artifact.contractName}`;
  const id = await hre.artifacts.getBuildInfoId(fqn).catch(() => undefined);
  const file = id ? await hre.artifacts.getBuildInfoOutputPath(id).catch(() => undefined) : undefined;
  if (!file || artifact.buildInfoId !== id || !artifact.inputSourceName) return {};
  if (!outputs.has(file)) outputs.set(file, readFile(file, "utf8").then(JSON.parse));
  const output = (await outputs.get(file)) as {
    output?: { contracts?: Record<string, Record<string, { metadata?: string; devdoc?: unknown; userdoc?: unknown }>> };
  };
  const contract = output.output?.contracts?.[artifact.inputSourceName]?.[artifact.contractName];
  if (!contract) return {};
  return { metadata: contract.metadata, devdoc: contract.devdoc, userdoc: contract.userdoc };
}

/** Writes the chain files of a network folder unless it has them (a run writing into a folder of its own). */
export async function ensureChainFiles(root: string, network: string, provider: Provider): Promise<void> {
  const dir = networkDir(root, network);
  if ((await exists(path.join(dir, ".chainId"))) && (await exists(path.join(dir, ".chain")))) return;
  await writeChainId(root, network, Number((await provider.getNetwork()).chainId), await genesisHash(provider));
}

export async function genesisHash(provider: Provider): Promise<string> {
  const genesis = await provider.getBlock(0);
  if (!genesis?.hash) throw new Error("Could not read the genesis block (its hash names the chain in .chain)");
  return genesis.hash;
}
