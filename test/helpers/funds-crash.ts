// The funds crash tests' set-up on a local node, for either profile: a fresh system of 2 markets, `depositors` users
// with a deposit of 100 + i USDC each and no position, a snapshot of the old vault that migrates exactly them, and the
// vault redeployed; the tasks run in this process (test/helpers/crash.ts) before the child that is killed.
import { Contract, parseUnits, type Wallet } from "ethers";
import { expect } from "chai";
import hre from "hardhat";
import { loadArtifact } from "../../src/artifacts.js";
import { deployDexetraSystem } from "../../src/mocks/deploy-dexetra.js";
import { mockWallet } from "../../src/mocks/deploy-system.js";
import { DEXETRA_CONFIG, nodeRuntime, readRootJson, setUp } from "./crash.js";
import { deposit, type FundsSystem, type ProfileName } from "./funds.js";
import type { LocalNode } from "./node.js";
import { freshSystem } from "./system.js";

export interface FundsOnNode {
  f: Pick<FundsSystem, "profile" | "vault" | "usdc">;
  admin: string;
  wallets: Wallet[];
  snapshotFile: string;
  snapshot: any;
  newVault: string;
  /** `corevault:migrate-funds --network localhost --snapshot <file>` for a CLI child, plus `rest`. */
  migrateArgs: (...rest: string[]) => string[];
}

/** The amount depositor `i` deposited. */
export const depositOf = (i: number) => parseUnits(String(100 + i), 6);

export async function fundsOnNode(
  node: LocalNode,
  profile: ProfileName,
  seed: string,
  depositors: number,
): Promise<FundsOnNode> {
  const { conn } = node;
  await node.mining();
  const [signer] = await conn.ethers.getSigners();
  const options = { markets: 2, users: 0, seed };
  const contracts =
    profile === "reference"
      ? (await freshSystem(options, conn)).contracts
      : (await deployDexetraSystem(hre, conn, { ...options, factory: "immutable" })).record.contracts;
  const usdc = new Contract(contracts.USDC ?? contracts.MOCK_USDC, (await loadArtifact(hre, "MockUSDC")).abi, signer);
  const f = { profile, vault: contracts.CORE_VAULT, usdc };
  const wallets = Array.from({ length: depositors }, (_, i) => mockWallet(seed, "depositor", i, conn));
  for (const [i, w] of wallets.entries()) await deposit(f, w, depositOf(i), conn);
  await conn.provider.request({ method: "evm_mine", params: [] });

  const runtime = await nodeRuntime(node, profile);
  const snap = await setUp(runtime, "corevault:snapshot", profile === "reference" ? {} : { include: signer.address });
  const snapshotFile = snap.files.json as string;
  const snapshot = readRootJson(snapshotFile);
  expect(snapshot.totals.migratedUsers).to.equal(depositors);
  const newVault = (await setUp(runtime, "corevault:redeploy")).deployed.CoreVault as string;
  const config = profile === "reference" ? [] : DEXETRA_CONFIG;
  const migrateArgs = (...rest: string[]) => [
    ...config,
    "corevault:migrate-funds",
    "--network",
    "localhost",
    "--snapshot",
    snapshotFile,
    ...rest,
  ];
  return { f, admin: signer.address, wallets, snapshotFile, snapshot, newVault, migrateArgs };
}
