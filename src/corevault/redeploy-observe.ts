// What corevault:redeploy observes before planning: its inputs checked, the legacy system, who sends the admin steps
// on each existing contract, and with --rewire the OrderBook fleet.
import { ZeroAddress, ZeroHash } from "ethers";
import type { EngineContext } from "../cli/engine-command.js";
import { adminSenders, simulatedSenders } from "../engine/authority.js";
import { findCreate2Factory } from "../engine/create2.js";
import { checkAuthorityAccount, checkHasCode, checkRoleHolders } from "../engine/input-checks.js";
import type { Reader } from "../engine/reader.js";
import { movingSystem, splitOf } from "./redeploy-split.js";
import { fleetFacts, observeFleet } from "../orderbook/rewire.js";
import { encodeTemplated } from "../profile/trading.js";
import type { Profile } from "../profile/schema.js";
import { deploymentBlock, requireRecordsChain } from "../records/records.js";
import { legacyFacts, observeLegacySystem, type LegacySystem } from "./observe.js";
import { recordsBefore } from "./redeploy-records.js";
import type { RedeployInputs, RedeployOptions, RedeployState } from "./redeploy-types.js";

type Observed = { facts: Record<string, string>; state: RedeployState };

export async function observeRedeploy(
  reader: Reader,
  ctx: EngineContext,
  inputs: RedeployInputs,
  options: RedeployOptions,
): Promise<Observed> {
  const { conn } = ctx;
  const { records, profile, config, oldVault } = inputs;
  const allowEoa = options.allowEoa === true;
  requireRecordsChain(records, Number((await reader.provider.getNetwork()).chainId), conn.networkName);
  await checkRedeployInputs(reader, inputs.admin, allowEoa, config.redeploy.liquidationManager);
  await checkRoleHolders(reader, "cutover.redeploy.roles", config.redeploy.roles ?? {}, { allowEoa });
  const system = await observeLegacySystem(
    reader,
    oldVault,
    recordsBefore(records, oldVault),
    await deploymentBlock(inputs.root, conn.networkName, "CoreVault", oldVault),
    profile,
    { collateral: inputs.collateral, liquidationManager: config.redeploy.liquidationManager },
  );
  const replacement = profile.factory.replacement;
  // The replacement of an immutable factory is deployed from the project's own artifact, never a bundled mock.
  if (system.factory && !system.factory.updatable && replacement)
    await inputs.catalog.projectArtifact(replacement.artifact, "cutover.protocol.factory.replacement.artifact");
  const senders = await existingSenders(reader, system, profile, ctx);
  const state: RedeployState = {
    system,
    records,
    senders,
    fleet: [],
    vaultBatches: profile.vault.batching === "multicall",
    profile,
    split: inputs.selection && splitOf(system, records, inputs.selection, options.pauseOld),
  };
  const facts = {
    ...legacyFacts(system),
    ...Object.fromEntries(Object.entries(senders).map(([key, account]) => [`authority.${key}`, account.toLowerCase()])),
  };
  return options.rewire ? observeRewireFleet(reader, ctx, { facts, state }) : { facts, state };
}

/** Who sends the admin steps on the old vault, the factory and the hub: the authority holding the power, else the signer. */
async function existingSenders(
  reader: Reader,
  system: LegacySystem,
  profile: Profile,
  { authority }: EngineContext,
): Promise<Record<string, string>> {
  const hasRole = profile.vault.roles.hasRole;
  const singleAdmin = await singleAdminFactory(reader, system, profile);
  const existing = [
    { key: "oldVault", address: system.vault, contract: hasRole },
    ...(system.factory?.updatable && !singleAdmin
      ? [{ key: "factory", address: system.factory.address, contract: hasRole }]
      : []),
    ...(system.hub ? [{ key: "hub", address: system.hub.address, contract: hasRole }] : []),
  ];
  return {
    ...(await adminSenders(reader, existing, authority)),
    ...(singleAdmin ? await simulatedSenders(reader, [singleAdmin], authority) : {}),
  };
}

/** --rewire: the OrderBooks that move, and the CREATE2 factory their init contract is deployed through. */
async function observeRewireFleet(
  reader: Reader,
  { conn }: EngineContext,
  { facts, state }: Observed,
): Promise<Observed> {
  const symbols = new Map((state.records?.markets ?? []).map((m) => [m.orderBook.toLowerCase(), m.symbol]));
  const books = movingSystem(state.system, state.split).orderBooks;
  state.fleet = await observeFleet(
    reader,
    books.map((address) => ({ address, symbol: symbols.get(address.toLowerCase()) })),
    state.profile,
  );
  state.create2Factory = await findCreate2Factory(conn, reader.block);
  return {
    facts: { ...facts, ...fleetFacts(state.fleet), create2Factory: state.create2Factory?.toLowerCase() ?? "" },
    state,
  };
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
