// The state a finished cutover must leave on chain, derived from what the cutover itself recorded: the records'
// `superseded` entry (old vault -> new vault) and the stored plans of the runs that built the new vault (the redeploy,
// then any rewire / OrderBook redeploy / role regrant aimed at it), with the addresses their journals saw deployed.
// Replaying the plans' calls on the new vault gives the role graph, registry and market mapping it must hold.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { getAddress, getCreate2Address, isAddress, keccak256 } from "ethers";
import { CutoverInputError } from "../errors.js";
import { Addresses } from "../engine/apply.js";
import { linkBytecode } from "../engine/create2.js";
import { contractLabel, type ContractCatalog } from "../engine/contracts.js";
import { parseRunKey, runAimsAt, runKeys } from "../engine/run-key.js";
import { RunStore } from "../engine/run-store.js";
import type { CallSpec, DeployStep, Plan, Step, Value } from "../engine/types.js";
import { roleName, VAULT_ROLES, type VaultRole } from "../corevault/observe.js";
import { LIBRARY_RECORD_KEYS } from "../corevault/plan-redeploy.js";
import { appAddresses } from "../records/app-config.js";
import { networkDir, type SystemRecord } from "../records/records.js";
import { exists } from "../util/fs.js";
import { REFERENCE } from "../profile/builtins.js";
import { fnName } from "../profile/interpret.js";
import type { Profile } from "../profile/schema.js";
import { combinedSplit, type MarketSplit } from "../orderbook/market-split.js";

export interface DesiredMarket {
  marketId: string;
  symbol: string;
  orderBook: string;
}

/** A contract that must point at the new vault: the factory (repointed, or the new one deployed for it) and the hub. */
export interface DesiredPointer {
  kind: "factory" | "hub";
  address: string;
  contract: string;
  vault: string;
  /** Deployed by the cutover (a new factory for an immutable one), rather than repointed. */
  deployedByCutover: boolean;
}

/** A contract a cutover plan deployed, as needed to check its bytecode and verify its source. */
export interface DeployedContract {
  record: string;
  contract: string;
  address: string;
  args: unknown[];
  libraries: Record<string, string>;
  runKey: string;
}

export interface DesiredState {
  network: string;
  chainId: number;
  oldVault: string;
  newVault: string;
  /** The redeploy's plan id (the records' runId) and the plan files the state was derived from, in order. */
  planId: string;
  planFiles: string[];
  /** The account that deployed the new vault: it must hold no admin role once the cutover is done. */
  deployer: string;
  collateral: string;
  libraries: Record<string, string>;
  liquidationManager: string;
  mmrParams: string[];
  pauseOld: boolean;
  /** OrderBooks whose ORDERBOOK_ROLE a plan revoked on the old vault (--halt-old): trading there must stay stopped. */
  haltedOnOld: string[];
  roles: Record<VaultRole, string[]>;
  registered: string[];
  markets: DesiredMarket[];
  pointers: DesiredPointer[];
  /** Facets an OrderBook may run: the factory template's (recorded) and those the cutover deployed, with their artifact. */
  knownFacets: { address: string; name: string }[];
  deployed: DeployedContract[];
  /** What the records say now, and every address a cutover on this network replaced (must appear in no app file). */
  currentContracts: Record<string, string>;
  /** The records' entry for each library the profile links, by its artifact name (VAULT_ANALYTICS, POSITION_MANAGER). */
  libraryRecords: Record<string, { key: string; address?: string }>;
  staleAddresses: { key: string; address: string }[];
  /** Every role change a plan makes on the new vault (the constructor's grant included): "grant|revoke:<ROLE>:<account>". */
  roleChanges: string[];
  /** The last block in which a run's transaction landed: "after the cutover" means after this block. */
  completedAtBlock: number;
  /** The runs, oldest first, and whether each finished. */
  runs: { runKey: string; planId: string; complete: boolean }[];
  /** Steps of the plans whose references could not be resolved (a plan that never finished). */
  unresolved: string[];
  /** Dual-vault period: the markets the runs moved and those meant to stay on the old vault (absent: all moved). */
  split?: MarketSplit;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The redeploy to verify: --old-vault's, else the one that produced the records' current CORE_VAULT. */
export function cutoverEntry(
  records: SystemRecord,
  oldVault: string | undefined,
): { oldVault: string; newVault: string; runId: string } {
  const entries = (records.superseded ?? []).flatMap((e) =>
    typeof e.CORE_VAULT === "string" && e.CORE_VAULT !== "" ? [{ ...e, CORE_VAULT: e.CORE_VAULT }] : [],
  );
  const entry = oldVault
    ? [...entries].reverse().find((e) => same(e.CORE_VAULT, oldVault))
    : ([...entries].reverse().find((e) => same(e.replacedBy, records.contracts.CORE_VAULT ?? "")) ?? entries.at(-1));
  if (!entry) {
    throw new CutoverInputError(
      "--old-vault",
      oldVault ?? "",
      oldVault
        ? `deployments/${records.network}-deployment.json records no cutover of that vault under "superseded"; pass the CoreVault a corevault:redeploy replaced`
        : `deployments/${records.network}-deployment.json records no cutover yet (no CORE_VAULT under "superseded"); run corevault:redeploy first`,
    );
  }
  return { oldVault: getAddress(entry.CORE_VAULT), newVault: getAddress(entry.replacedBy), runId: entry.runId };
}

interface StoredRun {
  plan: Plan;
  file: string;
  store: RunStore;
  startedAt: string;
}

function loadRun(store: RunStore): StoredRun | undefined {
  const plan = store.loadPlan();
  return plan && { plan, file: store.planFile, store, startedAt: store.startedAt() };
}

/** The redeploy's run, then every run aimed at the new vault (rewires, OrderBook redeploys, role regrants), oldest first. */
export async function cutoverRuns(
  root: string,
  network: string,
  oldVault: string,
  newVault: string,
): Promise<StoredRun[]> {
  const redeployKey = runKeys.corevaultRedeploy(oldVault);
  const redeploy = loadRun(new RunStore(root, network, redeployKey));
  if (!redeploy) {
    throw new CutoverInputError(
      "--old-vault",
      oldVault,
      `no stored plan for its redeploy (deployments/${network}/.cutover/${redeployKey}/plan.json): the desired state comes from that plan; verify on the machine that ran corevault:redeploy, or copy its deployments/ folder here`,
    );
  }
  const later = RunStore.list(root, network)
    .filter(
      (store) =>
        store.runKey !== redeployKey &&
        (runAimsAt(store.runKey, newVault) ||
          store.runKey === runKeys.resumeOld(oldVault) ||
          handsOver(store.runKey, newVault)),
    )
    .flatMap((store) => loadRun(store) ?? []);
  later.sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
  return [redeploy, ...later];
}

/** A cutover:transfer-ownership of the system whose vault is `vault`: its grants and renounces change the vault's roles. */
function handsOver(key: string, vault: string): boolean {
  const parsed = parseRunKey(key);
  return parsed?.kind === "transfer-ownership" && parsed.subject === vault.toLowerCase();
}

/** Addresses of what a run deployed: the plan's known ones, its journal's confirmed receipts, and CREATE2 addresses. */
async function runAddresses(
  run: StoredRun,
  base: Record<string, string>,
  catalog: ContractCatalog,
): Promise<Addresses> {
  const known: Record<string, string> = { ...run.plan.known, ...base };
  for (const [record, address] of Object.entries(run.store.deployedAddresses(run.plan)))
    known[record] ??= getAddress(address);
  const addresses = new Addresses(known, catalog);
  for (const step of run.plan.steps) {
    // CREATE2 deployments through a factory: the address follows from the factory, the salt and the init code.
    if (
      step.kind !== "deploy" ||
      !step.create2 ||
      known[step.record] ||
      !addresses.has(step.create2.factory) ||
      step.args.length > 0
    )
      continue;
    const artifact = await catalog.artifact(step.contract);
    known[step.record] = getCreate2Address(
      addresses.resolve(step.create2.factory) as string,
      step.create2.salt,
      keccak256(linkBytecode(artifact, step.libraries)),
    );
  }
  return addresses;
}

/** Facet records the system's deployment wrote (deployments/<network>/<Name>Facet.json): the template's facets. */
async function recordedFacets(root: string, network: string): Promise<{ address: string; name: string }[]> {
  const dir = networkDir(root, network);
  if (!(await exists(dir))) return [];
  const out: { address: string; name: string }[] = [];
  for (const file of await readdir(dir)) {
    if (!/Facet\.json$/.test(file)) continue;
    try {
      const { address } = JSON.parse(await readFile(path.join(dir, file), "utf8")) as { address?: string };
      if (address && isAddress(address)) out.push({ address: getAddress(address), name: file.replace(/\.json$/, "") });
    } catch {
      // not a deployment record
    }
  }
  return out;
}

/** An address (checksummed) or other value a plan value resolves to; undefined when it names something never deployed. */
function resolver(addresses: Addresses): (value: Value) => string | undefined {
  return (value) => {
    try {
      const resolved = addresses.resolve(value);
      return typeof resolved === "string" && isAddress(resolved) ? getAddress(resolved) : (resolved as string);
    } catch {
      return undefined;
    }
  };
}

/**
 * The state the runs' steps leave, replayed in order: the new vault's role graph, registry, market mapping and
 * configuration, the pointers repointed at it, and what was deployed. Calls to other contracts are not interpreted
 * (except the old vault's pause and the factory / hub `setVault`).
 */
class Replay {
  readonly roles = new Map<VaultRole, Map<string, string>>(VAULT_ROLES.map((r) => [r, new Map()]));
  readonly registered = new Map<string, string>();
  readonly mapping = new Map<string, string>();
  readonly pointers = new Map<string, DesiredPointer>();
  readonly deployed: DeployedContract[] = [];
  readonly unresolved: string[] = [];
  readonly roleChanges = new Set<string>();
  readonly vault = {
    deployer: "",
    collateral: "",
    libraries: {} as Record<string, string>,
    liquidationManager: "",
    mmrParams: [] as string[],
    pauseOld: false,
    haltedOnOld: [] as string[],
  };

  constructor(
    readonly oldVault: string,
    readonly newVault: string,
    readonly facets: Map<string, { address: string; name: string }>,
    readonly profile: Profile,
  ) {}

  /** `first`: the redeploy's own run, whose CoreVault deployment is the new vault. */
  async run(run: StoredRun, addresses: Addresses, first: boolean): Promise<void> {
    const resolve = resolver(addresses);
    for (const step of run.plan.steps) {
      if (step.kind === "deploy") await this.deploy(run, step, addresses, resolve, first);
      else if (step.kind === "call") for (const { call } of step.actions) this.call(run, step, call, resolve);
    }
  }

  private async deploy(
    run: StoredRun,
    step: DeployStep,
    addresses: Addresses,
    resolve: (value: Value) => string | undefined,
    first: boolean,
  ): Promise<void> {
    const address = addresses.deployed[step.record];
    if (!address) {
      this.unresolved.push(`${run.plan.runKey}: ${step.id} (never deployed)`);
      return;
    }
    let args: unknown[] = step.args;
    try {
      await addresses.prepare(step.args);
      args = step.args.map((a) => addresses.resolve(a));
    } catch {
      // arguments naming something never deployed: kept as planned
    }
    this.deployed.push({
      record: step.record,
      contract: step.contract,
      address: getAddress(address),
      args,
      libraries: { ...step.libraries },
      runKey: run.plan.runKey,
    });
    if (step.record === "CoreVault" && first) {
      this.vault.deployer = getAddress(step.from);
      this.vault.collateral = resolve(step.args[0]) ?? "";
      this.vault.libraries = { ...step.libraries };
      const admin = resolve(step.args[1]);
      if (admin) this.roles.get("DEFAULT_ADMIN_ROLE")!.set(admin.toLowerCase(), admin);
      if (admin) this.change("grant", "DEFAULT_ADMIN_ROLE", admin);
    } else if (step.record === "FuturesMarketFactory") {
      this.pointers.set("factory", {
        kind: "factory",
        address: getAddress(address),
        contract: step.contract,
        vault: resolve(step.args[0]) ?? "",
        deployedByCutover: true,
      });
    } else if (/Facet$/.test(step.contract)) {
      this.facets.set(address.toLowerCase(), { address: getAddress(address), name: step.contract });
    }
  }

  private call(run: StoredRun, step: Step, call: CallSpec, resolve: (value: Value) => string | undefined): void {
    const to = resolve(call.to);
    if (!to) {
      this.unresolved.push(`${run.plan.runKey}: ${step.id} ${call.fn} (its target was never deployed)`);
      return;
    }
    if (same(to, this.oldVault)) {
      const { pause, roles } = this.profile.vault;
      if (call.fn === fnName(pause.pause.signature)) this.vault.pauseOld = true;
      if (call.fn === fnName(pause.unpause.signature)) this.vault.pauseOld = false;
      // --halt-old: ORDERBOOK_ROLE revoked from an OrderBook on the old vault; --resume-old: granted back
      const [role, account] = call.args.map((a) => resolve(a));
      if (!account || !role || roleName(role) !== "ORDERBOOK_ROLE") return;
      const halted = this.vault.haltedOnOld;
      if (call.fn === fnName(roles.revoke.signature)) halted.push(getAddress(account));
      if (call.fn === fnName(roles.grant.signature)) this.vault.haltedOnOld = halted.filter((b) => !same(b, account));
      return;
    }
    // A repoint of the factory or the hub: the profile's setter, labelled with the contract it goes to.
    const label = contractLabel(call.contract);
    // only the profile's vault setters repoint them (a role or admin handover on them does not)
    const setters = [this.profile.factory.vault.write, this.profile.hub.vault.write];
    const pointer =
      (label === "CollateralHub" || label === "FuturesMarketFactory") &&
      setters.some((w) => w !== undefined && fnName(w.signature) === call.fn);
    const interpreted = same(to, this.newVault) || pointer;
    if (!interpreted) return;
    const args = call.args.map((a) => resolve(a));
    if (args.some((a) => a === undefined)) {
      this.unresolved.push(`${run.plan.runKey}: ${step.id} ${call.fn} (a contract it names was never deployed)`);
      return;
    }
    if (!same(to, this.newVault)) {
      const kind = label === "CollateralHub" ? "hub" : "factory";
      this.pointers.set(kind, {
        kind,
        address: to,
        contract: label,
        vault: args[0]!,
        deployedByCutover: false,
      });
      return;
    }
    this.vaultCall(call.fn, args as string[]);
  }

  /** A call on the new vault. */
  /** A call on the new vault, recognised by the profile's function names (the plan was built from them). */
  private vaultCall(fn: string, args: string[]): void {
    const [first, second] = args;
    const v = this.profile.vault;
    const is = (write: { signature: string }) => fn === fnName(write.signature);
    if (is(v.roles.grant)) {
      this.roles.get(roleName(first) as VaultRole)?.set(second.toLowerCase(), second);
      this.change("grant", roleName(first), second);
    } else if (is(v.roles.revoke) || is(v.roles.renounce)) {
      this.roles.get(roleName(first) as VaultRole)?.delete(second.toLowerCase());
      this.change("revoke", roleName(first), second);
    } else if (is(v.orderBooks.register)) this.registered.set(first.toLowerCase(), first);
    else if (v.orderBooks.deregister && is(v.orderBooks.deregister)) this.registered.delete(first.toLowerCase());
    else if (is(v.markets.assign)) this.mapping.set(first.toLowerCase(), second);
    else if (is(v.liquidationManager.write)) this.vault.liquidationManager = first;
    else if (is(v.mmrParams.write)) this.vault.mmrParams = args.map(String);
  }

  private change(kind: "grant" | "revoke", role: string, account: string): void {
    this.roleChanges.add(`${kind}:${role}:${account.toLowerCase()}`);
  }
}

/** Every address a cutover replaced (kept under "superseded") that the records no longer name as current. */
function staleAddresses(records: SystemRecord): { key: string; address: string }[] {
  const superseded = (records.superseded ?? []).flatMap((entry) =>
    Object.entries(entry)
      .filter(
        ([key, value]) => !["runId", "replacedBy", "at"].includes(key) && typeof value === "string" && isAddress(value),
      )
      .map(([key, address]) => ({ key, address: getAddress(address as string) })),
  );
  const current = new Set(Object.values(records.contracts).map((a) => a.toLowerCase()));
  return superseded.filter((s) => !current.has(s.address.toLowerCase()));
}

function splitOf(runs: StoredRun[]): Pick<DesiredState, "split"> {
  const split = combinedSplit(runs.map((r) => r.plan));
  return split ? { split } : {};
}

export async function desiredState(
  root: string,
  records: SystemRecord,
  catalog: ContractCatalog,
  options: { oldVault?: string; profile?: Profile } = {},
): Promise<DesiredState> {
  const { oldVault, newVault, runId } = cutoverEntry(records, options.oldVault);
  const runs = await cutoverRuns(root, records.network, oldVault, newVault);
  const facets = new Map((await recordedFacets(root, records.network)).map((f) => [f.address.toLowerCase(), f]));
  const replay = new Replay(oldVault, newVault, facets, options.profile ?? REFERENCE);
  for (const run of runs)
    await replay.run(run, await runAddresses(run, { CoreVault: newVault }, catalog), run === runs[0]);
  const symbols = new Map(records.markets.map((m) => [m.marketId.toLowerCase(), m.symbol]));
  return {
    network: records.network,
    chainId: records.chainId,
    oldVault,
    newVault,
    planId: runId,
    planFiles: runs.map((r) => r.file),
    ...replay.vault,
    roles: Object.fromEntries(
      VAULT_ROLES.map((role) => [role, [...replay.roles.get(role)!.values()].sort()]),
    ) as Record<VaultRole, string[]>,
    registered: [...replay.registered.values()],
    markets: [...replay.mapping.entries()].map(([marketId, orderBook]) => ({
      marketId,
      orderBook,
      symbol: symbols.get(marketId) ?? marketId.slice(0, 10),
    })),
    pointers: [...replay.pointers.values()],
    knownFacets: [...facets.values()],
    deployed: replay.deployed,
    currentContracts: appAddresses(records.contracts),
    libraryRecords: Object.fromEntries(
      (options.profile ?? REFERENCE).vault.libraries.map((name, i) => {
        const key = LIBRARY_RECORD_KEYS[i] ?? name;
        return [name, { key, address: records.contracts[key] }];
      }),
    ),
    staleAddresses: staleAddresses(records),
    roleChanges: [...replay.roleChanges].sort(),
    completedAtBlock: Math.max(0, ...runs.map((r) => r.store.lastReceiptBlock())),
    runs: runs.map((r) => ({ runKey: r.plan.runKey, planId: r.plan.id, complete: r.store.isComplete(r.plan.id) })),
    unresolved: replay.unresolved,
    ...splitOf(runs),
  };
}
