import { readFile } from "node:fs/promises";
import path from "node:path";
import { getAddress, isAddress, keccak256, toUtf8Bytes } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { EngineContext } from "../cli/engine-command.js";
import { CutoverInputError, RoleRefusalError } from "../errors.js";
import { checkRoleHolders, refuseZero } from "../engine/input-checks.js";
import { senderFor } from "../engine/authority.js";
import { canonicalJson } from "../engine/plan.js";
import { simulatePending } from "../engine/preflight.js";
import type { Planner } from "../engine/run.js";
import { VAULT_ROLES, type VaultRole } from "../corevault/observe.js";
import { deploymentBlock, readSystemRecordIfAny } from "../records/records.js";
import { checkVault, readLiveRoles, vaultAddress, type LiveRoles } from "./audit.js";
import { holdersFact, planRegrant, REGRANT_TASK } from "./plan-regrant.js";
import { reconcileRoles, type Reconciliation, type RoleGraph } from "./reconcile.js";
import { sameAddress } from "../util/address.js";
import "../type-extensions.js";
import { runKeys } from "../engine/run-key.js";

export interface RegrantOptions {
  vault?: string;
  /** JSON file of the desired holders by role; default: `cutover.redeploy.roles` of the Hardhat config. */
  desired?: string;
  revokeExtra: boolean;
  /** Allow an address without code as a new DEFAULT_ADMIN_ROLE holder (refused otherwise, like redeploy's --admin). */
  allowEoa?: boolean;
}

/** Validates a desired role graph: known role names, arrays of addresses. */
export function parseDesiredRoles(value: unknown, source: string): RoleGraph {
  const fail = (fix: string): never => {
    throw new CutoverInputError("--desired", source, fix);
  };
  if (value === null || typeof value !== "object" || Array.isArray(value))
    fail(
      'give a JSON object of role -> holders, e.g. {"SETTLEMENT_ROLE": ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8"]}',
    );
  const graph: RoleGraph = {};
  for (const [role, holders] of Object.entries(value as Record<string, unknown>)) {
    if (!VAULT_ROLES.includes(role as VaultRole)) fail(`"${role}" is not a vault role; use ${VAULT_ROLES.join(", ")}`);
    if (!Array.isArray(holders))
      fail(`${role} must be an array of addresses, e.g. "${role}": ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8"]`);
    for (const holder of holders as unknown[]) {
      if (typeof holder !== "string" || !isAddress(holder))
        fail(
          `${role} lists ${JSON.stringify(holder)}, which is not an address (0x and 40 hex digits, all lowercase or with a valid EIP-55 checksum)`,
        );
    }
    graph[role as VaultRole] = (holders as string[]).map((h) => getAddress(h));
    for (const holder of graph[role as VaultRole]!) refuseZero(`${role} in ${source}`, holder);
  }
  return graph;
}

async function loadDesired(
  hre: HardhatRuntimeEnvironment,
  file: string | undefined,
): Promise<{ graph: RoleGraph; source: string }> {
  if (!file) {
    const configured = hre.config.cutover.redeploy.roles;
    if (!configured)
      throw new CutoverInputError(
        "--desired",
        "",
        'give a JSON file of the holders each role should have, e.g. --desired roles.json with {"SETTLEMENT_ROLE": ["0x…"]}, or set cutover.redeploy.roles in the Hardhat config',
      );
    return { graph: parseDesiredRoles(configured, "cutover.redeploy.roles"), source: "cutover.redeploy.roles" };
  }
  const full = path.resolve(hre.config.paths.root, file);
  let text: string;
  try {
    text = await readFile(full, "utf8");
  } catch (error) {
    throw new CutoverInputError(
      "--desired",
      file,
      `cannot read ${full} (${(error as Error).message}); give the path of a JSON file, relative to the project root`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CutoverInputError(
      "--desired",
      file,
      `not valid JSON (${(error as Error).message}); write an object like {"SETTLEMENT_ROLE": ["0x…"]}`,
    );
  }
  return { graph: parseDesiredRoles(value, file), source: file };
}

/** The observation as named facts: what drift is checked against, and all the planner reads. */
export function roleFacts(chainId: number, vault: string, live: LiveRoles): Record<string, string> {
  const facts: Record<string, string> = { chainId: String(chainId), "vault.address": vault.toLowerCase() };
  for (const role of VAULT_ROLES) {
    facts[`vault.role.${role}.admin`] = live.admins[role];
    facts[holdersFact(role)] = live.holders[role].map((a) => a.toLowerCase()).join(",");
  }
  return facts;
}

/** The role graph that `roleFacts` recorded. */
export function liveFromFacts(facts: Record<string, string>): LiveRoles {
  const admins = {} as LiveRoles["admins"];
  const holders = {} as LiveRoles["holders"];
  for (const role of VAULT_ROLES) {
    admins[role] = facts[`vault.role.${role}.admin`] as VaultRole;
    holders[role] = (facts[holdersFact(role)] ?? "")
      .split(",")
      .filter(Boolean)
      .map((a) => getAddress(a));
  }
  return { admins, holders };
}

/** What a regrant is planned from: the live roles, and who makes the changes. */
export interface RegrantState {
  vault: string;
  live: LiveRoles;
  /** What the live roles and the desired graph leave as they are (extra holders kept without --revoke-extra). */
  kept: Reconciliation["kept"];
}

/**
 * The planner of corevault:regrant-roles. Its run key includes a digest of the desired graph and --revoke-extra, so a
 * changed file starts a new run instead of resuming the plan made for the old one.
 * Its plan is a diff against the live roles, which the run itself changes: `planFromStoredFacts`.
 */
export async function regrantPlanner(ctx: EngineContext, options: RegrantOptions): Promise<Planner<RegrantState>> {
  const { hre, conn, authority } = ctx;
  const root = hre.config.paths.root;
  const network = conn.networkName;
  const records = await readSystemRecordIfAny(root, network);
  const vault = vaultAddress(options.vault, records, network);
  const { graph, source } = await loadDesired(hre, options.desired);
  const normalized = Object.fromEntries(
    VAULT_ROLES.filter((r) => graph[r]).map((r) => [r, [...new Set(graph[r]!.map((a) => a.toLowerCase()))].sort()]),
  );
  const digest = keccak256(toUtf8Bytes(canonicalJson({ desired: normalized, revokeExtra: options.revokeExtra }))).slice(
    2,
    10,
  );
  // The chosen Safe or timelock makes every role change when it administers the vault; else the signer does.
  const executorOf = (live: LiveRoles) =>
    senderFor(authority, (account) => live.holders.DEFAULT_ADMIN_ROLE.some((a) => sameAddress(a, account)));
  const reconcile = (live: LiveRoles) =>
    reconcileRoles({
      desired: graph,
      live: live.holders,
      admins: live.admins,
      executor: executorOf(live),
      revokeExtra: options.revokeExtra,
    });

  return {
    task: REGRANT_TASK,
    runKey: runKeys.regrantRoles(vault, digest),
    async observe(reader) {
      const profile = hre.config.cutover.protocol;
      const chainId = await checkVault(reader, vault, records, network, profile);
      const fromBlock = await deploymentBlock(root, network, "CoreVault", vault);
      const live = await readLiveRoles(reader, vault, fromBlock, profile);
      // A new holder that cannot act (a token, a library) is refused, and a new admin that is an EOA unless --allow-eoa.
      await checkRoleHolders(reader, source, graph, {
        allowEoa: options.allowEoa === true,
        skip: (role, holder) => live.holders[role as VaultRole].some((a) => sameAddress(a, holder)),
      });
      return { facts: roleFacts(chainId, vault, live), state: { vault, live, kept: reconcile(live).kept } };
    },
    planFromStoredFacts: true,
    plan(_state, facts) {
      const live = liveFromFacts(facts);
      const reconciliation = reconcile(live);
      if (reconciliation.refusals.length > 0) throw new RoleRefusalError(source, reconciliation.refusals);
      return planRegrant({
        vault,
        reconciliation,
        executor: executorOf(live),
        batchSize: hre.config.cutover.redeploy.batchSize,
        profile: hre.config.cutover.protocol,
      });
    },
    async preflight(plan, reader, pending, addresses) {
      await simulatePending(
        plan,
        reader,
        pending,
        addresses,
        (action) =>
          `run with an account that holds the admin role of ${plan.labels[String(action.call.args[0]).toLowerCase()] ?? action.call.args[0]} (--signer)`,
      );
    },
  };
}
