// The old vault as a run on it alone observes it (`--resume-old`, `migrate-funds --mode withdraw-only`, their verify
// checks): its OrderBooks, roles and pause, from the chain and the records, and who sends its admin steps.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { adminSenders, type Authority } from "../engine/authority.js";
import type { Reader } from "../engine/reader.js";
import { deploymentBlock, readSystemRecordIfAny, requireRecordsChain } from "../records/records.js";
import { legacyFacts, observeLegacySystem } from "./observe.js";
import { recordsBefore } from "./redeploy-records.js";
import type { LegacySystem } from "./system.js";
import "../type-extensions.js";

export interface OldVaultState {
  system: LegacySystem;
  /** Who sends the old vault's admin steps. */
  sender: string;
}

/** The old vault as a redeploy observes it (OrderBooks, roles, pause), from the records where they know it. */
export async function observeOldVault(
  hre: HardhatRuntimeEnvironment,
  network: string,
  reader: Reader,
  vault: string,
): Promise<LegacySystem> {
  const root = hre.config.paths.root;
  const config = hre.config.cutover;
  const records = await readSystemRecordIfAny(root, network);
  requireRecordsChain(records, Number((await reader.provider.getNetwork()).chainId), network);
  return observeLegacySystem(
    reader,
    vault,
    recordsBefore(records, vault),
    await deploymentBlock(root, network, "CoreVault", vault),
    config.protocol,
    { collateral: config.redeploy.collateral, liquidationManager: config.redeploy.liquidationManager },
  );
}

/** The old vault and the account (the signer, or the authority holding its admin role) that sends its admin steps. */
export async function observeOldVaultAdmin(
  hre: HardhatRuntimeEnvironment,
  network: string,
  reader: Reader,
  vault: string,
  authority: Authority,
): Promise<{ facts: Record<string, string>; state: OldVaultState }> {
  const system = await observeOldVault(hre, network, reader, vault);
  const hasRole = hre.config.cutover.protocol.vault.roles.hasRole;
  const senders = await adminSenders(
    reader,
    [{ key: "oldVault", address: system.vault, contract: hasRole }],
    authority,
  );
  const facts = { ...legacyFacts(system), "authority.oldVault": senders.oldVault.toLowerCase() };
  return { facts, state: { system, sender: senders.oldVault } };
}
