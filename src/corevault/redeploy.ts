import { getAddress, isAddress, ZeroHash } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { CutoverInputError } from "../errors.js";
import { actionDone, Addresses } from "../engine/apply.js";
import { ContractCatalog } from "../engine/contracts.js";
import { reason } from "../engine/executor-eoa.js";
import type { Reader } from "../engine/reader.js";
import type { Planner, RunOutcome } from "../engine/run.js";
import { containsEncoded } from "../engine/plan.js";
import type { Plan, Step, Value } from "../engine/types.js";
import { envKeysFor, updateEnvFile, writeContractsModule } from "../records/app-config.js";
import { writeDeployRecords } from "../records/plan-records.js";
import { deploymentBlock, readSystemRecordIfAny, writeSystemRecord, type SystemRecord } from "../records/records.js";
import { legacyFacts, observeLegacySystem, type LegacySystem, type VaultRole } from "./observe.js";
import { AGGREGATE_KEYS, NEW_VAULT, planRedeploy } from "./plan-redeploy.js";
import { findCreate2Factory } from "../engine/create2.js";
import { fleetFacts, observeFleet, planRewire, type OrderBookState } from "../orderbook/rewire.js";
import { CutRefusedByPolicyError } from "../orderbook/rewire-planner.js";
import "../type-extensions.js";

export interface RedeployOptions {
  oldVault?: string;
  pauseOld: boolean;
  admin?: string;
  collateral?: string;
  /** "VaultAnalytics=0x…,PositionManager=0x…" */
  libraries?: string;
  /** Also rewire every OrderBook to the new vault, in the same plan and journal. */
  rewire?: boolean;
  /**
   * Accounts besides the signer that may hold the admin role of the existing contracts (the `--safe`, the
   * `--timelock`): each such step is sent by the first of signer, then these, that holds the role at the pinned block.
   */
  authorities?: string[];
}

/** The first of `candidates` holding DEFAULT_ADMIN_ROLE on each AccessControl contract (else the first candidate). */
async function adminsOf(reader: Reader, contracts: { key: string; address: string; contract: string }[], candidates: string[]): Promise<Record<string, string>> {
  const holds = await Promise.all(contracts.flatMap((c) => candidates.map((account) => reader.tryCall({ to: c.address, contract: c.contract, fn: "hasRole", args: [ZeroHash, account] }))));
  return Object.fromEntries(contracts.map((c, i) => [c.key, candidates.find((_, k) => holds[i * candidates.length + k] === true) ?? candidates[0]]));
}

export interface SupersededEntry {
  runId: string;
  replacedBy: string;
  at: string;
  [key: string]: string;
}

const PLACEHOLDER_ADDRESS = "0x000000000000000000000000000000000000c0DE";

function parseLibraries(value: string | undefined): Partial<Record<"VaultAnalytics" | "PositionManager", string>> {
  if (!value) return {};
  const parsed: Record<string, string> = {};
  for (const pair of value.split(",")) {
    const [name, address] = pair.split("=").map((s) => s.trim());
    if ((name !== "VaultAnalytics" && name !== "PositionManager") || !address || !isAddress(address)) {
      throw new CutoverInputError("--libraries", value, 'give Name=address pairs for VaultAnalytics and/or PositionManager, e.g. --libraries "VaultAnalytics=0x…,PositionManager=0x…"');
    }
    parsed[name] = getAddress(address);
  }
  return parsed;
}

function checkedAddress(input: string, value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (!isAddress(value)) throw new CutoverInputError(input, value, "give a 0x-prefixed 20-byte address");
  return getAddress(value);
}

/**
 * Which vault this run replaces: --old-vault, else the records' CORE_VAULT — unless the records' CORE_VAULT is itself
 * the result of an earlier redeploy, in which case that run is the one to (re)check, so running again sends nothing.
 */
function resolveOldVault(records: SystemRecord | undefined, given: string | undefined): string {
  if (given) return given;
  const current = records?.contracts.CORE_VAULT;
  if (!current) throw new CutoverInputError("--old-vault", given ?? "", "no records for this network name a CORE_VAULT; pass --old-vault <address of the CoreVault to replace>");
  const superseded = (records.superseded as SupersededEntry[] | undefined) ?? [];
  const producedBy = [...superseded].reverse().find((entry) => entry.CORE_VAULT && entry.replacedBy.toLowerCase() === current.toLowerCase());
  return getAddress(producedBy?.CORE_VAULT ?? current);
}

export async function redeployPlanner(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  signer: string,
  options: RedeployOptions,
): Promise<Planner & { system(): LegacySystem; records(): SystemRecord | undefined; fleet(): OrderBookState[] }> {
  const root = hre.config.paths.root;
  const config = hre.config.cutover;
  const records = await readSystemRecordIfAny(root, conn.networkName);
  const oldVault = resolveOldVault(records, checkedAddress("--old-vault", options.oldVault));
  const libraryOverrides = { ...config.redeploy.libraries, ...parseLibraries(options.libraries) };
  const collateralOverride = checkedAddress("--collateral", options.collateral) ?? config.redeploy.collateral;
  const adminOverride = checkedAddress("--admin", options.admin) ?? config.admin;
  let system: LegacySystem | undefined;
  let authorities: Record<string, string> = {};
  let fleet: OrderBookState[] = [];
  let create2Factory: string | undefined;
  const catalog = new ContractCatalog(hre);

  return {
    task: "corevault:redeploy",
    runKey: `corevault-redeploy-${oldVault.toLowerCase()}`,
    system: () => system!,
    records: () => records,
    fleet: () => fleet,
    async observe(reader: Reader) {
      const chainId = Number((await reader.provider.getNetwork()).chainId);
      if (records && records.chainId !== chainId) {
        throw new CutoverInputError(
          "--network",
          conn.networkName,
          `the records deployments/${conn.networkName}-deployment.json are for chain ${records.chainId} but this network is chain ${chainId}; connect to the right network or fix the records`,
        );
      }
      system = await observeLegacySystem(reader, oldVault, records, await deploymentBlock(root, conn.networkName, "CoreVault", oldVault));
      const existing = [
        { key: "oldVault", address: system.vault, contract: "CoreVault" },
        ...(system.factory?.updatable ? [{ key: "factory", address: system.factory.address, contract: "FuturesMarketFactory" }] : []),
        ...(system.hub ? [{ key: "hub", address: system.hub.address, contract: "CollateralHub" }] : []),
      ];
      authorities = await adminsOf(reader, existing, [signer, ...(options.authorities ?? [])]);
      const authorityFacts = Object.fromEntries(Object.entries(authorities).map(([key, account]) => [`authority.${key}`, account.toLowerCase()]));
      if (!options.rewire) return { chainId, block: reader.block, facts: { ...legacyFacts(system), ...authorityFacts } };
      const symbols = new Map((records?.markets ?? []).map((m) => [m.orderBook.toLowerCase(), m.symbol]));
      fleet = await observeFleet(reader, system.orderBooks.map((address) => ({ address, symbol: symbols.get(address.toLowerCase()) })));
      create2Factory = await findCreate2Factory(conn, catalog, root, reader.block);
      return { chainId, block: reader.block, facts: { ...legacyFacts(system), ...authorityFacts, ...fleetFacts(fleet), create2Factory: create2Factory?.toLowerCase() ?? "" } };
    },
    async plan(observation, known) {
      const s = system!;
      const admins = adminOverride ? [adminOverride] : s.roles.DEFAULT_ADMIN_ROLE.holders;
      if (admins.length === 0) throw new CutoverInputError("cutover.admin", "(none)", "the old vault has no DEFAULT_ADMIN_ROLE holder to hand the new one to; set `cutover.admin` in the Hardhat config or pass --admin");
      const mmr = config.redeploy.mmrParams;
      const plan = planRedeploy({
        system: s,
        facts: observation.facts,
        network: conn.networkName,
        signer,
        authorities,
        admins,
        pauseOld: options.pauseOld,
        collateral: collateralOverride ?? s.collateral,
        libraries: { VaultAnalytics: libraryOverrides.VaultAnalytics ?? s.libraries.VaultAnalytics, PositionManager: libraryOverrides.PositionManager ?? s.libraries.PositionManager },
        liquidationManager: config.redeploy.liquidationManager ?? s.liquidationManager,
        mmrParams: mmr ? [String(mmr.baseMmrBps), String(mmr.penaltyMmrBps), String(mmr.maxMmrBps), String(mmr.scalingSlopeBps)] : s.mmrParams,
        roleOverrides: (config.redeploy.roles ?? {}) as Partial<Record<VaultRole, string[]>>,
        // Grants and registrations are batched through the vault's `multicall` when its ABI has one.
        batchSize: (await new ContractCatalog(hre).iface("CoreVault")).getFunction("multicall") ? config.redeploy.batchSize : 1,
        known,
      });
      for (const market of records?.markets ?? []) plan.labels[market.marketId.toLowerCase()] = `${market.symbol} (${market.marketId.slice(0, 10)}…)`;
      if (options.rewire) {
        const rewire = await planRewire({
          fleet,
          newVault: NEW_VAULT,
          create2Factory: create2Factory ?? known.Create2Factory,
          signer,
          extraFacets: [],
          remove: [],
          removable: [],
          allowTakeover: false,
          dependsOn: ["deploy:CoreVault"],
          catalog,
        });
        if (rewire.refusals.length > 0) throw new CutRefusedByPolicyError(rewire.refusals);
        const handoff = plan.steps.findIndex((step) => step.id === "handoff:admin");
        plan.steps.splice(handoff === -1 ? plan.steps.length : handoff, 0, ...rewire.steps);
        Object.assign(plan.labels, rewire.labels, Object.fromEntries(fleet.map((b) => [b.address.toLowerCase(), `${b.symbol} ${b.address}`])));
      }
      return plan;
    },
    async preflight(plan, reader, pending, addresses) {
      await preflightRedeploy(plan, reader, pending, addresses);
    },
  };
}

/** Preconditions checked before anything is sent. Each failure names the input, the value and the fix. */
async function preflightRedeploy(plan: Plan, reader: Reader, pending: Step[], addresses: Addresses): Promise<void> {
  const deploy = pending.find((s) => s.kind === "deploy" && s.record === "CoreVault");
  if (deploy?.kind === "deploy") {
    const collateral = deploy.args[0] as string;
    const decimals = await reader.tryCall({ to: collateral, contract: "MockUSDC", fn: "decimals", args: [] });
    if (decimals === undefined || Number(decimals) !== 6) {
      throw new CutoverInputError("collateral", collateral, `the new CoreVault needs 6-decimals collateral (USDC) but this token reports ${decimals === undefined ? "no decimals()" : `${decimals} decimals`}; pass the USDC address with --collateral or fix cutover.redeploy.collateral`);
    }
    for (const [name, address] of Object.entries(deploy.libraries)) {
      if (!(await reader.hasCode(address))) {
        throw new CutoverInputError(`library ${name}`, address, `no code at that address on this network; link the deployed ${name} (the old vault's is read from its bytecode) via --libraries or cutover.redeploy.libraries`);
      }
    }
  }
  // Every step aimed at a contract that exists already is simulated as its sender: access control fails here, not
  // mid-run. Contracts the plan deploys stand in as a placeholder address; a call whose init code the plan deploys
  // first (a diamondCut with an $encode init) cannot be simulated yet and is left to the run.
  const placeholders = new Addresses(Object.fromEntries(plan.steps.flatMap((s) => (s.kind === "deploy" ? [[s.record, PLACEHOLDER_ADDRESS]] : []))), reader.catalog);
  for (const step of pending) {
    if (step.kind !== "call") continue;
    for (const action of step.actions) {
      if (typeof action.call.to !== "string" || action.call.args.some(containsEncoded)) continue;
      if (await actionDone(reader, action, addresses)) continue;
      const iface = await reader.catalog.iface(action.call.contract);
      const data = iface.encodeFunctionData(action.call.fn, action.call.args.map((a: Value) => placeholders.resolve(a)));
      try {
        await reader.provider.call({ from: step.from, to: action.call.to, data, blockTag: reader.block });
      } catch (error) {
        throw new CutoverInputError(
          "signer",
          step.from,
          `it cannot ${step.label} (${action.call.contract} ${action.call.to}.${action.call.fn}): ${reason(error)}; run with an account that holds the needed role (--signer), or name the Safe or timelock that holds it (--executor safe --safe 0x… / --executor timelock --timelock 0x…)`,
        );
      }
    }
  }
}

/** Records and app config for a finished redeploy, written from confirmed receipts only. */
export async function writeRedeployRecords(hre: HardhatRuntimeEnvironment, conn: NetworkConnection, catalog: ContractCatalog, outcome: RunOutcome, system: LegacySystem, previous: SystemRecord | undefined): Promise<SystemRecord> {
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
  const superseded = ((aggregate.superseded as SupersededEntry[] | undefined) ?? []).slice();
  const at = new Date().toISOString();
  const written = await writeDeployRecords(hre, conn, catalog, outcome);
  for (const [record, key] of Object.entries(AGGREGATE_KEYS)) {
    const address = written[record];
    if (!address) continue;
    superseded.push({ [key]: aggregate.contracts[key] ?? "", runId: plan.id, replacedBy: address, at });
    aggregate.contracts[key] = address;
  }
  aggregate.superseded = superseded;
  await writeSystemRecord(root, aggregate);
  const { appConfig } = hre.config.cutover;
  await writeContractsModule(appConfig.contractsModule, aggregate.contracts, { network, chainId: aggregate.chainId, runId: plan.id });
  await updateEnvFile(appConfig.envFile, envKeysFor(aggregate.contracts, appConfig.envPrefix));
  return aggregate;
}
