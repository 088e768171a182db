import { readFile } from "node:fs/promises";
import path from "node:path";
import { getAddress, isAddress, keccak256, toUtf8Bytes, type Interface } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { HardhatPluginError } from "@nomicfoundation/hardhat-errors";
import { CutoverInputError, PLUGIN_ID } from "../errors.js";
import { actionDone, type Addresses } from "../engine/apply.js";
import { reason } from "../engine/executor-eoa.js";
import { canonicalJson } from "../engine/plan.js";
import type { Reader } from "../engine/reader.js";
import type { Planner } from "../engine/run.js";
import type { CallAction, Plan, Step } from "../engine/types.js";
import { roleName, VAULT_ROLES, type VaultRole } from "../corevault/observe.js";
import { deploymentBlock, readSystemRecordIfAny } from "../records/records.js";
import { checkVault, readLiveRoles, vaultAddress, type LiveRoles } from "./audit.js";
import { holdersFact, planRegrant, REGRANT_TASK } from "./plan-regrant.js";
import { reconcileRoles, type Reconciliation, type RoleGraph } from "./reconcile.js";
import "../type-extensions.js";
import { runKeys } from "../engine/run-key.js";

export interface RegrantOptions {
  vault?: string;
  /** JSON file of the desired holders by role; default: `cutover.redeploy.roles` of the Hardhat config. */
  desired?: string;
  revokeExtra: boolean;
}

/** The desired graph cannot be applied safely; nothing was sent. */
export class RoleRefusalError extends HardhatPluginError {
  constructor(
    readonly source: string,
    readonly refusals: Reconciliation["refusals"],
  ) {
    super(PLUGIN_ID, `Refused to apply the desired roles from ${source}; nothing was sent:\n${refusals.map((r) => `  ${r.role}: ${r.message}`).join("\n")}`);
  }
}

/** Validates a desired role graph: known role names, arrays of addresses. */
export function parseDesiredRoles(value: unknown, source: string): RoleGraph {
  const fail = (fix: string): never => {
    throw new CutoverInputError("--desired", source, fix);
  };
  if (value === null || typeof value !== "object" || Array.isArray(value)) fail('give a JSON object of role -> holders, e.g. {"SETTLEMENT_ROLE": ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8"]}');
  const graph: RoleGraph = {};
  for (const [role, holders] of Object.entries(value as Record<string, unknown>)) {
    if (!VAULT_ROLES.includes(role as VaultRole)) fail(`"${role}" is not a vault role; use ${VAULT_ROLES.join(", ")}`);
    if (!Array.isArray(holders)) fail(`${role} must be an array of addresses, e.g. "${role}": ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8"]`);
    for (const holder of holders as unknown[]) {
      if (typeof holder !== "string" || !isAddress(holder)) fail(`${role} lists ${JSON.stringify(holder)}, which is not an address (0x and 40 hex digits, all lowercase or with a valid EIP-55 checksum)`);
    }
    graph[role as VaultRole] = (holders as string[]).map((h) => getAddress(h));
  }
  return graph;
}

async function loadDesired(hre: HardhatRuntimeEnvironment, file: string | undefined): Promise<{ graph: RoleGraph; source: string }> {
  if (!file) {
    const configured = hre.config.cutover.redeploy.roles;
    if (!configured) throw new CutoverInputError("--desired", "", 'give a JSON file of the holders each role should have, e.g. --desired roles.json with {"SETTLEMENT_ROLE": ["0x…"]}, or set cutover.redeploy.roles in the Hardhat config');
    return { graph: parseDesiredRoles(configured, "cutover.redeploy.roles"), source: "cutover.redeploy.roles" };
  }
  const full = path.resolve(hre.config.paths.root, file);
  let text: string;
  try {
    text = await readFile(full, "utf8");
  } catch (error) {
    throw new CutoverInputError("--desired", file, `cannot read ${full} (${(error as Error).message}); give the path of a JSON file, relative to the project root`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CutoverInputError("--desired", file, `not valid JSON (${(error as Error).message}); write an object like {"SETTLEMENT_ROLE": ["0x…"]}`);
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
    holders[role] = (facts[holdersFact(role)] ?? "").split(",").filter(Boolean).map((a) => getAddress(a));
  }
  return { admins, holders };
}

/**
 * The planner of corevault:regrant-roles. Its run key includes a digest of the desired graph and --revoke-extra, so a
 * changed file starts a new run instead of resuming the plan made for the old one.
 * Its plan is a diff against the live roles, which the run itself changes: `planFromStoredFacts`.
 */
export async function regrantPlanner(hre: HardhatRuntimeEnvironment, conn: NetworkConnection, signer: string, options: RegrantOptions): Promise<Planner & { reconciliation(): Reconciliation; vault: string }> {
  const root = hre.config.paths.root;
  const network = conn.networkName;
  const records = await readSystemRecordIfAny(root, network);
  const vault = vaultAddress(options.vault, records, network);
  const { graph, source } = await loadDesired(hre, options.desired);
  const normalized = Object.fromEntries(VAULT_ROLES.filter((r) => graph[r]).map((r) => [r, [...new Set(graph[r]!.map((a) => a.toLowerCase()))].sort()]));
  const digest = keccak256(toUtf8Bytes(canonicalJson({ desired: normalized, revokeExtra: options.revokeExtra }))).slice(2, 10);
  const runKey = runKeys.regrantRoles(vault, digest);
  const reconcile = (live: LiveRoles) => reconcileRoles({ desired: graph, live: live.holders, admins: live.admins, executor: signer, revokeExtra: options.revokeExtra });
  let observed: LiveRoles | undefined;

  return {
    task: REGRANT_TASK,
    runKey,
    vault,
    /** Against the live roles as observed by this invocation. */
    reconciliation: () => reconcile(observed!),
    async observe(reader) {
      const chainId = await checkVault(reader, vault, records, network);
      observed = await readLiveRoles(reader, vault, await deploymentBlock(root, network, "CoreVault", vault));
      return { chainId, block: reader.block, facts: roleFacts(chainId, vault, observed) };
    },
    planFromStoredFacts: true,
    async plan(observation) {
      const reconciliation = reconcile(liveFromFacts(observation.facts));
      if (reconciliation.refusals.length > 0) throw new RoleRefusalError(source, reconciliation.refusals);
      return planRegrant({
        vault,
        reconciliation,
        executor: signer,
        network,
        chainId: observation.chainId,
        observedBlock: observation.block,
        facts: observation.facts,
        runKey,
        batchSize: hre.config.cutover.redeploy.batchSize,
      });
    },
    async preflight(plan, reader, pending, addresses) {
      await simulateAsSigner(plan, reader, signer, vault, pending, addresses);
    },
  };
}

/** The vault's custom error when the revert data decodes as one, e.g. AccessControlUnauthorizedAccount(0x…, FACTORY_ROLE). */
function revertReason(iface: Interface, error: unknown): string {
  const data = (error as { data?: unknown }).data;
  let parsed: ReturnType<Interface["parseError"]> = null;
  try {
    parsed = typeof data === "string" ? iface.parseError(data) : null;
  } catch {
    // not one of the vault's errors
  }
  if (!parsed) return reason(error);
  const args = parsed.args.map((a) => (typeof a === "string" && a.length === 66 ? roleName(a) : String(a)));
  return `${parsed.name}(${args.join(", ")})`;
}

/**
 * Every pending action, in plan order, simulated as the signer in ONE `multicall` at the observed block: each call
 * sees the effect of the ones before it (a temporary admin role granted earlier), so access control fails here, not
 * mid-run. On failure the first failing action is found by bisecting prefixes.
 */
async function simulateAsSigner(plan: Plan, reader: Reader, signer: string, vault: string, pending: Step[], addresses: Addresses): Promise<void> {
  const pendingIds = new Set(pending.map((s) => s.id));
  const queue: { step: Step; action: CallAction }[] = [];
  for (const step of pending) {
    if (step.kind !== "call") continue;
    // A temporary grant whose every dependent is done will not be sent (the engine marks it "not needed").
    if (step.temporary && !plan.steps.some((s) => s.dependsOn.includes(step.id) && pendingIds.has(s.id))) continue;
    for (const action of step.actions) if (!(await actionDone(reader, action, addresses))) queue.push({ step, action });
  }
  if (queue.length === 0) return;
  const iface = await reader.catalog.iface("CoreVault");
  const calls = queue.map(({ action }) => iface.encodeFunctionData(action.call.fn, action.call.args as unknown[]));
  const attempt = (n: number): Promise<unknown> =>
    reader.provider.call({ from: signer, to: vault, data: iface.encodeFunctionData("multicall", [calls.slice(0, n)]), blockTag: reader.block }).then(
      () => undefined,
      (error: unknown) => error ?? new Error("reverted"),
    );
  let error = await attempt(calls.length);
  if (error === undefined) return;
  let [low, high] = [1, calls.length]; // attempt(high) fails
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    const failed = await attempt(mid);
    if (failed !== undefined) [high, error] = [mid, failed];
    else low = mid + 1;
  }
  const { step, action } = queue[high - 1];
  const [role, account] = action.call.args.map((a) => plan.labels[String(a).toLowerCase()] ?? String(a));
  throw new CutoverInputError(
    "signer",
    signer,
    `it cannot ${step.label} (CoreVault ${vault}.${action.call.fn}(${role}, ${account})): ${revertReason(iface, error)}; run with an account that holds the admin role of ${role} (--signer)`,
  );
}
