// One 200-user funds system per profile for all the funds test files: both built once on the shared in-process chain,
// then every test starts from them again (evm_revert to the one snapshot taken after both builds — reverting to a
// snapshot drops those taken after it, so there is one — and the project's records for the network put back as
// they were right after that profile's build), instead of building its own.
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";
import { resolveProfile } from "../../src/profile/resolve.js";
import { standInProtocol } from "./dexetra.js";
import { fundsSystem, type FundsSystem, type ProfileName } from "./funds.js";
import { conn } from "./system.js";

/** What every shared system holds: 200 traders with open positions, 20 depositors with 1000 + i USDC each. */
export const SHARED = { traders: 200, depositors: 20 };
const PROFILES: ProfileName[] = ["reference", "dexetra-v5"];

let shared: { snapshotId: string; systems: Map<ProfileName, { system: FundsSystem; records: string }> } | undefined;

function copyRecords(from: string, to: string): void {
  for (const name of [conn.networkName, `${conn.networkName}-deployment.json`]) {
    rmSync(path.join(to, name), { recursive: true, force: true });
    if (existsSync(path.join(from, name))) cpSync(path.join(from, name), path.join(to, name), { recursive: true });
  }
}

async function useProtocol(profile: ProfileName): Promise<void> {
  const [admin] = await conn.ethers.getSigners();
  hre.config.cutover.protocol = resolveProfile(profile === "reference" ? { profile } : standInProtocol(admin.address));
}

/**
 * The profile made active (the dexetra-v5 stand-in's overrides where it is dexetra-v5), and the shared system of that
 * profile as it was after the builds: chain and records.
 */
export async function sharedFundsSystem(profile: ProfileName): Promise<FundsSystem> {
  const deployments = path.join(hre.config.paths.root, "deployments");
  if (!shared) {
    // runs left by an earlier process may name the very addresses these builds get (a fresh chain deploys the same
    // way): they are not runs of this chain
    rmSync(path.join(deployments, conn.networkName, ".cutover"), { recursive: true, force: true });
    const systems = new Map<ProfileName, { system: FundsSystem; records: string }>();
    for (const p of PROFILES) {
      await useProtocol(p);
      const system = await fundsSystem(p, { ...SHARED, seed: `shared-${p}` });
      const records = mkdtempSync(path.join(tmpdir(), `cutover-funds-${p}-`));
      copyRecords(deployments, records);
      systems.set(p, { system, records });
    }
    shared = { snapshotId: "", systems };
  } else {
    const reverted = await conn.provider.request({ method: "evm_revert", params: [shared.snapshotId] });
    if (reverted !== true) throw new Error(`evm_revert to ${shared.snapshotId} failed`);
  }
  // a snapshot is used up by its revert: take it again for the next test
  shared.snapshotId = (await conn.provider.request({ method: "evm_snapshot", params: [] })) as string;
  const { system, records } = shared.systems.get(profile)!;
  copyRecords(records, deployments);
  await useProtocol(profile);
  return system;
}
