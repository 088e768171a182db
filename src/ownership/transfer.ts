/**
 * `cutover:transfer-ownership`: hand everything the deployer administers to a Safe (or timelock) through the engine,
 * and the check that nothing is left behind.
 *
 * - AccessControl contracts (the CoreVault, the factory, the hub): grant DEFAULT_ADMIN_ROLE to the new owner, then the
 *   deployer renounces every role it holds there (grant-then-renounce: the contract is never without an admin).
 * - A single-admin contract (dexetra's factory): its admin write (`updateAdmin(to)`), done by its journaled send where
 *   the contract has no getter.
 * - OrderBook diamonds: ERC-173 `transferOwnership(to)`. Their OwnershipFacet is ONE-step (no pendingOwner /
 *   acceptOwnership), so the new owner must be right the first time: an address without code is refused unless
 *   --allow-eoa.
 */
import { ZeroHash } from "ethers";
import type { EngineContext } from "../cli/engine-command.js";
import { checkAuthorityAccount } from "../engine/input-checks.js";
import { simulatePending } from "../engine/preflight.js";
import type { Planner } from "../engine/run.js";
import type { Step } from "../engine/types.js";
import { REFERENCE } from "../profile/builtins.js";
import { readCheck, viewCall, writeCall, type ContractKind } from "../profile/interpret.js";
import type { Profile } from "../profile/schema.js";
import { requireRecordsChain, type SystemRecord } from "../records/records.js";
import { runKeys } from "../engine/run-key.js";
import { observeOwnership, ownedTargets, singleAdminSpec, type OwnershipState } from "./observe.js";

export {
  observeOwnership,
  ownedTargets,
  type AccessControlTarget,
  type DiamondTarget,
  type OwnershipState,
} from "./observe.js";

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
    ...(state.singleAdmins ?? [])
      .filter((c) => c.deployerIsAdmin && !same(state.deployer, state.to))
      .map(
        (c) =>
          `${c.target.contract} ${c.target.address}: the deployer ${state.deployer} is still its admin; hand it to ${state.to} (cutover:transfer-ownership does)`,
      ),
    ...state.diamonds
      .filter((d) => same(d.owner, state.deployer))
      .map(
        (d) =>
          `OrderBook ${d.target.symbol} ${d.target.address}: the deployer ${state.deployer} still owns it; transferOwnership to ${state.to}`,
      ),
  ];
  const single = state.singleAdmins ?? [];
  const singleEvidence = single.length
    ? `, ${single.filter((c) => c.toIsAdmin).length}/${single.length} single-admin contracts have it as admin`
    : "";
  return [
    check(
      "admin-handed-over",
      `${state.accessControl.filter((c) => c.toIsAdmin).length}/${state.accessControl.length} AccessControl contracts have ${state.to} as DEFAULT_ADMIN_ROLE${singleEvidence}`,
      [
        ...state.accessControl
          .filter((c) => !c.toIsAdmin)
          .map((c) => `${c.target.contract} ${c.target.address}: ${state.to} lacks DEFAULT_ADMIN_ROLE; grant it`),
        ...single
          .filter((c) => !c.toIsAdmin)
          .map((c) => `${c.target.contract} ${c.target.address}: its admin is not ${state.to}; hand it over`),
      ],
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
  for (const c of state.singleAdmins ?? []) {
    const key = `singleAdmin.${c.target.address.toLowerCase()}`;
    facts[`${key}.toIsAdmin`] = String(c.toIsAdmin);
    facts[`${key}.deployerIsAdmin`] = String(c.deployerIsAdmin);
    facts[`${key}.admin`] = c.admin.toLowerCase();
  }
  for (const d of state.diamonds) facts[`diamond.${d.target.address.toLowerCase()}.owner`] = d.owner.toLowerCase();
  return facts;
}

/** Pure: grant-then-renounce per AccessControl contract, one transferOwnership per diamond not yet owned by `to`. */
export function planTransfer(state: OwnershipState, profile: Profile = REFERENCE): { steps: Step[]; notes: string[] } {
  const steps = [...accessControlSteps(state, profile), ...singleAdminSteps(state, profile)];
  const { owner, transfer } = profile.ownership.orderBook;
  for (const d of state.diamonds) {
    if (same(d.owner, state.to)) continue;
    const address = d.target.address;
    steps.push({
      id: `transfer:${address.toLowerCase()}`,
      kind: "call",
      label: `transfer ownership of OrderBook ${d.target.symbol} to ${state.to}`,
      from: d.owner,
      dependsOn: [],
      writes: [`diamond.${address.toLowerCase()}.owner`],
      actions: [
        {
          call: writeCall(profile, transfer, address, [state.to], { kind: "OrderBook" }),
          done: readCheck(profile, owner, address, state.to, "OrderBook"),
        },
      ],
    });
  }
  const notes = [
    "The OrderBooks' ERC-173 ownership is one-step (no pendingOwner/acceptOwnership): ownership moves when transferOwnership is mined, so the new owner was checked to be a contract.",
    "AccessControl roles: DEFAULT_ADMIN_ROLE is granted to the new owner first, then the deployer renounces every role it holds; operational roles (e.g. MARKET_CREATOR_ROLE) are not moved: the new admin grants them to whoever should hold them.",
  ];
  if ((state.singleAdmins ?? []).length > 0)
    notes.push(
      "A single-admin contract's admin moves in one write; where it has no getter the write is done once its journaled transaction is mined (and who the admin is shows in whether the write is refused from an account).",
    );
  return { steps, notes };
}

function accessControlSteps(state: OwnershipState, profile: Profile): Step[] {
  const steps: Step[] = [];
  const { hasRole: hasRoleSig, grant, renounce } = profile.vault.roles;
  for (const c of state.accessControl) {
    const { address, contract } = c.target;
    const kind = contract as ContractKind;
    const key = `accessControl.${address.toLowerCase()}`;
    const hasRole = (role: string, account: string, equals: boolean) => ({
      read: viewCall(profile, hasRoleSig, address, [role, account], kind),
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
            call: writeCall(profile, grant, address, [ZeroHash, state.to], { kind }),
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
            call: writeCall(profile, renounce, address, [c.roles[role], state.deployer], { kind }),
            done: [hasRole(c.roles[role], state.deployer, false)],
          },
        ],
      });
    }
  }
  return steps;
}

/** The admin write of each single-admin contract `to` is not admin of; without a getter it is done by its journal. */
function singleAdminSteps(state: OwnershipState, profile: Profile): Step[] {
  return (state.singleAdmins ?? [])
    .filter((c) => !c.toIsAdmin)
    .map((c): Step => {
      const { address, contract, key } = c.target;
      const spec = singleAdminSpec(profile, key);
      const kind = contract as ContractKind;
      return {
        id: `update-admin:${address.toLowerCase()}`,
        kind: "call",
        label: `hand the ${contract}'s admin to ${state.to}`,
        from: c.admin,
        dependsOn: [],
        writes: ["toIsAdmin", "deployerIsAdmin", "admin"].map((fact) => `singleAdmin.${address.toLowerCase()}.${fact}`),
        actions: [
          {
            call: writeCall(profile, spec.write, address, [state.to], { kind }),
            done: spec.read ? readCheck(profile, spec.read, address, state.to, kind) : [],
          },
        ],
      };
    });
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
  const profile = ctx.hre.config.cutover.protocol;
  return {
    task: "cutover:transfer-ownership",
    runKey: runKeys.transferOwnership(records.contracts.CORE_VAULT, options.to),
    async observe(reader) {
      requireRecordsChain(records, Number((await reader.provider.getNetwork()).chainId), ctx.conn.networkName);
      await checkAuthorityAccount(reader, "--to", options.to, {
        allowEoa: options.allowEoa,
        why: "the OrderBooks' ownership transfer is one-step, so a wrong owner cannot be undone",
      });
      const targets = await ownedTargets(reader, profile, records);
      const state = await observeOwnership(reader, profile, targets, options.to, ctx.authority);
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
      const { steps, notes } = planTransfer(state, profile);
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
