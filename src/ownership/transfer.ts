/**
 * `cutover:transfer-ownership`: hand everything the deployer administers to a Safe (or timelock) through the engine,
 * and the check that nothing is left behind.
 *
 * - AccessControl contracts (the CoreVault, the factory, the hub): grant DEFAULT_ADMIN_ROLE to the new owner, then the
 *   deployer renounces every role it holds there (grant-then-renounce: the contract is never without an admin).
 * - OrderBook diamonds: ERC-173 `transferOwnership(to)`. Their OwnershipFacet is ONE-step (no pendingOwner /
 *   acceptOwnership), so the new owner must be right the first time: an address without code is refused unless
 *   --allow-eoa.
 */
import { getAddress, ZeroHash, type FunctionFragment } from "ethers";
import type { EngineContext } from "../cli/engine-command.js";
import { checkAuthorityAccount } from "../engine/input-checks.js";
import { simulatePending } from "../engine/preflight.js";
import { senderFor, type Authority } from "../engine/authority.js";
import type { Reader } from "../engine/reader.js";
import type { Planner } from "../engine/run.js";
import type { Step } from "../engine/types.js";
import { requireRecordsChain, type SystemRecord } from "../records/records.js";
import { runKeys } from "../engine/run-key.js";

export interface AccessControlTarget {
  key: string;
  contract: string;
  address: string;
}

export interface DiamondTarget {
  address: string;
  symbol: string;
}

export interface OwnershipState {
  to: string;
  deployer: string;
  accessControl: {
    target: AccessControlTarget;
    roles: Record<string, string>;
    toIsAdmin: boolean;
    deployerRoles: string[];
    admin: string;
  }[];
  diamonds: { target: DiamondTarget; owner: string }[];
}

/** The AccessControl contracts and diamonds of a system, from its records. */
export function ownedTargets(records: SystemRecord): {
  accessControl: AccessControlTarget[];
  diamonds: DiamondTarget[];
} {
  const accessControl: AccessControlTarget[] = [
    { key: "vault", contract: "CoreVault", address: records.contracts.CORE_VAULT },
    { key: "factory", contract: "FuturesMarketFactory", address: records.contracts.FUTURES_MARKET_FACTORY },
    { key: "hub", contract: "CollateralHub", address: records.contracts.COLLATERAL_HUB },
  ].filter((t) => t.address);
  return {
    accessControl,
    diamonds: records.markets.map((m) => ({ address: getAddress(m.orderBook), symbol: m.symbol })),
  };
}

/** Role name -> id of an AccessControl contract: DEFAULT_ADMIN_ROLE and every `*_ROLE()` constant its ABI has. */
async function rolesOf(reader: Reader, target: AccessControlTarget): Promise<Record<string, string>> {
  const iface = await reader.catalog.iface(target.contract);
  const names: string[] = [];
  iface.forEachFunction((f: FunctionFragment) => {
    if (f.name.endsWith("_ROLE") && f.inputs.length === 0 && f.name !== "DEFAULT_ADMIN_ROLE") names.push(f.name);
  });
  const ids = (await Promise.all(
    names.map((fn) => reader.call({ to: target.address, contract: target.contract, fn, args: [] })),
  )) as string[];
  return { DEFAULT_ADMIN_ROLE: ZeroHash, ...Object.fromEntries(names.map((n, i) => [n, ids[i]])) };
}

/** Reads who holds what: the deployer's roles, whether `to` is admin, the diamonds' owners. */
export async function observeOwnership(
  reader: Reader,
  targets: ReturnType<typeof ownedTargets>,
  to: string,
  authority: Authority,
): Promise<OwnershipState> {
  const deployer = authority.signer;
  const accessControl = await Promise.all(
    targets.accessControl.map(async (target) => {
      const roles = await rolesOf(reader, target);
      const has = (role: string, account: string) =>
        reader.call({
          to: target.address,
          contract: target.contract,
          fn: "hasRole",
          args: [role, account],
        }) as Promise<boolean>;
      const held = await Promise.all(Object.values(roles).map((id) => has(id, deployer)));
      const chosenIsAdmin = authority.chosen !== undefined && (await has(ZeroHash, authority.chosen));
      return {
        target,
        roles,
        toIsAdmin: await has(ZeroHash, to),
        deployerRoles: Object.keys(roles).filter((_, i) => held[i]),
        admin: senderFor(authority, () => chosenIsAdmin),
      };
    }),
  );
  const owners = (await Promise.all(
    targets.diamonds.map((d) => reader.call({ to: d.address, contract: "OwnershipFacet", fn: "owner", args: [] })),
  )) as string[];
  return {
    to: getAddress(to),
    deployer: getAddress(deployer),
    accessControl,
    diamonds: targets.diamonds.map((target, i) => ({ target, owner: getAddress(owners[i]) })),
  };
}

export interface OwnershipCheck {
  name: string;
  status: "pass" | "fail";
  evidence: string;
  failures: string[];
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Pure: passes only when `to` administers every contract and owns every diamond, and the deployer holds nothing. */
export function ownershipChecks(state: OwnershipState): OwnershipCheck[] {
  const check = (name: string, evidence: string, failures: string[]): OwnershipCheck => ({
    name,
    status: failures.length === 0 ? "pass" : "fail",
    evidence,
    failures,
  });
  const deployerHolds = [
    ...state.accessControl.flatMap((c) =>
      c.deployerRoles.map(
        (role) =>
          `${c.target.contract} ${c.target.address}: the deployer ${state.deployer} still holds ${role}; renounce it (cutover:transfer-ownership does)`,
      ),
    ),
    ...state.diamonds
      .filter((d) => same(d.owner, state.deployer))
      .map(
        (d) =>
          `OrderBook ${d.target.symbol} ${d.target.address}: the deployer ${state.deployer} still owns it; transferOwnership to ${state.to}`,
      ),
  ];
  return [
    check(
      "admin-handed-over",
      `${state.accessControl.filter((c) => c.toIsAdmin).length}/${state.accessControl.length} AccessControl contracts have ${state.to} as DEFAULT_ADMIN_ROLE`,
      state.accessControl
        .filter((c) => !c.toIsAdmin)
        .map((c) => `${c.target.contract} ${c.target.address}: ${state.to} lacks DEFAULT_ADMIN_ROLE; grant it`),
    ),
    check(
      "diamonds-owned",
      `${state.diamonds.filter((d) => same(d.owner, state.to)).length}/${state.diamonds.length} OrderBook diamonds are owned by ${state.to}`,
      state.diamonds
        .filter((d) => !same(d.owner, state.to))
        .map((d) => `OrderBook ${d.target.symbol} ${d.target.address}: owner is ${d.owner}, expected ${state.to}`),
    ),
    check(
      "deployer-holds-nothing",
      `the deployer ${state.deployer} holds ${deployerHolds.length} role(s) / ownership(s)`,
      deployerHolds,
    ),
  ];
}

function ownershipFacts(state: OwnershipState): Record<string, string> {
  const facts: Record<string, string> = { "ownership.to": state.to.toLowerCase() };
  for (const c of state.accessControl) {
    const key = `accessControl.${c.target.address.toLowerCase()}`;
    facts[`${key}.toIsAdmin`] = String(c.toIsAdmin);
    facts[`${key}.deployerRoles`] = c.deployerRoles.join(",");
    facts[`${key}.admin`] = c.admin.toLowerCase();
  }
  for (const d of state.diamonds) facts[`diamond.${d.target.address.toLowerCase()}.owner`] = d.owner.toLowerCase();
  return facts;
}

/** Pure: grant-then-renounce per AccessControl contract, one transferOwnership per diamond not yet owned by `to`. */
export function planTransfer(state: OwnershipState): { steps: Step[]; notes: string[] } {
  const steps: Step[] = [];
  for (const c of state.accessControl) {
    const { address, contract } = c.target;
    const key = `accessControl.${address.toLowerCase()}`;
    const hasRole = (role: string, account: string, equals: boolean) => ({
      read: { to: address, contract, fn: "hasRole", args: [role, account] },
      equals,
    });
    const grantId = `grant-admin:${address.toLowerCase()}`;
    if (!c.toIsAdmin) {
      steps.push({
        id: grantId,
        kind: "call",
        label: `grant DEFAULT_ADMIN_ROLE on the ${contract} to ${state.to}`,
        from: c.admin,
        dependsOn: [],
        writes: [`${key}.toIsAdmin`],
        actions: [
          {
            call: { to: address, contract, fn: "grantRole", args: [ZeroHash, state.to] },
            done: [hasRole(ZeroHash, state.to, true)],
          },
        ],
      });
    }
    // One step per role: renouncing needs no admin, so only the grant must come first. Not every contract has multicall.
    for (const role of c.deployerRoles) {
      if (same(state.deployer, state.to)) break;
      steps.push({
        id: `renounce:${address.toLowerCase()}:${role}`,
        kind: "call",
        label: `the deployer renounces ${role} on the ${contract}`,
        from: state.deployer,
        dependsOn: c.toIsAdmin ? [] : [grantId],
        writes: [`${key}.deployerRoles`, ...(role === "DEFAULT_ADMIN_ROLE" ? [`${key}.admin`] : [])],
        actions: [
          {
            call: { to: address, contract, fn: "renounceRole", args: [c.roles[role], state.deployer] },
            done: [hasRole(c.roles[role], state.deployer, false)],
          },
        ],
      });
    }
  }
  for (const d of state.diamonds) {
    if (same(d.owner, state.to)) continue;
    steps.push({
      id: `transfer:${d.target.address.toLowerCase()}`,
      kind: "call",
      label: `transfer ownership of OrderBook ${d.target.symbol} to ${state.to}`,
      from: d.owner,
      dependsOn: [],
      writes: [`diamond.${d.target.address.toLowerCase()}.owner`],
      actions: [
        {
          call: { to: d.target.address, contract: "OwnershipFacet", fn: "transferOwnership", args: [state.to] },
          done: [
            { read: { to: d.target.address, contract: "OwnershipFacet", fn: "owner", args: [] }, equals: state.to },
          ],
        },
      ],
    });
  }
  const notes = [
    "The OrderBooks' ERC-173 OwnershipFacet is one-step (no pendingOwner/acceptOwnership): ownership moves when transferOwnership is mined, so the new owner was checked to be a contract.",
    "AccessControl roles: DEFAULT_ADMIN_ROLE is granted to the new owner first, then the deployer renounces every role it holds; operational roles (e.g. MARKET_CREATOR_ROLE) are not moved: the new admin grants them to whoever should hold them.",
  ];
  return { steps, notes };
}

export interface TransferOptions {
  to: string;
  allowEoa: boolean;
}

export function transferPlanner(
  ctx: EngineContext,
  records: SystemRecord,
  options: TransferOptions,
): Planner<OwnershipState> {
  const targets = ownedTargets(records);
  return {
    task: "cutover:transfer-ownership",
    runKey: runKeys.transferOwnership(records.contracts.CORE_VAULT, options.to),
    async observe(reader) {
      requireRecordsChain(records, Number((await reader.provider.getNetwork()).chainId), ctx.conn.networkName);
      await checkAuthorityAccount(reader, "--to", options.to, {
        allowEoa: options.allowEoa,
        why: "the OrderBooks' ownership transfer is one-step, so a wrong owner cannot be undone",
      });
      const state = await observeOwnership(reader, targets, options.to, ctx.authority);
      return { facts: ownershipFacts(state), state };
    },
    async preflight(plan, reader, pending, addresses) {
      await simulatePending(
        plan,
        reader,
        pending,
        addresses,
        "run with the account that holds the roles and ownerships being transferred (--signer), or name the Safe or timelock that holds them (--executor)",
      );
    },
    plan(state) {
      const { steps, notes } = planTransfer(state);
      return {
        steps,
        notes,
        labels: Object.fromEntries(
          state.accessControl.flatMap((c) => Object.entries(c.roles).map(([name, id]) => [id.toLowerCase(), name])),
        ),
      };
    },
  };
}
