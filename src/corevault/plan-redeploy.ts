import type { PlanBody } from "../engine/run.js";
import { chunks } from "../util/chunks.js";
import type { CallAction, Ref, Step, Value } from "../engine/types.js";
import { CutoverInputError } from "../errors.js";
import { REFERENCE } from "../profile/builtins.js";
import { mmrChecks, readCheck, viewCall, writeCall } from "../profile/interpret.js";
import type { Profile, ReadSource, WriteSpec } from "../profile/schema.js";
import { haltOldVault, pauseOldVault } from "./plan-old-vault.js";
import { roleId, VAULT_ROLES, type LegacySystem, type VaultRole } from "./system.js";

export const NEW_VAULT: Ref = { $ref: "CoreVault" };
export const NEW_FACTORY: Ref = { $ref: "FuturesMarketFactory" };
/** Record name -> key in the aggregated deployment record. */
export const AGGREGATE_KEYS: Record<string, string> = {
  CoreVault: "CORE_VAULT",
  FuturesMarketFactory: "FUTURES_MARKET_FACTORY",
};

/** The records' keys of the vault's linked libraries, in the profile's order (`cutover.protocol.vault.libraries`). */
export const LIBRARY_RECORD_KEYS = ["VAULT_ANALYTICS", "POSITION_MANAGER"];

export interface RedeployInputs {
  system: LegacySystem;
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
  /** Take ORDERBOOK_ROLE away from every OrderBook on the old vault first (what halts trading where pause does not). */
  haltOld?: boolean;
  collateral: string;
  libraries: { VaultAnalytics: string; PositionManager: string };
  liquidationManager: string;
  /** The values of the profile's MMR setter, in order. */
  mmrParams: string[];
  /** Role holders that replace the observed ones, by role. */
  roleOverrides: Partial<Record<VaultRole, string[]>>;
  batchSize: number;
  /** How the protocol is read and written (default: the reference mock). */
  profile?: Profile;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

const profileOf = (inputs: RedeployInputs): Profile => inputs.profile ?? REFERENCE;

function hasRoleCheck(profile: Profile, role: VaultRole, account: Value, expected: boolean) {
  return { read: viewCall(profile, profile.vault.roles.hasRole, NEW_VAULT, [roleId(role), account]), equals: expected };
}

function grant(profile: Profile, role: VaultRole, account: Value): CallAction {
  return {
    call: writeCall(profile, profile.vault.roles.grant, NEW_VAULT, [roleId(role), account]),
    done: [hasRoleCheck(profile, role, account, true)],
  };
}

function renounce(profile: Profile, role: VaultRole, account: string): CallAction {
  return {
    call: writeCall(profile, profile.vault.roles.renounce, NEW_VAULT, [roleId(role), account]),
    done: [hasRoleCheck(profile, role, account, false)],
  };
}

function handoffLabel(adminGrants: number, temporaryFactoryRole: boolean, keepsAdmin: boolean): string {
  const renounced = [...(temporaryFactoryRole ? ["FACTORY_ROLE"] : []), ...(keepsAdmin ? [] : ["DEFAULT_ADMIN_ROLE"])];
  const parts = [
    ...(adminGrants > 0 ? ["grant DEFAULT_ADMIN_ROLE to the admin"] : []),
    ...(renounced.length > 0 ? [`renounce the signer's ${renounced.join(" and ")}`] : []),
  ];
  return parts.join(", then ");
}

const VAULT_DEPLOYED = ["deploy:CoreVault"];

/** Steps of one phase, and the ids later phases wait for. */
interface Phase {
  steps: Step[];
  ids: string[];
}

const phase = (steps: Step[]): Phase => ({ steps, ids: steps.map((s) => s.id) });

function deployVault(inputs: RedeployInputs): Step {
  const { signer } = inputs;
  return {
    id: "deploy:CoreVault",
    kind: "deploy",
    label: "deploy the new CoreVault, linking the existing libraries",
    from: signer,
    dependsOn: [],
    writes: [],
    record: "CoreVault",
    contract: profileOf(inputs).vault.artifact,
    args: [inputs.collateral, signer],
    // linked under the artifact's own names (the profile lists them in the order VaultAnalytics, PositionManager)
    libraries: Object.fromEntries(
      profileOf(inputs).vault.libraries.map((name, i) => [
        name,
        i === 0 ? inputs.libraries.VaultAnalytics : inputs.libraries.PositionManager,
      ]),
    ),
  };
}

function configureVault(inputs: RedeployInputs): Phase {
  const profile = profileOf(inputs);
  const lm = profile.vault.liquidationManager;
  const configure = (id: string, label: string, action: CallAction): Step => ({
    id,
    kind: "call",
    label,
    from: inputs.signer,
    dependsOn: VAULT_DEPLOYED,
    writes: [],
    actions: [action],
  });
  return phase([
    configure("configure:liquidation-manager", "set the liquidation manager", {
      call: writeCall(profile, lm.write, NEW_VAULT, [inputs.liquidationManager]),
      done: readCheck(profile, lm.read, NEW_VAULT, inputs.liquidationManager),
    }),
    configure("configure:mmr-params", "set the MMR params", {
      call: writeCall(profile, profile.vault.mmrParams.write, NEW_VAULT, [...inputs.mmrParams]),
      done: mmrChecks(profile, NEW_VAULT, inputs.mmrParams),
    }),
  ]);
}

/** An immutable factory cannot follow the vault: a new factory targeting the new vault replaces it (profile `factory.replacement`). */
function deployFactory(inputs: RedeployInputs): Step {
  const factory = inputs.system.factory!;
  const replacement = profileOf(inputs).factory.replacement;
  if (!replacement)
    throw new CutoverInputError(
      "cutover.protocol.factory.replacement",
      "(none)",
      `the factory ${factory.address} cannot be repointed and the profile names no replacement; set cutover.protocol.factory.replacement ({ artifact, args })`,
    );
  const keep: Record<string, Value> = factory.keep ?? {
    orderBookInit: factory.orderBookInit ?? null,
    facetTemplate: (factory.facetTemplate ?? []).map((cut) => ({
      ...cut,
      functionSelectors: [...cut.functionSelectors],
    })),
  };
  const args = replacement.args.map((token): Value => {
    if (token === "$newVault") return NEW_VAULT;
    if (token === "$admin") return inputs.admins[0];
    if (token.startsWith("$keep.")) return keep[token.slice(6)] ?? null;
    return token;
  });
  return {
    id: "deploy:FuturesMarketFactory",
    kind: "deploy",
    label: "deploy a new factory targeting the new vault (the old one's vault is immutable)",
    from: inputs.signer,
    dependsOn: VAULT_DEPLOYED,
    writes: [],
    record: "FuturesMarketFactory",
    contract: replacement.artifact,
    args,
    libraries: {},
  };
}

/** The holders each role gets on the new vault: the overrides, else the old vault's (a replaced factory's moved to the new one). */
function roleHolders(inputs: RedeployInputs, immutableFactory: boolean): (role: VaultRole) => Value[] {
  const { system } = inputs;
  return (role) => {
    const override = inputs.roleOverrides[role];
    if (override) return override;
    // --halt-old empties the old vault's ORDERBOOK_ROLE, so its holders cannot say what the new vault grants once the
    // halt went through (a resume would plan fewer grants): the registered OrderBooks do, before and after.
    if (role === "ORDERBOOK_ROLE" && inputs.haltOld) return [...system.orderBooks];
    const observed: Value[] = system.roles[role].holders.filter(
      (h) => !(immutableFactory && same(h, system.factory!.address)),
    );
    if (immutableFactory && (role === "FACTORY_ROLE" || role === "SETTLEMENT_ROLE")) observed.push(NEW_FACTORY);
    return observed;
  };
}

function grantRoles(inputs: RedeployInputs, holders: (role: VaultRole) => Value[], dependsOn: string[]): Phase {
  const grants: CallAction[] = [];
  for (const role of ["FACTORY_ROLE", "SETTLEMENT_ROLE", "EXTERNAL_CREDITOR_ROLE"] as const)
    for (const holder of holders(role)) grants.push(grant(profileOf(inputs), role, holder));
  return phase(
    chunks(grants, inputs.batchSize).map((batch, i, all) => ({
      id: all.length === 1 ? "grant:roles" : `grant:roles:${i + 1}`,
      kind: "call",
      label: `grant FACTORY / SETTLEMENT / EXTERNAL_CREDITOR roles${all.length > 1 ? ` (${i + 1}/${all.length})` : ""}`,
      from: inputs.signer,
      dependsOn,
      writes: [],
      actions: batch,
    })),
  );
}

function temporaryFactoryRoleStep(profile: Profile, signer: string): Step {
  return {
    id: "grant:temporary-factory-role",
    kind: "call",
    label: "grant the signer FACTORY_ROLE for as long as it grants ORDERBOOK_ROLE",
    from: signer,
    dependsOn: VAULT_DEPLOYED,
    writes: [],
    temporary: true,
    actions: [grant(profile, "FACTORY_ROLE", signer)],
  };
}

/** Every OrderBook registered, its markets assigned and ORDERBOOK_ROLE granted, batched. */
function registerMarkets(inputs: RedeployInputs, orderBookHolders: Value[], temporaryFactoryRole: boolean): Phase {
  const { system } = inputs;
  const profile = profileOf(inputs);
  const { orderBooks: books, markets } = profile.vault;
  const actions: CallAction[] = [];
  const booksGranted = new Set<string>();
  // Indexed by OrderBook (lower case): filtering every market and holder per OrderBook was quadratic in the fleet.
  const marketsOf = new Map<string, typeof system.markets>();
  for (const m of system.markets)
    marketsOf.set(m.orderBook.toLowerCase(), [...(marketsOf.get(m.orderBook.toLowerCase()) ?? []), m]);
  const holders = new Set(orderBookHolders.flatMap((h) => (typeof h === "string" ? [h.toLowerCase()] : [])));
  for (const orderBook of system.orderBooks) {
    actions.push({
      call: writeCall(profile, books.register, NEW_VAULT, [orderBook]),
      done: [{ read: viewCall(profile, books.isRegistered, NEW_VAULT, [orderBook]), equals: true }],
    });
    for (const market of marketsOf.get(orderBook.toLowerCase()) ?? []) {
      actions.push({
        call: writeCall(profile, markets.assign, NEW_VAULT, [market.marketId, orderBook]),
        done: [{ read: viewCall(profile, markets.orderBookOf, NEW_VAULT, [market.marketId]), equals: orderBook }],
      });
    }
    if (holders.has(orderBook.toLowerCase())) {
      actions.push(grant(profile, "ORDERBOOK_ROLE", orderBook));
      booksGranted.add(orderBook.toLowerCase());
    }
  }
  for (const holder of orderBookHolders)
    if (typeof holder !== "string" || !booksGranted.has(holder.toLowerCase()))
      actions.push(grant(profile, "ORDERBOOK_ROLE", holder));
  const dependsOn = temporaryFactoryRole ? [...VAULT_DEPLOYED, "grant:temporary-factory-role"] : VAULT_DEPLOYED;
  return phase(
    chunks(actions, inputs.batchSize).map((batch, i, all) => ({
      id: `markets:${i + 1}`,
      kind: "call",
      label: `register OrderBooks, assign markets, grant ORDERBOOK_ROLE (${i + 1}/${all.length})`,
      from: inputs.signer,
      dependsOn,
      writes: [],
      actions: batch,
    })),
  );
}

/** The factory's (when updatable) and the hub's vault pointers, moved by the account that administers each. */
function repointContracts(inputs: RedeployInputs): Step[] {
  const { system } = inputs;
  const profile = profileOf(inputs);
  const repoint = (
    id: string,
    label: string,
    kind: "FuturesMarketFactory" | "CollateralHub",
    pointer: { write?: WriteSpec; read?: ReadSource | ReadSource[] },
    target: { address: string; keep?: Record<string, Value> },
    authority: string | undefined,
    fact: string,
  ): Step => ({
    id,
    kind: "call",
    label,
    from: authority ?? inputs.signer,
    dependsOn: VAULT_DEPLOYED,
    writes: [fact],
    actions: [
      {
        call: writeCall(profile, pointer.write!, target.address, [NEW_VAULT], { kind, keep: target.keep }),
        done: pointer.read ? readCheck(profile, pointer.read, target.address, NEW_VAULT, kind) : [],
      },
    ],
  });
  const factoryWrite = profile.factory.vault.write;
  if (system.factory?.updatable && !factoryWrite)
    throw new CutoverInputError(
      "cutover.protocol.factory.vault.write",
      "(none)",
      `the factory ${system.factory.address} is updatable but the profile names no setter; set cutover.protocol.factory.vault.write, e.g. { signature: "function updateVault(address)" }`,
    );
  return [
    ...(system.factory?.updatable
      ? [
          repoint(
            "align:factory",
            "point the factory at the new vault",
            "FuturesMarketFactory",
            profile.factory.vault,
            system.factory,
            inputs.authorities?.factory,
            "factory.vault",
          ),
        ]
      : []),
    ...(system.hub
      ? [
          repoint(
            "repoint:hub",
            "point the CollateralHub at the new vault",
            "CollateralHub",
            profile.hub.vault,
            system.hub,
            inputs.authorities?.hub,
            "hub.vault",
          ),
        ]
      : []),
  ];
}

/** The admin handed over last: DEFAULT_ADMIN_ROLE granted to the admins, the signer's own roles renounced. */
function handoffAdmin(inputs: RedeployInputs, temporaryFactoryRole: boolean, dependsOn: string[]): Step[] {
  const { signer } = inputs;
  const profile = profileOf(inputs);
  const handoff: CallAction[] = inputs.admins
    .filter((a) => !same(a, signer))
    .map((admin) => grant(profile, "DEFAULT_ADMIN_ROLE", admin));
  if (temporaryFactoryRole) handoff.push(renounce(profile, "FACTORY_ROLE", signer));
  const keepsAdmin = inputs.admins.some((a) => same(a, signer));
  if (!keepsAdmin) handoff.push(renounce(profile, "DEFAULT_ADMIN_ROLE", signer));
  if (handoff.length === 0) return [];
  const label = handoffLabel(
    handoff.length - (temporaryFactoryRole ? 1 : 0) - (keepsAdmin ? 0 : 1),
    temporaryFactoryRole,
    keepsAdmin,
  );
  if (profile.vault.batching === "multicall")
    return [{ id: "handoff:admin", kind: "call", label, from: signer, dependsOn, writes: [], actions: handoff }];
  // Without multicall, one transaction per call, in order: the admin has its role before the signer renounces its own.
  return handoff.map((action, i) => ({
    id: i === 0 ? "handoff:admin" : `handoff:admin:${i + 1}`,
    kind: "call",
    label: `${label} (${i + 1}/${handoff.length})`,
    from: signer,
    dependsOn: i === 0 ? dependsOn : [i === 1 ? "handoff:admin" : `handoff:admin:${i}`],
    writes: [],
    actions: [action],
  }));
}

/**
 * The runbook's redeploy as a plan: the same wiring as the old vault, pointed at a new one. Pure: everything it needs
 * was observed before.
 */
export function planRedeploy(inputs: RedeployInputs): Required<PlanBody> {
  const { system, signer } = inputs;
  const profile = profileOf(inputs);
  const notes: string[] = [];
  if (inputs.pauseOld && !inputs.haltOld && !profile.vault.pause.haltsTrading)
    notes.push(
      `On the ${profile.name} protocol pausing the vault does NOT halt trading: OrderBooks keep moving margin and positions on the paused old vault (pause covers deposits, withdrawals and top-ups only).`,
    );
  const immutableFactory = system.factory !== undefined && !system.factory.updatable;
  const configured = configureVault(inputs);
  const factory = immutableFactory ? [deployFactory(inputs)] : [];
  if (immutableFactory)
    notes.push(
      `The factory ${system.factory!.address} cannot be repointed: future markets must be created through the new factory <new FuturesMarketFactory>.`,
    );
  const holders = roleHolders(inputs, immutableFactory);
  const orderBookHolders = holders("ORDERBOOK_ROLE");
  // The signer needs FACTORY_ROLE for as long as it grants ORDERBOOK_ROLE where FACTORY_ROLE administers it (the
  // reference mock), or registers OrderBooks where only FACTORY_ROLE may (the profile's `register.role`).
  const needsFactoryRole =
    (orderBookHolders.length > 0 && system.roles.ORDERBOOK_ROLE.admin === "FACTORY_ROLE") ||
    (system.orderBooks.length > 0 &&
      [profile.vault.orderBooks.register.role, profile.vault.markets.assign.role].includes("FACTORY_ROLE"));
  const temporaryFactoryRole =
    needsFactoryRole && !holders("FACTORY_ROLE").some((h) => typeof h === "string" && same(h, signer));
  const grants = grantRoles(inputs, holders, [...VAULT_DEPLOYED, ...factory.map((s) => s.id)]);
  const markets = registerMarkets(inputs, orderBookHolders, temporaryFactoryRole);
  const steps: Step[] = [
    ...(inputs.pauseOld ? [pauseOldVault(system, profile, inputs.authorities?.oldVault ?? signer)] : []),
    ...(inputs.haltOld
      ? haltOldVault(system, profile, { authority: inputs.authorities?.oldVault, signer, batchSize: inputs.batchSize })
      : []),
    deployVault(inputs),
    ...configured.steps,
    ...factory,
    ...grants.steps,
    ...(temporaryFactoryRole ? [temporaryFactoryRoleStep(profile, signer)] : []),
    ...markets.steps,
    ...repointContracts(inputs),
    ...handoffAdmin(inputs, temporaryFactoryRole, [...configured.ids, ...grants.ids, ...markets.ids]),
  ];
  return { steps, notes, labels: Object.fromEntries(VAULT_ROLES.map((role) => [roleId(role).toLowerCase(), role])) };
}
