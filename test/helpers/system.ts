// The in-process chain the task tests share (`network.getOrCreate()` gives every test file the same connection), and
// fixtures on it: a fresh mock system, its vault replaced, the first account's nonce, the JSON-RPC requests of some work.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { ZeroHash, type Signer } from "ethers";
import hre, { network } from "hardhat";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { deploySystem, type DeploySystemOptions } from "../../src/mocks/deploy-system.js";
import type { SystemRecord } from "../../src/records/records.js";
import { contractAt } from "./contracts.js";
import { runJson } from "./tasks.js";

export const conn = await network.getOrCreate();

/** The latest nonce of `account` (default: the first account, which sends the tasks' transactions) on `on` (default: the shared chain). */
export async function nonce(account?: string, on: NetworkConnection = conn): Promise<number> {
  return on.ethers.provider.getTransactionCount(account ?? (await on.ethers.getSigners())[0].address, "latest");
}

/** Points the plugin's app config emitters (`config/contracts.js`, `.env.local`) at a new temp dir, which it returns. */
export async function tempAppConfig(prefix = "cutover-app-"): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  hre.config.cutover.appConfig.contractsModule = path.join(dir, "contracts.js");
  hre.config.cutover.appConfig.envFile = path.join(dir, ".env.local");
  hre.config.cutover.appConfig.write = "always";
  return dir;
}

/** A fresh mock system (what `mocks:deploy-system` stands up) on `on` (default: the shared chain); no users and an updatable factory unless told. */
export async function freshSystem(
  options: Pick<DeploySystemOptions, "seed" | "markets"> & Partial<DeploySystemOptions>,
  on: NetworkConnection = conn,
): Promise<SystemRecord> {
  return deploySystem(hre, on, { users: 0, factory: "updatable", ...options });
}

/** Replaces the system's vault: `corevault:redeploy`, then `orderbook:rewire`, with these arguments; each must complete. */
export async function redeployAndRewire(
  args: { redeploy?: Record<string, unknown>; rewire?: Record<string, unknown> } = {},
  runtime: HardhatRuntimeEnvironment = hre,
): Promise<{ newVault: string; adminFacet: string }> {
  const redeploy = await runJson("corevault:redeploy", args.redeploy, runtime);
  expect(redeploy.complete).to.equal(true);
  const rewire = await runJson("orderbook:rewire", args.rewire, runtime);
  expect(rewire.complete).to.equal(true);
  return { newVault: redeploy.deployed.CoreVault, adminFacet: rewire.deployed.VaultAdminFacet };
}

/** Counts the JSON-RPC requests that reach the connection's provider while `work` runs. */
export async function counting<T>(
  work: () => Promise<T>,
  on: NetworkConnection = conn,
): Promise<{ result: T; methods: string[] }> {
  const provider = on.provider as unknown as {
    request: (args: { method: string; params?: unknown[] }) => Promise<unknown>;
  };
  const original = provider.request;
  const methods: string[] = [];
  provider.request = (args) => {
    methods.push(args.method);
    return original.call(provider, args);
  };
  try {
    return { result: await work(), methods };
  } finally {
    provider.request = original;
  }
}

/** Moves DEFAULT_ADMIN_ROLE of the system's vault, factory and hub from `from` to `authority` (a Safe, a timelock). */
export async function handAdminTo(system: SystemRecord, authority: string, from: Signer): Promise<void> {
  for (const [name, address] of [
    ["CoreVault", system.contracts.CORE_VAULT],
    ["FuturesMarketFactory", system.contracts.FUTURES_MARKET_FACTORY],
    ["CollateralHub", system.contracts.COLLATERAL_HUB],
  ]) {
    const contract = await contractAt(from)(name, address);
    await (await contract.grantRole(ZeroHash, authority)).wait();
    await (await contract.renounceRole(ZeroHash, await from.getAddress())).wait();
  }
}
