import type { CallAction, CallSpec, CallStep, Plan, Ref, Step, Value } from "../engine/types.js";
import { roleId, VAULT_ROLES, type LegacySystem, type VaultRole } from "./observe.js";
import { runKeys } from "../engine/run-key.js";

export const NEW_VAULT: Ref = { $ref: "CoreVault" };
export const NEW_FACTORY: Ref = { $ref: "FuturesMarketFactory" };
/** Record name -> key in the aggregated deployment record. */
export const AGGREGATE_KEYS: Record<string, string> = { CoreVault: "CORE_VAULT", FuturesMarketFactory: "FUTURES_MARKET_FACTORY" };

export interface RedeployInputs {
  system: LegacySystem;
  facts: Record<string, string>;
  network: string;
  /** The account that deploys and configures the new vault (so it is its first admin) and hands it over. */
  signer: string;
  /**
   * Who holds DEFAULT_ADMIN_ROLE on the existing contracts the plan calls (the signer, or the Safe / timelock given):
   * the sender of pausing the old vault and of repointing the factory and the hub. Default: the signer.
   */
  authorities?: { oldVault?: string; factory?: string; hub?: string };
  /** Final DEFAULT_ADMIN_ROLE holders of the new vault. */
  admins: string[];
  pauseOld: boolean;
  collateral: string;
  libraries: { VaultAnalytics: string; PositionManager: string };
  liquidationManager: string;
  mmrParams: [string, string, string, string];
  /** Role holders that replace the observed ones, by role. */
  roleOverrides: Partial<Record<VaultRole, string[]>>;
  batchSize: number;
  known: Record<string, string>;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function vaultCall(fn: string, args: Value[]): CallSpec {
  return { to: NEW_VAULT, contract: "CoreVault", fn, args };
}

function hasRoleCheck(role: VaultRole, account: Value, expected: boolean) {
  return { read: vaultCall("hasRole", [roleId(role), account]), equals: expected };
}

function grant(role: VaultRole, account: Value): CallAction {
  return { call: vaultCall("grantRole", [roleId(role), account]), done: [hasRoleCheck(role, account, true)] };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function handoffLabel(adminGrants: number, temporaryFactoryRole: boolean, keepsAdmin: boolean): string {
  const renounced = [...(temporaryFactoryRole ? ["FACTORY_ROLE"] : []), ...(keepsAdmin ? [] : ["DEFAULT_ADMIN_ROLE"])];
  const parts = [...(adminGrants > 0 ? ["grant DEFAULT_ADMIN_ROLE to the admin"] : []), ...(renounced.length > 0 ? [`renounce the signer's ${renounced.join(" and ")}`] : [])];
  return parts.join(", then ");
}

/**
 * The runbook's redeploy as a plan: the same wiring as the old vault, pointed at a new one. Pure: everything it needs
 * was observed before.
 */
export function planRedeploy(inputs: RedeployInputs): Omit<Plan, "id"> {
  const { system, signer } = inputs;
  const from = signer;
  const steps: Step[] = [];
  const notes: string[] = [];
  const immutableFactory = system.factory !== undefined && !system.factory.updatable;

  if (inputs.pauseOld) {
    steps.push({
      id: "pause-old-vault",
      kind: "call",
      label: "pause the old vault",
      from: inputs.authorities?.oldVault ?? from,
      dependsOn: [],
      writes: ["oldVault.paused"],
      actions: [{ call: { to: system.vault, contract: "CoreVault", fn: "pause", args: [] }, done: [{ read: { to: system.vault, contract: "CoreVault", fn: "paused", args: [] }, equals: true }] }],
    });
  }
  steps.push({
    id: "deploy:CoreVault",
    kind: "deploy",
    label: "deploy the new CoreVault, linking the existing libraries",
    from,
    dependsOn: [],
    writes: [],
    record: "CoreVault",
    contract: "CoreVault",
    args: [inputs.collateral, signer],
    libraries: { ...inputs.libraries },
  });
  const vaultDeployed = ["deploy:CoreVault"];
  const configured: string[] = [];
  const configure = (id: string, label: string, action: CallAction) => {
    steps.push({ id, kind: "call", label, from, dependsOn: vaultDeployed, writes: [], actions: [action] });
    configured.push(id);
  };
  configure("configure:liquidation-manager", "set the liquidation manager", {
    call: vaultCall("setLiquidationManager", [inputs.liquidationManager]),
    done: [{ read: vaultCall("liquidationManager", []), equals: inputs.liquidationManager }],
  });
  configure("configure:mmr-params", "set the MMR params", {
    call: vaultCall("setMmrParams", [...inputs.mmrParams]),
    done: [{ read: vaultCall("mmrParams", []), equals: [...inputs.mmrParams] }],
  });

  const factoryDeps = [...vaultDeployed];
  if (immutableFactory) {
    steps.push({
      id: "deploy:FuturesMarketFactory",
      kind: "deploy",
      label: "deploy a new factory targeting the new vault (the old one's vault is immutable)",
      from,
      dependsOn: vaultDeployed,
      writes: [],
      record: "FuturesMarketFactory",
      contract: "FuturesMarketFactoryImmutable",
      args: [NEW_VAULT, inputs.admins[0], system.factory!.orderBookInit, system.factory!.facetTemplate.map((cut) => ({ ...cut, functionSelectors: [...cut.functionSelectors] }))],
      libraries: {},
    });
    factoryDeps.push("deploy:FuturesMarketFactory");
    notes.push(`The factory ${system.factory!.address} cannot be repointed: future markets must be created through the new factory <new FuturesMarketFactory>.`);
  }

  const holders = (role: VaultRole): Value[] => {
    const override = inputs.roleOverrides[role];
    if (override) return override;
    const observed: Value[] = system.roles[role].holders.filter((h) => !(immutableFactory && same(h, system.factory!.address)));
    if (immutableFactory && (role === "FACTORY_ROLE" || role === "SETTLEMENT_ROLE")) observed.push(NEW_FACTORY);
    return observed;
  };
  const orderBookHolders = holders("ORDERBOOK_ROLE");
  const factoryHolders = holders("FACTORY_ROLE");
  // ORDERBOOK_ROLE is administered by FACTORY_ROLE: the signer needs FACTORY_ROLE for as long as it grants it.
  const temporaryFactoryRole = orderBookHolders.length > 0 && !factoryHolders.some((h) => typeof h === "string" && same(h, signer));
  const grants: CallAction[] = [];
  for (const role of ["FACTORY_ROLE", "SETTLEMENT_ROLE", "EXTERNAL_CREDITOR_ROLE"] as const) for (const holder of holders(role)) grants.push(grant(role, holder));
  const grantSteps: string[] = [];
  chunks(grants, inputs.batchSize).forEach((batch, i, all) => {
    const id = all.length === 1 ? "grant:roles" : `grant:roles:${i + 1}`;
    steps.push({ id, kind: "call", label: `grant FACTORY / SETTLEMENT / EXTERNAL_CREDITOR roles${all.length > 1 ? ` (${i + 1}/${all.length})` : ""}`, from, dependsOn: factoryDeps, writes: [], actions: batch });
    grantSteps.push(id);
  });

  if (temporaryFactoryRole) {
    steps.push({
      id: "grant:temporary-factory-role",
      kind: "call",
      label: "grant the signer FACTORY_ROLE for as long as it grants ORDERBOOK_ROLE",
      from,
      dependsOn: vaultDeployed,
      writes: [],
      temporary: true,
      actions: [grant("FACTORY_ROLE", signer)],
    });
  }
  const marketActions: CallAction[] = [];
  const booksGranted = new Set<string>();
  for (const orderBook of system.orderBooks) {
    marketActions.push({
      call: vaultCall("registerOrderBook", [orderBook]),
      done: [{ read: vaultCall("isRegisteredOrderBook", [orderBook]), equals: true }],
    });
    for (const market of system.markets.filter((m) => same(m.orderBook, orderBook))) {
      marketActions.push({
        call: vaultCall("assignMarketToOrderBook", [market.marketId, orderBook]),
        done: [{ read: vaultCall("marketToOrderBook", [market.marketId]), equals: orderBook }],
      });
    }
    if (orderBookHolders.some((h) => typeof h === "string" && same(h, orderBook))) {
      marketActions.push(grant("ORDERBOOK_ROLE", orderBook));
      booksGranted.add(orderBook.toLowerCase());
    }
  }
  for (const holder of orderBookHolders) if (typeof holder !== "string" || !booksGranted.has(holder.toLowerCase())) marketActions.push(grant("ORDERBOOK_ROLE", holder));
  const marketSteps: string[] = [];
  chunks(marketActions, inputs.batchSize).forEach((batch, i, all) => {
    const id = `markets:${i + 1}`;
    steps.push({ id, kind: "call", label: `register OrderBooks, assign markets, grant ORDERBOOK_ROLE (${i + 1}/${all.length})`, from, dependsOn: temporaryFactoryRole ? [...vaultDeployed, "grant:temporary-factory-role"] : vaultDeployed, writes: [], actions: batch });
    marketSteps.push(id);
  });

  // An existing contract's vault pointer, moved to the new vault by the account that administers it.
  const repoint = (id: string, label: string, contract: string, target: string, authority: string | undefined, fact: string): Step => ({
    id,
    kind: "call",
    label,
    from: authority ?? from,
    dependsOn: vaultDeployed,
    writes: [fact],
    actions: [{ call: { to: target, contract, fn: "setVault", args: [NEW_VAULT] }, done: [{ read: { to: target, contract, fn: "vault", args: [] }, equals: NEW_VAULT }] }],
  });
  if (system.factory?.updatable) {
    steps.push(repoint("align:factory", "point the factory at the new vault", "FuturesMarketFactory", system.factory.address, inputs.authorities?.factory, "factory.vault"));
  }
  if (system.hub) {
    steps.push(repoint("repoint:hub", "point the CollateralHub at the new vault", "CollateralHub", system.hub.address, inputs.authorities?.hub, "hub.vault"));
  }

  const handoff: CallAction[] = inputs.admins.filter((a) => !same(a, signer)).map((admin) => grant("DEFAULT_ADMIN_ROLE", admin));
  if (temporaryFactoryRole) {
    handoff.push({ call: vaultCall("renounceRole", [roleId("FACTORY_ROLE"), signer]), done: [hasRoleCheck("FACTORY_ROLE", signer, false)] });
  }
  const keepsAdmin = inputs.admins.some((a) => same(a, signer));
  if (!keepsAdmin) {
    handoff.push({ call: vaultCall("renounceRole", [roleId("DEFAULT_ADMIN_ROLE"), signer]), done: [hasRoleCheck("DEFAULT_ADMIN_ROLE", signer, false)] });
  }
  if (handoff.length > 0) {
    const handoffStep: CallStep = {
      id: "handoff:admin",
      kind: "call",
      label: handoffLabel(handoff.length - (temporaryFactoryRole ? 1 : 0) - (keepsAdmin ? 0 : 1), temporaryFactoryRole, keepsAdmin),
      from,
      dependsOn: [...configured, ...grantSteps, ...marketSteps],
      writes: [],
      actions: handoff,
    };
    steps.push(handoffStep);
  }

  return {
    task: "corevault:redeploy",
    runKey: runKeys.corevaultRedeploy(system.vault),
    network: inputs.network,
    chainId: system.chainId,
    observedBlock: system.block,
    facts: inputs.facts,
    known: inputs.known,
    steps,
    notes,
    labels: Object.fromEntries(VAULT_ROLES.map((role) => [roleId(role).toLowerCase(), role])),
  };
}
