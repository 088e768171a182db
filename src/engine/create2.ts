// CREATE2 in one place: the standard deterministic-deployment proxy (where it is, or the plan step that installs it
// from its pre-signed transaction), the salts of the contracts the cutover deploys through it, creation code (linked,
// with constructor arguments), the addresses that follow from proxy + salt + code, and the call that deploys one.
import {
  ContractFactory,
  getAddress,
  getCreate2Address,
  keccak256,
  toQuantity,
  toUtf8Bytes,
  type Provider,
} from "ethers";
import type { NetworkConnection } from "hardhat/types/network";
import type { ContractCatalog } from "./contracts.js";
import type { DeployStep, Plan, PresignedStep, Value } from "./types.js";

// ------------------------------------------------------------------------------------------------ the proxy

/**
 * The deterministic-deployment proxy (github.com/Arachnid/deterministic-deployment-proxy): calldata `salt ++ initCode`,
 * returns the new address, reverts when the creation fails. Present on most chains at this address, the same
 * everywhere because it was deployed by a one-time key from a pre-signed transaction without a chain id.
 */
export const DETERMINISTIC_DEPLOYER = getAddress("0x4e59b44847b379578588920ca78fbf26c0b4956c");
/** The proxy's runtime code: where it is, it is this. */
export const DETERMINISTIC_DEPLOYER_CODE =
  "0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf3";
/** The one-time account that signed the proxy's deployment (nonce 0, gas price 100 gwei, gas 100 000). */
export const DETERMINISTIC_DEPLOYER_SIGNER = getAddress("0x3fab184622dc19b6109349b94811493bf2a45362");
/** What that account needs for the gas of its transaction: 100 000 gas at 100 gwei. */
export const DETERMINISTIC_DEPLOYER_FUNDING = 10n ** 16n;
/** The pre-signed deployment (pre-EIP-155: valid on every chain whose node accepts transactions without a chain id). */
export const DETERMINISTIC_DEPLOYER_TX =
  "0xf8a58085174876e800830186a08080b853604580600e600039806000f350fe7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf31ba02222222222222222222222222222222222222222222222222222222222222222a02222222222222222222222222222222222222222222222222222222222222222";

/** The id of the plan step that installs the proxy. */
export const INSTALL_PROXY_STEP = "install:DeterministicDeploymentProxy";

/**
 * The proxy's address when the chain has it (its exact runtime code at `block`), else undefined: the plan must install
 * it first. A different contract at that address is refused.
 */
export async function findCreate2Factory(conn: NetworkConnection, block: number): Promise<string | undefined> {
  const code = await conn.ethers.provider.getCode(DETERMINISTIC_DEPLOYER, block);
  if (code === "0x") return undefined;
  if (code.toLowerCase() !== DETERMINISTIC_DEPLOYER_CODE)
    throw new Error(
      `The code at ${DETERMINISTIC_DEPLOYER} on this chain is not the deterministic-deployment proxy's; CREATE2 deployments cannot go through it`,
    );
  return DETERMINISTIC_DEPLOYER;
}

/**
 * The step that installs the proxy where it is absent (a plan needs it when findCreate2Factory found none): the signer
 * tops up the one-time account to the gas its pre-signed transaction pays, then that transaction is broadcast as is.
 */
export function create2FactoryDeployStep(signer: string): PresignedStep {
  return {
    id: INSTALL_PROXY_STEP,
    kind: "presigned",
    label: "install the standard CREATE2 proxy (absent on this chain)",
    from: signer,
    dependsOn: [],
    writes: ["create2Factory"],
    address: DETERMINISTIC_DEPLOYER,
    deployer: DETERMINISTIC_DEPLOYER_SIGNER,
    funding: DETERMINISTIC_DEPLOYER_FUNDING.toString(),
    rawTransaction: DETERMINISTIC_DEPLOYER_TX,
  };
}

/** How much the one-time account still needs before its pre-signed transaction can pay for its gas (0n: none). */
export async function presignedShortfall(
  provider: Provider,
  presigned: { deployer: string; funding: string },
): Promise<bigint> {
  const balance = await provider.getBalance(presigned.deployer);
  const needed = BigInt(presigned.funding);
  return balance >= needed ? 0n : needed - balance;
}

/**
 * Puts the proxy on a chain that lacks it, outside any plan, the way most chains already have it (the mock systems'
 * chains): the one-time account is given its gas money (with hardhat_setBalance on a `local` chain, so no account's
 * nonce moves; else by `funder`), then its pre-signed transaction is sent. Returns whether it installed anything.
 */
export async function installCreate2Proxy(
  conn: NetworkConnection,
  local: boolean,
  funder: { sendTransaction(tx: { to: string; value: bigint }): Promise<{ wait(): Promise<unknown> }> },
): Promise<boolean> {
  const provider = conn.ethers.provider;
  if ((await provider.getCode(DETERMINISTIC_DEPLOYER)) !== "0x") return false;
  const shortfall = await presignedShortfall(provider, {
    deployer: DETERMINISTIC_DEPLOYER_SIGNER,
    funding: DETERMINISTIC_DEPLOYER_FUNDING.toString(),
  });
  if (shortfall > 0n && local) {
    const balance = (await provider.getBalance(DETERMINISTIC_DEPLOYER_SIGNER)) + shortfall;
    await provider.send("hardhat_setBalance", [DETERMINISTIC_DEPLOYER_SIGNER, toQuantity(balance)]);
  } else if (shortfall > 0n)
    await (await funder.sendTransaction({ to: DETERMINISTIC_DEPLOYER_SIGNER, value: shortfall })).wait();
  const hash: string = await provider.send("eth_sendRawTransaction", [DETERMINISTIC_DEPLOYER_TX]);
  const receipt = await provider.waitForTransaction(hash);
  if (receipt?.status !== 1) throw new Error(`The CREATE2 proxy's pre-signed transaction ${hash} failed`);
  return true;
}

// ------------------------------------------------------------------------------------------------ deploy steps

/** Salt of a facet deployed by the cutover through CREATE2: the same address on every run and network. */
export function facetSalt(contract: string): string {
  return keccak256(toUtf8Bytes(`hardhat-cutover/facet/${contract}/v1`));
}

/**
 * The step that deploys a facet (no constructor arguments, no libraries) through the proxy, at its facetSalt; after the
 * proxy's install step when the chain lacks it (`proxyPresent` false).
 */
export function create2FacetDeployStep(name: string, signer: string, proxyPresent: boolean): DeployStep {
  return {
    id: `deploy:${name}`,
    kind: "deploy",
    label: `deploy ${name} through CREATE2 (same address on every run)`,
    from: signer,
    dependsOn: proxyPresent ? [] : [INSTALL_PROXY_STEP],
    writes: [],
    record: name,
    contract: name,
    args: [],
    libraries: {},
    create2: { factory: DETERMINISTIC_DEPLOYER, salt: facetSalt(name) },
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

/** The proxy call that deploys a step's creation `code`: calldata `salt ++ initCode`. */
export function create2DeployCall(
  create2: NonNullable<DeployStep["create2"]>,
  code: string,
  addresses: ArgumentResolver,
): { to: string; data: string } {
  return { to: addresses.resolve(create2.factory) as string, data: create2.salt + code.slice(2) };
}
