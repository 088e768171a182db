import { getAddress, isAddress, ZeroAddress, ZeroHash } from "ethers";
import { encodeTemplated } from "../profile/trading.js";
import { appConfigSkipped } from "../records/app-config-policy.js";
import { installedAdmins } from "./installed-admin.js";
import { fnName } from "../profile/interpret.js";
import type { Profile } from "../profile/schema.js";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import type { EngineContext } from "../cli/engine-command.js";
import { CutoverInputError } from "../errors.js";
import type { Addresses } from "../engine/apply.js";
import { adminSenders, simulatedSenders } from "../engine/authority.js";
import { ContractCatalog } from "../engine/contracts.js";
import { findCreate2Factory } from "../engine/create2.js";
import { simulatePending } from "../engine/preflight.js";
import type { Reader } from "../engine/reader.js";
import type { PlanBody, Planner, RunOutcome } from "../engine/run.js";
import type { Plan, Step } from "../engine/types.js";
import { fleetFacts, observeFleet, type OrderBookState } from "../orderbook/rewire.js";
import { planProfileRewire } from "../orderbook/rewire-storage.js";
import { CutRefusedByPolicyError } from "../errors.js";
import { appAddresses, envKeysFor, updateEnvFile, writeContractsModule } from "../records/app-config.js";
import { writeDeployRecords } from "../records/plan-records.js";
import { faultPoint } from "../engine/faults.js";
import { checkAuthorityAccount, checkHasCode, checkLibraryCode, checkRoleHolders } from "../engine/input-checks.js";
import { configuredMmrParams } from "./mmr-bounds.js";
import {
  deploymentBlock,
  readSystemRecordIfAny,
  requireRecordsChain,
  writeSystemRecord,
  type SystemRecord,
} from "../records/records.js";
import { checkedAddress } from "../util/address.js";
import { legacyFacts, observeLegacySystem, type LegacySystem, type VaultRole } from "./observe.js";
import { AGGREGATE_KEYS, LIBRARY_RECORD_KEYS, NEW_VAULT, planRedeploy } from "./plan-redeploy.js";
import "../type-extensions.js";
import { runKeys } from "../engine/run-key.js";
import { parseMarketSelection, splitScope, type MarketSplit } from "../orderbook/market-split.js";
import { movingSystem, splitNote, splitOf } from "./redeploy-split.js";

export interface RedeployOptions {
  oldVault?: string;
  pauseOld: boolean;
  /** Revoke ORDERBOOK_ROLE from every OrderBook on the old vault first. */
  haltOld?: boolean;
  admin?: string;
  /** Let --admin (or cutover.admin) be an address without code. */
  allowEoa?: boolean;
  collateral?: string;
  /** "VaultAnalytics=0x…,PositionManager=0x…" */
  libraries?: string;
  /** Also rewire every OrderBook to the new vault, in the same plan and journal. */
  rewire?: boolean;
  /** Dual-vault period: only these markets move (ids, symbols or OrderBook addresses, comma-separated)… */
  markets?: string;
  /** …or every market but these. */
  exceptMarkets?: string;
}

/** What a redeploy is planned from, observed at the pinned block. */
export interface RedeployState {
  system: LegacySystem;
  /** The network's records as they were before this run (the aggregate the run's records update). */
  records?: SystemRecord;
  /** Who sends the admin steps on each existing contract: oldVault, factory, hub. */
  senders: Record<string, string>;
  /** The OrderBooks, with --rewire. */
  fleet: OrderBookState[];
  create2Factory?: string;
  /** The profile says the vault has `multicall`: grants and registrations are batched through it. */
  vaultBatches: boolean;
  profile: Profile;
  /** --markets / --except-markets: which markets move, which stay on the old vault. */
  split?: MarketSplit;
}

function parseLibraries(value: string | undefined): Partial<Record<"VaultAnalytics" | "PositionManager", string>> {
  if (!value) return {};
  const parsed: Record<string, string> = {};
  for (const pair of value.split(",")) {
    const [name, address] = pair.split("=").map((s) => s.trim());
    if ((name !== "VaultAnalytics" && name !== "PositionManager") || !address || !isAddress(address)) {
      throw new CutoverInputError(
        "--libraries",
        value,
        'give Name=address pairs for VaultAnalytics and/or PositionManager, e.g. --libraries "VaultAnalytics=0x…,PositionManager=0x…"',
      );
    }
    parsed[name] = getAddress(address);
  }
  return parsed;
}

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

/**
 * An updatable factory that is not AccessControl (dexetra-v5's later factory: one `onlyAdmin`, no getter): its vault
 * setter, with the vault it has now, to simulate from the chosen authority. Undefined for an AccessControl factory.
 */
async function singleAdminFactory(
  reader: Reader,
  system: LegacySystem,
  profile: Profile,
): Promise<{ key: string; to: string; data: string } | undefined> {
  const write = profile.factory.vault.write;
  if (!system.factory?.updatable || !write) return undefined;
  const { hasRole } = profile.vault.roles;
  const answers = await reader.tryCall({
    to: system.factory.address,
    contract: hasRole,
    fn: "hasRole",
    args: [ZeroHash, ZeroAddress],
  });
  if (answers !== undefined) return undefined;
  try {
    const data = encodeTemplated(write.signature, write.args, [system.factory.vault ?? system.vault]);
    return { key: "factory", to: system.factory.address, data };
  } catch {
    return undefined; // a template naming values kept from elsewhere: the signer sends it
  }
}

export async function redeployPlanner(ctx: EngineContext, options: RedeployOptions): Promise<Planner<RedeployState>> {
  const { hre, conn, signer, authority } = ctx;
  const root = hre.config.paths.root;
  const config = hre.config.cutover;
  const records = await readSystemRecordIfAny(root, conn.networkName);
  const oldVault = resolveOldVault(records, checkedAddress("--old-vault", options.oldVault));
  const libraryOverrides = { ...config.redeploy.libraries, ...parseLibraries(options.libraries) };
  const collateralOverride = checkedAddress("--collateral", options.collateral) ?? config.redeploy.collateral;
  const adminOverride = checkedAddress("--admin", options.admin) ?? config.admin;
  const catalog = new ContractCatalog(hre);
  const profile = config.protocol;
  const mmrOverride = configuredMmrParams(config.redeploy.mmrParams, profile);
  const selection = parseMarketSelection(options.markets, options.exceptMarkets);

  return {
    task: "corevault:redeploy",
    runKey: runKeys.corevaultRedeploy(oldVault),
    async observe(reader) {
      requireRecordsChain(records, Number((await reader.provider.getNetwork()).chainId), conn.networkName);
      await checkRedeployInputs(reader, adminOverride, options.allowEoa === true, config.redeploy.liquidationManager);
      await checkRoleHolders(reader, "cutover.redeploy.roles", config.redeploy.roles ?? {}, {
        allowEoa: options.allowEoa === true,
      });
      const system = await observeLegacySystem(
        reader,
        oldVault,
        recordsBefore(records, oldVault),
        await deploymentBlock(root, conn.networkName, "CoreVault", oldVault),
        profile,
        { collateral: collateralOverride, liquidationManager: config.redeploy.liquidationManager },
      );
      const replacement = profile.factory.replacement;
      // The replacement of an immutable factory is deployed from the project's own artifact, never a bundled mock.
      if (system.factory && !system.factory.updatable && replacement)
        await catalog.projectArtifact(replacement.artifact, "cutover.protocol.factory.replacement.artifact");
      const hasRole = profile.vault.roles.hasRole;
      const singleAdmin = await singleAdminFactory(reader, system, profile);
      const existing = [
        { key: "oldVault", address: system.vault, contract: hasRole },
        ...(system.factory?.updatable && !singleAdmin
          ? [{ key: "factory", address: system.factory.address, contract: hasRole }]
          : []),
        ...(system.hub ? [{ key: "hub", address: system.hub.address, contract: hasRole }] : []),
      ];
      const senders = {
        ...(await adminSenders(reader, existing, authority)),
        ...(singleAdmin ? await simulatedSenders(reader, [singleAdmin], authority) : {}),
      };
      const state: RedeployState = {
        system,
        records,
        senders,
        fleet: [],
        vaultBatches: profile.vault.batching === "multicall",
        profile,
        split: selection && splitOf(system, records, selection, options.pauseOld),
      };
      const facts = {
        ...legacyFacts(system),
        ...Object.fromEntries(
          Object.entries(senders).map(([key, account]) => [`authority.${key}`, account.toLowerCase()]),
        ),
      };
      if (!options.rewire) return { facts, state };
      const symbols = new Map((records?.markets ?? []).map((m) => [m.orderBook.toLowerCase(), m.symbol]));
      state.fleet = await observeFleet(
        reader,
        movingSystem(system, state.split).orderBooks.map((address) => ({
          address,
          symbol: symbols.get(address.toLowerCase()),
        })),
        profile,
      );
      state.create2Factory = await findCreate2Factory(conn, reader.block);
      return {
        facts: { ...facts, ...fleetFacts(state.fleet), create2Factory: state.create2Factory?.toLowerCase() ?? "" },
        state,
      };
    },
    async plan(state, _facts, known) {
      const { system } = state;
      const admins = adminOverride ? [adminOverride] : system.roles.DEFAULT_ADMIN_ROLE.holders;
      if (admins.length === 0)
        throw new CutoverInputError(
          "cutover.admin",
          "(none)",
          "the old vault has no DEFAULT_ADMIN_ROLE holder to hand the new one to; set `cutover.admin` in the Hardhat config or pass --admin",
        );
      const body = planRedeploy({
        system: movingSystem(system, state.split),
        signer,
        authorities: state.senders,
        admins,
        pauseOld: options.pauseOld,
        haltOld: options.haltOld,
        collateral: collateralOverride ?? system.collateral,
        libraries: {
          VaultAnalytics: libraryOverrides.VaultAnalytics ?? system.libraries.VaultAnalytics,
          PositionManager: libraryOverrides.PositionManager ?? system.libraries.PositionManager,
        },
        liquidationManager: config.redeploy.liquidationManager ?? system.liquidationManager,
        mmrParams: mmrOverride ?? system.mmrParams,
        roleOverrides: (config.redeploy.roles ?? {}) as Partial<Record<VaultRole, string[]>>,
        batchSize: state.vaultBatches ? config.redeploy.batchSize : 1,
        profile,
      });
      for (const market of records?.markets ?? [])
        body.labels[market.marketId.toLowerCase()] = `${market.symbol} (${market.marketId.slice(0, 10)}…)`;
      if (options.rewire) await addRewire(body, state, signer, known, catalog);
      if (!state.split) return body;
      body.notes.push(splitNote(state.split, options.rewire === true));
      return { ...body, scope: splitScope(state.split) };
    },
    async preflight(plan, reader, pending, addresses) {
      await preflightRedeploy(plan, reader, pending, addresses, profile);
    },
  };
}

/** --rewire: every OrderBook's cut, before the admin handoff, in the same plan. */
async function addRewire(
  body: Required<PlanBody>,
  state: RedeployState,
  signer: string,
  _known: Record<string, string>,
  catalog: ContractCatalog,
): Promise<void> {
  const rewire = await planProfileRewire({
    fleet: state.fleet,
    newVault: NEW_VAULT,
    create2Factory: state.create2Factory,
    signer,
    extraFacets: [],
    remove: [],
    removable: [],
    allowTakeover: false,
    dependsOn: ["deploy:CoreVault"],
    catalog,
    profile: state.profile,
  });
  if (rewire.refusals.length > 0) throw new CutRefusedByPolicyError(rewire.refusals);
  const handoff = body.steps.findIndex((step) => step.id === "handoff:admin");
  body.steps.splice(handoff === -1 ? body.steps.length : handoff, 0, ...rewire.steps);
  Object.assign(
    body.labels,
    rewire.labels,
    Object.fromEntries(state.fleet.map((b) => [b.address.toLowerCase(), `${b.symbol} ${b.address}`])),
  );
}

/** The admin and the liquidation manager the new vault is given: refused before anything is planned when dangerous. */
async function checkRedeployInputs(
  reader: Reader,
  admin: string | undefined,
  allowEoa: boolean,
  liquidationManager: string | undefined,
) {
  if (admin)
    await checkAuthorityAccount(reader, "--admin (or cutover.admin)", admin, {
      allowEoa,
      why: "the new vault's only DEFAULT_ADMIN_ROLE holder would be a key that a typo or a leak makes final",
    });
  if (liquidationManager)
    await checkHasCode(
      reader,
      "cutover.redeploy.liquidationManager",
      liquidationManager,
      "give the deployed LiquidationManager's address (default: the old vault's)",
    );
}

/** Preconditions checked before anything is sent. Each failure names the input, the value and the fix. */
async function preflightRedeploy(
  plan: Plan,
  reader: Reader,
  pending: Step[],
  addresses: Addresses,
  profile: Profile,
): Promise<void> {
  const deploy = pending.find((s) => s.kind === "deploy" && s.record === "CoreVault");
  if (deploy?.kind === "deploy") {
    const collateral = deploy.args[0] as string;
    const sig = profile.vault.collateralDecimals;
    const decimals = await reader.tryCall({ to: collateral, contract: sig, fn: fnName(sig), args: [] });
    if (decimals === undefined || Number(decimals) !== 6) {
      throw new CutoverInputError(
        "collateral",
        collateral,
        `the new CoreVault needs 6-decimals collateral (USDC) but this token reports ${decimals === undefined ? "no decimals()" : `${decimals} decimals`}; pass the USDC address with --collateral or fix cutover.redeploy.collateral`,
      );
    }
    for (const [name, address] of Object.entries(deploy.libraries))
      await checkLibraryCode(
        reader,
        `library ${name}`,
        name,
        address,
        `link the deployed ${name} (the old vault's is read from its bytecode) via --libraries or cutover.redeploy.libraries`,
      );
  }
  await simulatePending(
    plan,
    reader,
    pending,
    addresses,
    "run with an account that holds the needed role (--signer), or name the Safe or timelock that holds it (--executor safe --safe 0x… / --executor timelock --timelock 0x…)",
  );
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
