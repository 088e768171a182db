// corevault:redeploy and the network's records: which vault a run replaces, the records as they were before it, and
// the records and app config a finished run writes (from confirmed receipts only).
import { getAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import type { ContractCatalog } from "../engine/contracts.js";
import { faultPoint } from "../engine/faults.js";
import type { RunOutcome } from "../engine/run.js";
import { CutoverInputError } from "../errors.js";
import { appConfigSkipped } from "../records/app-config-policy.js";
import { appAddresses, envKeysFor, updateEnvFile, writeContractsModule } from "../records/app-config.js";
import { writeDeployRecords } from "../records/plan-records.js";
import { writeSystemRecord, type SystemRecord } from "../records/records.js";
import { installedAdmins } from "./installed-admin.js";
import { AGGREGATE_KEYS, LIBRARY_RECORD_KEYS } from "./plan-redeploy.js";
import type { RedeployState } from "./redeploy-types.js";

/**
 * Which vault this run replaces: --old-vault, else the records' CORE_VAULT — unless the records' CORE_VAULT is itself
 * the result of an earlier redeploy, in which case that run is the one to (re)check, so running again sends nothing.
 */
export function resolveOldVault(records: SystemRecord | undefined, given: string | undefined): string {
  if (given) return given;
  const current = records?.contracts.CORE_VAULT;
  if (!current)
    throw new CutoverInputError(
      "--old-vault",
      given ?? "",
      "no records for this network name a CORE_VAULT; pass --old-vault <address of the CoreVault to replace>",
    );
  const superseded = records.superseded ?? [];
  const producedBy = [...superseded]
    .reverse()
    .find((entry) => entry.CORE_VAULT && entry.replacedBy.toLowerCase() === current.toLowerCase());
  return getAddress(producedBy?.CORE_VAULT ?? current);
}

/**
 * The records as they were before the run that replaced `oldVault` (when one did): the contracts it replaced put back,
 * so a rerun observes the old system (e.g. the immutable factory the run replaced), not what the run produced.
 */
export function recordsBefore(records: SystemRecord | undefined, oldVault: string): SystemRecord | undefined {
  const superseded = records?.superseded ?? [];
  const run = superseded.find((e) => e.CORE_VAULT?.toLowerCase() === oldVault.toLowerCase())?.runId;
  if (!records || run === undefined) return records;
  const contracts = { ...records.contracts };
  const restored = new Set<string>();
  for (const entry of superseded.filter((e) => e.runId === run))
    for (const key of Object.values(AGGREGATE_KEYS))
      if (entry[key] && entry[key] !== entry.replacedBy && !restored.has(key)) {
        contracts[key] = entry[key];
        restored.add(key);
      }
  return { ...records, contracts };
}

/** The run's deployments under their aggregate keys (CORE_VAULT, FUTURES_MARKET_FACTORY). */
function recordKeyed(written: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(AGGREGATE_KEYS).flatMap(([record, key]) => (written[record] ? [[key, written[record]]] : [])),
  );
}

/** The libraries the new vault links, under the records' keys: other ones (--libraries) replace the recorded ones. */
function linkedLibraryRecords(outcome: RunOutcome<RedeployState>): Record<string, string> {
  const deploy = outcome.plan.steps.find((s) => s.kind === "deploy" && s.record === "CoreVault");
  if (deploy?.kind !== "deploy") return {};
  return Object.fromEntries(
    outcome.state.profile.vault.libraries.flatMap((name, i) =>
      deploy.libraries[name] && LIBRARY_RECORD_KEYS[i] ? [[LIBRARY_RECORD_KEYS[i], deploy.libraries[name]]] : [],
    ),
  );
}

/** Records and app config for a finished redeploy, written from confirmed receipts only. */
export async function writeRedeployRecords(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  catalog: ContractCatalog,
  outcome: RunOutcome<RedeployState>,
): Promise<SystemRecord> {
  const { system, records: previous } = outcome.state;
  const root = hre.config.paths.root;
  const network = conn.networkName;
  const { plan } = outcome;
  const aggregate: SystemRecord = previous
    ? structuredClone(previous)
    : {
        network,
        chainId: system.chainId,
        contracts: {
          USDC: system.collateral,
          CORE_VAULT: system.vault,
          VAULT_ANALYTICS: system.libraries.VaultAnalytics,
          POSITION_MANAGER: system.libraries.PositionManager,
          LIQUIDATION_MANAGER: system.liquidationManager,
          ...(system.hub ? { COLLATERAL_HUB: system.hub.address } : {}),
          ...(system.factory ? { FUTURES_MARKET_FACTORY: system.factory.address } : {}),
        },
        markets: system.markets.map((m) => ({ marketId: m.marketId, symbol: m.marketId, orderBook: m.orderBook })),
      };
  const superseded = (aggregate.superseded ?? []).slice();
  const at = new Date().toISOString();
  const written = await writeDeployRecords(hre, conn, catalog, outcome);
  const replaced = { ...recordKeyed(written), ...(written.CoreVault ? linkedLibraryRecords(outcome) : {}) };
  for (const [key, address] of Object.entries(replaced)) {
    // already in the aggregate: an earlier invocation wrote it before it was killed
    if (aggregate.contracts[key]?.toLowerCase() === address.toLowerCase()) continue;
    superseded.push({ [key]: aggregate.contracts[key] ?? "", runId: plan.id, replacedBy: address, at });
    aggregate.contracts[key] = address;
  }
  aggregate.superseded = superseded;
  // The admin this run installed: what corevault:roles and cutover:verify both expect to hold DEFAULT_ADMIN_ROLE.
  const [admin] = installedAdmins(plan);
  if (admin) aggregate.admin = admin;
  const { appConfig } = hre.config.cutover;
  const contracts = appAddresses(aggregate.contracts);
  if (!appConfigSkipped(hre, conn)) {
    await writeContractsModule(appConfig.contractsModule, contracts, {
      network,
      chainId: aggregate.chainId,
      runId: plan.id,
    });
    await updateEnvFile(appConfig.envFile, envKeysFor(contracts, network, appConfig.envPrefix));
  }
  faultPoint("record");
  // Last: the aggregate's CORE_VAULT is what the next observation starts from, so a kill before it reruns this run.
  await writeSystemRecord(root, aggregate);
  faultPoint("record");
  return aggregate;
}
