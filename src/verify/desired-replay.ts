// Replays the runs' steps in order to derive the state they leave: the new vault's role graph, registry, market
// mapping and configuration, the pointers repointed at it, and what was deployed.
import { getAddress, isAddress } from "ethers";
import type { Addresses } from "../engine/apply.js";
import { contractLabel } from "../engine/contracts.js";
import type { CallSpec, DeployStep, Step, Value } from "../engine/types.js";
import { roleName, VAULT_ROLES, type VaultRole } from "../corevault/observe.js";
import { fnName } from "../profile/interpret.js";
import type { Profile } from "../profile/schema.js";
import type { StoredRun } from "./desired-runs.js";

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

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

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
export class Replay {
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
