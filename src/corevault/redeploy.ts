// corevault:redeploy: deploy a new CoreVault like the old one, wire it like the old one (roles, OrderBooks, markets,
// pointers), optionally rewire every OrderBook to it and halt and pause the old one, then hand the admin over.
import { getAddress, isAddress } from "ethers";
import type { EngineContext } from "../cli/engine-command.js";
import { CutoverInputError, CutRefusedByPolicyError } from "../errors.js";
import type { Addresses } from "../engine/apply.js";
import { ContractCatalog } from "../engine/contracts.js";
import { checkLibraryCode } from "../engine/input-checks.js";
import { simulatePending } from "../engine/preflight.js";
import type { Reader } from "../engine/reader.js";
import { runKeys } from "../engine/run-key.js";
import type { PlanBody, Planner } from "../engine/run.js";
import type { Plan, Step } from "../engine/types.js";
import { parseMarketSelection, splitScope } from "../orderbook/market-split.js";
import { planProfileRewire } from "../orderbook/rewire-storage.js";
import { fnName } from "../profile/interpret.js";
import type { Profile } from "../profile/schema.js";
import { readSystemRecordIfAny } from "../records/records.js";
import { checkedAddress } from "../util/address.js";
import "../type-extensions.js";
import { configuredMmrParams } from "./mmr-bounds.js";
import type { VaultRole } from "./observe.js";
import { NEW_VAULT, planRedeploy } from "./plan-redeploy.js";
import { observeRedeploy } from "./redeploy-observe.js";
import { resolveOldVault } from "./redeploy-records.js";
import { movingSystem, splitNote } from "./redeploy-split.js";
import type { RedeployInputs, RedeployOptions, RedeployState } from "./redeploy-types.js";

export { writeRedeployRecords } from "./redeploy-records.js";
export type { RedeployOptions, RedeployState } from "./redeploy-types.js";

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

/** The options and config resolved once; each bad value is refused here, naming the option. */
async function redeployInputs({ hre, conn }: EngineContext, options: RedeployOptions): Promise<RedeployInputs> {
  const root = hre.config.paths.root;
  const config = hre.config.cutover;
  const records = await readSystemRecordIfAny(root, conn.networkName);
  const oldVault = resolveOldVault(records, checkedAddress("--old-vault", options.oldVault));
  const libraries = { ...config.redeploy.libraries, ...parseLibraries(options.libraries) };
  const collateral = checkedAddress("--collateral", options.collateral) ?? config.redeploy.collateral;
  const admin = checkedAddress("--admin", options.admin) ?? config.admin;
  const catalog = new ContractCatalog(hre);
  const profile = config.protocol;
  const mmrParams = configuredMmrParams(config.redeploy.mmrParams, profile);
  const selection = parseMarketSelection(options.markets, options.exceptMarkets);
  return { root, config, profile, catalog, records, oldVault, libraries, collateral, admin, mmrParams, selection };
}

export async function redeployPlanner(ctx: EngineContext, options: RedeployOptions): Promise<Planner<RedeployState>> {
  const inputs = await redeployInputs(ctx, options);
  return {
    task: "corevault:redeploy",
    runKey: runKeys.corevaultRedeploy(inputs.oldVault),
    observe: (reader) => observeRedeploy(reader, ctx, inputs, options),
    plan: (state, _facts, known) => planBody(ctx.signer, inputs, options, state, known),
    async preflight(plan, reader, pending, addresses) {
      await preflightRedeploy(plan, reader, pending, addresses, inputs.profile);
    },
  };
}

async function planBody(
  signer: string,
  inputs: RedeployInputs,
  options: RedeployOptions,
  state: RedeployState,
  known: Record<string, string>,
): Promise<Awaited<ReturnType<Planner<RedeployState>["plan"]>>> {
  const { system } = state;
  const { config, records, libraries } = inputs;
  const admins = inputs.admin ? [inputs.admin] : system.roles.DEFAULT_ADMIN_ROLE.holders;
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
    collateral: inputs.collateral ?? system.collateral,
    libraries: {
      VaultAnalytics: libraries.VaultAnalytics ?? system.libraries.VaultAnalytics,
      PositionManager: libraries.PositionManager ?? system.libraries.PositionManager,
    },
    liquidationManager: config.redeploy.liquidationManager ?? system.liquidationManager,
    mmrParams: inputs.mmrParams ?? system.mmrParams,
    roleOverrides: (config.redeploy.roles ?? {}) as Partial<Record<VaultRole, string[]>>,
    batchSize: state.vaultBatches ? config.redeploy.batchSize : 1,
    profile: inputs.profile,
  });
  for (const market of records?.markets ?? [])
    body.labels[market.marketId.toLowerCase()] = `${market.symbol} (${market.marketId.slice(0, 10)}…)`;
  if (options.rewire) await addRewire(body, state, signer, known, inputs.catalog);
  if (!state.split) return body;
  body.notes.push(splitNote(state.split, options.rewire === true));
  return { ...body, scope: splitScope(state.split) };
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
