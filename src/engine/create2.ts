// CREATE2 in one place: the Create2Factory (where it is, or the step that deploys it), the salts of the contracts the
// cutover deploys through it, creation code (linked, with constructor arguments), the addresses that follow from
// factory + salt + code, and the factory call that deploys one.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { ContractFactory, getAddress, getCreate2Address, keccak256, toUtf8Bytes, ZeroHash } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";
import { networkDir } from "../records/records.js";
import { exists } from "../util/fs.js";
import type { ContractCatalog } from "./contracts.js";
import { isLocalNetwork } from "./local-chain.js";
import type { DeployStep, Plan, Ref, Value } from "./types.js";

// ------------------------------------------------------------------------------------------------ the factory

/** Where the plugin keeps its Create2Factory on local chains: the same address on every in-process chain and node. */
export const LOCAL_CREATE2_FACTORY = "0xC2E8000000000000000000000000000000000c2e";

/**
 * On a local chain (in-process, or a node on loopback), makes sure the plugin's Create2Factory is at its fixed address
 * (runtime code installed with hardhat_setCode: no transaction, no nonce). Elsewhere it does nothing.
 */
export async function localCreate2Factory(
  conn: NetworkConnection,
  catalog: ContractCatalog,
): Promise<string | undefined> {
  if (!(await isLocalNetwork(conn))) return undefined;
  if ((await conn.ethers.provider.getCode(LOCAL_CREATE2_FACTORY)) === "0x") {
    const runtime = (await catalog.artifact("Create2Factory")).deployedBytecode;
    await conn.provider.request({ method: "hardhat_setCode", params: [LOCAL_CREATE2_FACTORY, runtime] });
  }
  return LOCAL_CREATE2_FACTORY;
}

/**
 * The Create2Factory to deploy through: on a local chain the plugin's, at its fixed address; elsewhere the one recorded
 * in deployments/<network>/Create2Factory.json if it has code there; else undefined (the plan must deploy one).
 */
export async function findCreate2Factory(
  conn: NetworkConnection,
  catalog: ContractCatalog,
  root: string,
  block: number,
): Promise<string | undefined> {
  const local = await localCreate2Factory(conn, catalog);
  if (local) return local;
  const file = path.join(networkDir(root, conn.networkName), "Create2Factory.json");
  if (!(await exists(file))) return undefined;
  const { address } = JSON.parse(await readFile(file, "utf8")) as { address: string };
  return (await conn.ethers.provider.getCode(address, block)) !== "0x" ? getAddress(address) : undefined;
}

// ------------------------------------------------------------------------------------------------ deploy steps

/** Salt of a facet deployed by the cutover through the Create2Factory: the same address on every run and network. */
export function facetSalt(contract: string): string {
  return keccak256(toUtf8Bytes(`hardhat-cutover/facet/${contract}/v1`));
}

/** The step that deploys the Create2Factory (a plan needs it when findCreate2Factory found none). */
export function create2FactoryDeployStep(signer: string): DeployStep {
  return {
    id: "deploy:Create2Factory",
    kind: "deploy",
    label: "deploy the CREATE2 factory",
    from: signer,
    dependsOn: [],
    writes: ["create2Factory"],
    record: "Create2Factory",
    contract: "Create2Factory",
    args: [],
    libraries: {},
  };
}

/**
 * The step that deploys a facet (no constructor arguments, no libraries) through the factory, at its facetSalt: an
 * address, or a reference to the factory the same plan deploys first.
 */
export function create2FacetDeployStep(name: string, signer: string, factory: string | Ref): DeployStep {
  return {
    id: `deploy:${name}`,
    kind: "deploy",
    label: `deploy ${name} through CREATE2 (same address on every run)`,
    from: signer,
    dependsOn: typeof factory === "string" ? [] : ["deploy:Create2Factory"],
    writes: [],
    record: name,
    contract: name,
    args: [],
    libraries: {},
    create2: { factory, salt: facetSalt(name) },
  };
}

// ------------------------------------------------------------------------------------------------ code and addresses

/** What creation code needs to resolve a step's arguments (the engine's Addresses). */
export interface ArgumentResolver {
  readonly deployed: Record<string, string>;
  prepare(value: Value): Promise<void>;
  has(value: Value): boolean;
  resolve(value: Value): unknown;
}

/**
 * Bytecode with library addresses written at the artifact's link references: lowercase hex, or (`checksummed`) spelled
 * as EIP-55 addresses, the way hardhat-deploy v2 links the addresses its records hold.
 */
export function linkBytecode(
  artifact: { bytecode: string; linkReferences: Record<string, Record<string, { start: number; length: number }[]>> },
  libraries: Record<string, string>,
  checksummed = false,
): string {
  let bytecode = artifact.bytecode;
  for (const [, libs] of Object.entries(artifact.linkReferences)) {
    for (const [name, references] of Object.entries(libs)) {
      const address = libraries[name];
      if (!address) throw new Error(`Library ${name} has no address to link`);
      for (const { start, length } of references) {
        const offset = 2 + start * 2;
        bytecode =
          bytecode.slice(0, offset) +
          (checksummed ? getAddress(address) : address.toLowerCase()).slice(2).padStart(length * 2, "0") +
          bytecode.slice(offset + length * 2);
      }
    }
  }
  return bytecode;
}

/** Creation code with constructor arguments. */
export async function initCode(
  step: DeployStep,
  addresses: ArgumentResolver,
  catalog: ContractCatalog,
): Promise<string> {
  await addresses.prepare(step.args);
  const artifact = await catalog.artifact(step.contract);
  const factory = ContractFactory.fromSolidity({ ...artifact, bytecode: linkBytecode(artifact, step.libraries) });
  return (await factory.getDeployTransaction(...step.args.map((a) => addresses.resolve(a)))).data;
}

/** The address a CREATE2 deployment through `factory` gets: it follows from the factory, the salt and the code alone. */
export function create2Address(factory: string, salt: string, code: string): string {
  return getCreate2Address(factory, salt, keccak256(code));
}

/** Addresses of CREATE2 deployments whose factory is known: they follow from the factory, salt and code alone. */
export async function resolveCreate2Addresses(
  plan: Pick<Plan, "steps">,
  addresses: ArgumentResolver,
  catalog: ContractCatalog,
): Promise<void> {
  for (const step of plan.steps) {
    if (
      step.kind !== "deploy" ||
      !step.create2 ||
      addresses.deployed[step.record] ||
      !addresses.has(step.create2.factory) ||
      !addresses.has(step.args)
    )
      continue;
    const factory = addresses.resolve(step.create2.factory) as string;
    addresses.deployed[step.record] = create2Address(
      factory,
      step.create2.salt,
      await initCode(step, addresses, catalog),
    );
  }
}

/** The Create2Factory call that deploys a step's creation `code`: deploy(salt, initCode, expected runtime code hash). */
export async function create2DeployCall(
  contract: string,
  create2: NonNullable<DeployStep["create2"]>,
  code: string,
  addresses: ArgumentResolver,
  catalog: ContractCatalog,
): Promise<{ to: string; data: string }> {
  const artifact = await catalog.artifact(contract);
  // The runtime code hash is known in advance only without immutables or linked libraries.
  const plainRuntime =
    Object.keys(artifact.immutableReferences ?? {}).length === 0 &&
    Object.keys(artifact.deployedLinkReferences ?? {}).length === 0;
  const expected = plainRuntime ? keccak256(artifact.deployedBytecode) : ZeroHash;
  const data = (await catalog.iface("Create2Factory")).encodeFunctionData("deploy", [create2.salt, code, expected]);
  return { to: addresses.resolve(create2.factory) as string, data };
}
