// The state a finished cutover must leave on chain, derived from what the cutover itself recorded: the records'
// `superseded` entry (old vault -> new vault) and the stored plans of the runs that built the new vault (the redeploy,
// then any rewire / OrderBook redeploy / role regrant aimed at it), with the addresses their journals saw deployed.
// Replaying the plans' calls on the new vault gives the role graph, registry and market mapping it must hold.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { getAddress, getCreate2Address, isAddress, keccak256 } from "ethers";
import { CutoverInputError } from "../errors.js";
import { Addresses } from "../engine/apply.js";
import { linkBytecode } from "../engine/create2.js";
import type { ContractCatalog } from "../engine/contracts.js";
import { RunStore } from "../engine/journal.js";
import type { Plan, Value } from "../engine/types.js";
import { roleName, VAULT_ROLES, type VaultRole } from "../corevault/observe.js";
import { networkDir, type SystemRecord } from "../records/records.js";
import { exists } from "../util/fs.js";

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
  roles: Record<VaultRole, string[]>;
  registered: string[];
  markets: DesiredMarket[];
  pointers: DesiredPointer[];
  /** Facets an OrderBook may run: the factory template's (recorded) and those the cutover deployed, with their artifact. */
  knownFacets: { address: string; name: string }[];
  deployed: DeployedContract[];
  /** What the records say now, and every address a cutover on this network replaced (must appear in no app file). */
  currentContracts: Record<string, string>;
  staleAddresses: { key: string; address: string }[];
  /** Every role change a plan makes on the new vault (the constructor's grant included): "grant|revoke:<ROLE>:<account>". */
  roleChanges: string[];
  /** The last block in which a run's transaction landed: "after the cutover" means after this block. */
  completedAtBlock: number;
  /** The runs, oldest first, and whether each finished. */
  runs: { runKey: string; planId: string; complete: boolean }[];
  /** Steps of the plans whose references could not be resolved (a plan that never finished). */
  unresolved: string[];
}

interface SupersededEntry {
  runId: string;
  replacedBy: string;
  at: string;
  [key: string]: string;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The redeploy to verify: --old-vault's, else the one that produced the records' current CORE_VAULT. */
export function cutoverEntry(records: SystemRecord, oldVault: string | undefined): { oldVault: string; newVault: string; runId: string } {
  const entries = ((records.superseded as SupersededEntry[] | undefined) ?? []).filter((e) => typeof e.CORE_VAULT === "string" && e.CORE_VAULT !== "");
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

function loadRun(root: string, network: string, runKey: string): StoredRun | undefined {
  const store = new RunStore(root, network, runKey);
  const plan = store.loadPlan();
  if (!plan) return undefined;
  const started = store.journal.entries().find((e) => e.type === "plan");
  return { plan, file: store.planFile, store, startedAt: started && "at" in started ? started.at : "" };
}

/** The redeploy's run, then every run aimed at the new vault (rewires, OrderBook redeploys, role regrants), oldest first. */
export async function cutoverRuns(root: string, network: string, oldVault: string, newVault: string): Promise<StoredRun[]> {
  const redeploy = loadRun(root, network, `corevault-redeploy-${oldVault.toLowerCase()}`);
  if (!redeploy) {
    throw new CutoverInputError(
      "--old-vault",
      oldVault,
      `no stored plan for its redeploy (deployments/${network}/.cutover/corevault-redeploy-${oldVault.toLowerCase()}/plan.json): the desired state comes from that plan; verify on the machine that ran corevault:redeploy, or copy its deployments/ folder here`,
    );
  }
  const dir = path.join(networkDir(root, network), ".cutover");
  const vault = newVault.toLowerCase();
  const later: StoredRun[] = [];
  for (const entry of (await exists(dir)) ? await readdir(dir, { withFileTypes: true }) : []) {
    if (!entry.isDirectory()) continue;
    const aimed = entry.name.endsWith(`-${vault}`) || entry.name.startsWith(`corevault-regrant-roles-${vault}`);
    if (!aimed || entry.name === redeploy.store.runKey) continue;
    const run = loadRun(root, network, entry.name);
    if (run) later.push(run);
  }
  later.sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
  return [redeploy, ...later];
}

/** Addresses of what a run deployed: the plan's known ones, its journal's receipts, and CREATE2 addresses. */
async function runAddresses(run: StoredRun, base: Record<string, string>, catalog: ContractCatalog): Promise<Addresses> {
  const known: Record<string, string> = { ...run.plan.known, ...base };
  const records = new Map(run.plan.steps.flatMap((s) => (s.kind === "deploy" ? [[s.id, s.record] as const] : [])));
  for (const entry of run.store.journal.entries()) {
    if (entry.type === "receipt" && entry.status === 1 && entry.contractAddress && records.has(entry.stepId)) known[records.get(entry.stepId)!] ??= getAddress(entry.contractAddress);
  }
  const addresses = new Addresses(known, catalog);
  for (const step of run.plan.steps) {
    // CREATE2 deployments through a factory: the address follows from the factory, the salt and the init code.
    if (step.kind !== "deploy" || !step.create2 || known[step.record] || !addresses.has(step.create2.factory) || step.args.length > 0) continue;
    const artifact = await catalog.artifact(step.contract);
    known[step.record] = getCreate2Address(addresses.resolve(step.create2.factory) as string, step.create2.salt, keccak256(linkBytecode(artifact, step.libraries)));
  }
  return addresses;
}

/** Facet records the system's deployment wrote (deployments/<network>/<Name>Facet.json): the template's facets. */
async function recordedFacets(root: string, network: string): Promise<{ address: string; name: string }[]> {
  const dir = networkDir(root, network);
  if (!(await exists(dir))) return [];
  const { readFile } = await import("node:fs/promises");
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

export async function desiredState(root: string, records: SystemRecord, catalog: ContractCatalog, options: { oldVault?: string } = {}): Promise<DesiredState> {
  const { oldVault, newVault, runId } = cutoverEntry(records, options.oldVault);
  const runs = await cutoverRuns(root, records.network, oldVault, newVault);
  const roles = new Map<VaultRole, Map<string, string>>(VAULT_ROLES.map((r) => [r, new Map()]));
  const registered = new Map<string, string>();
  const mapping = new Map<string, string>();
  const pointers = new Map<string, DesiredPointer>();
  const facets = new Map((await recordedFacets(root, records.network)).map((f) => [f.address.toLowerCase(), f]));
  const deployed: DeployedContract[] = [];
  const unresolved: string[] = [];
  const roleChanges = new Set<string>();
  const change = (kind: "grant" | "revoke", role: string, account: string) => roleChanges.add(`${kind}:${role}:${account.toLowerCase()}`);
  const state = { deployer: "", collateral: "", libraries: {} as Record<string, string>, liquidationManager: "", mmrParams: [] as string[], pauseOld: false };

  for (const run of runs) {
    const addresses = await runAddresses(run, { CoreVault: newVault }, catalog);
    const resolve = (value: Value): string | undefined => {
      try {
        const resolved = addresses.resolve(value);
        return typeof resolved === "string" && isAddress(resolved) ? getAddress(resolved) : (resolved as string);
      } catch {
        return undefined;
      }
    };
    for (const step of run.plan.steps) {
      if (step.kind === "deploy") {
        const address = addresses.deployed[step.record];
        if (!address) {
          unresolved.push(`${run.plan.runKey}: ${step.id} (never deployed)`);
          continue;
        }
        let args: unknown[] = step.args;
        try {
          await addresses.prepare(step.args);
          args = step.args.map((a) => addresses.resolve(a));
        } catch {
          // arguments naming something never deployed: kept as planned
        }
        deployed.push({ record: step.record, contract: step.contract, address: getAddress(address), args, libraries: { ...step.libraries }, runKey: run.plan.runKey });
        if (step.record === "CoreVault" && run === runs[0]) {
          state.deployer = getAddress(step.from);
          state.collateral = resolve(step.args[0]) ?? "";
          state.libraries = { ...step.libraries };
          const admin = resolve(step.args[1]);
          if (admin) roles.get("DEFAULT_ADMIN_ROLE")!.set(admin.toLowerCase(), admin);
          if (admin) change("grant", "DEFAULT_ADMIN_ROLE", admin);
        } else if (step.record === "FuturesMarketFactory") {
          pointers.set("factory", { kind: "factory", address: getAddress(address), contract: step.contract, vault: resolve(step.args[0]) ?? "", deployedByCutover: true });
        } else if (/Facet$/.test(step.contract)) {
          facets.set(address.toLowerCase(), { address: getAddress(address), name: step.contract });
        }
        continue;
      }
      for (const { call } of step.actions) {
        const to = resolve(call.to);
        if (!to) {
          unresolved.push(`${run.plan.runKey}: ${step.id} ${call.fn} (its target was never deployed)`);
          continue;
        }
        if (same(to, oldVault)) {
          if (call.fn === "pause") state.pauseOld = true;
          continue;
        }
        const interpreted = same(to, newVault) || (call.fn === "setVault" && call.contract !== "VaultAdminFacet");
        if (!interpreted) continue;
        const args = call.args.map((a) => resolve(a));
        if (args.some((a) => a === undefined)) {
          unresolved.push(`${run.plan.runKey}: ${step.id} ${call.fn} (a contract it names was never deployed)`);
          continue;
        }
        if (!same(to, newVault)) {
          const kind = call.contract === "CollateralHub" ? "hub" : "factory";
          pointers.set(kind, { kind, address: to, contract: call.contract, vault: args[0]!, deployedByCutover: false });
          continue;
        }
        const [first, second] = args as string[];
        switch (call.fn) {
          case "grantRole":
            roles.get(roleName(first) as VaultRole)?.set(second.toLowerCase(), second);
            change("grant", roleName(first), second);
            break;
          case "revokeRole":
          case "renounceRole":
            roles.get(roleName(first) as VaultRole)?.delete(second.toLowerCase());
            change("revoke", roleName(first), second);
            break;
          case "registerOrderBook":
            registered.set(first.toLowerCase(), first);
            break;
          case "assignMarketToOrderBook":
            mapping.set(first.toLowerCase(), second);
            break;
          case "setLiquidationManager":
            state.liquidationManager = first;
            break;
          case "setMmrParams":
            state.mmrParams = (args as string[]).map(String);
            break;
        }
      }
    }
  }
  const symbols = new Map(records.markets.map((m) => [m.marketId.toLowerCase(), m.symbol]));
  const superseded = ((records.superseded as SupersededEntry[] | undefined) ?? []).flatMap((entry) =>
    Object.entries(entry)
      .filter(([key, value]) => !["runId", "replacedBy", "at"].includes(key) && typeof value === "string" && isAddress(value))
      .map(([key, address]) => ({ key, address: getAddress(address) })),
  );
  const current = new Set(Object.values(records.contracts).map((a) => a.toLowerCase()));
  return {
    network: records.network,
    chainId: records.chainId,
    oldVault,
    newVault,
    planId: runId,
    planFiles: runs.map((r) => r.file),
    deployer: state.deployer,
    collateral: state.collateral,
    libraries: state.libraries,
    liquidationManager: state.liquidationManager,
    mmrParams: state.mmrParams,
    pauseOld: state.pauseOld,
    roles: Object.fromEntries(VAULT_ROLES.map((role) => [role, [...roles.get(role)!.values()].sort()])) as Record<VaultRole, string[]>,
    registered: [...registered.values()],
    markets: [...mapping.entries()].map(([marketId, orderBook]) => ({ marketId, orderBook, symbol: symbols.get(marketId) ?? marketId.slice(0, 10) })),
    pointers: [...pointers.values()],
    knownFacets: [...facets.values()],
    deployed,
    currentContracts: { ...records.contracts },
    staleAddresses: superseded.filter((s) => !current.has(s.address.toLowerCase())),
    roleChanges: [...roleChanges].sort(),
    completedAtBlock: Math.max(0, ...runs.flatMap((r) => r.store.journal.entries().flatMap((e) => (e.type === "receipt" ? [e.blockNumber] : [])))),
    runs: runs.map((r) => ({ runKey: r.plan.runKey, planId: r.plan.id, complete: r.store.isComplete(r.plan.id) })),
    unresolved,
  };
}
