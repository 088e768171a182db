import { getAddress, Interface } from "ethers";
import { CutoverInputError } from "../errors.js";
import type { Reader } from "../engine/reader.js";
import { REFERENCE } from "../profile/builtins.js";
import { fnName, readConcept, readMmrParams } from "../profile/interpret.js";
import type { Profile } from "../profile/schema.js";
import type { SystemRecord } from "../records/records.js";
import { roleId, roleName, VAULT_ROLES, type LegacySystem, type VaultRole } from "./system.js";
import { discoverMarkets, observeFactory, observeHub, vaultArtifact } from "../profile/discover.js";

export { roleId, roleName, VAULT_ROLES, type FacetCutTemplate, type LegacySystem, type VaultRole } from "./system.js";

const LOG_CHUNK_BLOCKS = 50_000;
const ROLE_GRANTED = new Interface([
  "event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)",
]).getEvent("RoleGranted")!;

/** Gas of a plain CoreVault view such as hasRole, cold (a batching hint for the Reader). */
export const VAULT_VIEW_GAS = 6_500;

/** Accounts ever granted each role on `vault` up to the reader's block: one getLogs per 50 000 blocks for all roles. */
export async function roleCandidates(
  reader: Reader,
  vault: string,
  fromBlock: number,
): Promise<Map<VaultRole, Set<string>>> {
  const candidates = new Map<VaultRole, Set<string>>(VAULT_ROLES.map((role) => [role, new Set()]));
  for (let start = fromBlock; start <= reader.block; start += LOG_CHUNK_BLOCKS) {
    const logs = await reader.provider.getLogs({
      address: vault,
      topics: [ROLE_GRANTED.topicHash],
      fromBlock: start,
      toBlock: Math.min(start + LOG_CHUNK_BLOCKS - 1, reader.block),
    });
    for (const log of logs)
      candidates.get(roleName(log.topics[1]) as VaultRole)?.add(getAddress(`0x${log.topics[2].slice(26)}`));
  }
  return candidates;
}

/** Confirms candidate holders with the profile's hasRole at the reader's block, all roles in one batch. */
export async function confirmHolders(
  reader: Reader,
  vault: string,
  candidates: Map<VaultRole, Set<string>>,
  profile: Profile = REFERENCE,
): Promise<Record<VaultRole, string[]>> {
  const pairs = VAULT_ROLES.flatMap((role) =>
    [...(candidates.get(role) ?? [])].sort().map((account) => ({ role, account })),
  );
  const hasRole = profile.vault.roles.hasRole;
  const holds = await reader.tryCallMany(
    pairs.map(({ role, account }) => ({
      to: vault,
      contract: hasRole,
      fn: fnName(hasRole),
      args: [roleId(role), account],
      gas: VAULT_VIEW_GAS,
    })),
  );
  const holders = Object.fromEntries(VAULT_ROLES.map((role) => [role, [] as string[]])) as Record<VaultRole, string[]>;
  pairs.forEach(({ role, account }, i) => holds[i] === true && holders[role].push(account));
  return holders;
}

/** Every role's holders: accounts that ever received it (RoleGranted events), confirmed with hasRole. */
export async function vaultRoleHolders(
  reader: Reader,
  vault: string,
  fromBlock: number,
  profile: Profile = REFERENCE,
): Promise<Record<VaultRole, string[]>> {
  return confirmHolders(reader, vault, await roleCandidates(reader, vault, fromBlock), profile);
}

/** Addresses of the libraries linked into deployed code, read at the artifact's link references. */
export function linkedLibraries(
  deployedCode: string,
  deployedLinkReferences: Record<string, Record<string, { start: number; length: number }[]>>,
): Record<string, string> {
  const found: Record<string, string> = {};
  for (const libs of Object.values(deployedLinkReferences)) {
    for (const [name, references] of Object.entries(libs)) {
      const { start, length } = references[0];
      found[name] = getAddress(`0x${deployedCode.slice(2 + start * 2, 2 + (start + length) * 2)}`);
    }
  }
  return found;
}

/**
 * The two linked libraries by their role, found under the artifact's names: the profile lists them in the order
 * VaultAnalytics, PositionManager (a project may name them otherwise, e.g. the stand-in's DexetraVaultAnalytics).
 */
function libraryRoles(found: Record<string, string>, profile: Profile): LegacySystem["libraries"] {
  const [analytics, positions] = profile.vault.libraries;
  for (const name of [analytics, positions])
    if (!found[name])
      throw new CutoverInputError(
        "cutover.protocol.vault.libraries",
        profile.vault.libraries.join(","),
        `the artifact ${profile.vault.artifact} links no library named ${name}; list the artifact's libraries (${Object.keys(found).join(", ") || "none"}) in the order VaultAnalytics, PositionManager`,
      );
  return { VaultAnalytics: found[analytics], PositionManager: found[positions] };
}

/** Facts the chain may not reveal, given by the operator (flags or config); they win over the profile's reads. */
export interface Supplied {
  collateral?: string;
  liquidationManager?: string;
}

/**
 * Reads the legacy system around `vault` through the profile: its configuration, role holders, OrderBooks and
 * markets, and the factory and hub wired to it (from the records, else from FACTORY_ROLE / EXTERNAL_CREDITOR_ROLE
 * holders that answer the profile's `detect` call).
 */
export async function observeLegacySystem(
  reader: Reader,
  vault: string,
  records: SystemRecord | undefined,
  fromBlock: number,
  profile: Profile = REFERENCE,
  supplied: Supplied = {},
): Promise<LegacySystem> {
  if (!(await reader.hasCode(vault))) {
    throw new CutoverInputError(
      "--old-vault",
      vault,
      "no contract at that address on this network; pass the address of the CoreVault being replaced (or deploy/import the system records)",
    );
  }
  const ctx = { target: vault, records: records?.contracts, address: true };
  const isRegistered = profile.vault.orderBooks.isRegistered;
  const answers = await reader.tryCall({ to: vault, contract: isRegistered, fn: fnName(isRegistered), args: [vault] });
  // a revert means "not a CoreVault"; an RPC that does not answer throws (never taken as bad input)
  if (answers === undefined)
    throw new CutoverInputError(
      "--old-vault",
      vault,
      `the contract there does not answer CoreVault calls (${fnName(isRegistered)}) of the ${profile.name} profile; pass the CoreVault's address, or set cutover.protocol.profile`,
    );
  const collateral = supplied.collateral ?? ((await readConcept(reader, profile, "vault.collateral", ctx)) as string);
  const decimals = profile.vault.collateralDecimals;
  // A revert (not a token) is bad input, named; an RPC that does not answer throws from the reader.
  const reported = await reader.tryCall({ to: collateral, contract: decimals, fn: fnName(decimals), args: [] });
  if (reported === undefined)
    throw new CutoverInputError(
      "collateral",
      collateral,
      "it reports no decimals(): the vault's collateral must be the 6-decimals USDC token; pass it with --collateral or cutover.redeploy.collateral",
    );
  const collateralDecimals = Number(reported);
  const holders = await vaultRoleHolders(reader, vault, fromBlock, profile);
  const getRoleAdmin = profile.vault.roles.getRoleAdmin;
  const admins = await reader.callMany(
    VAULT_ROLES.map((role) => ({ to: vault, contract: getRoleAdmin, fn: fnName(getRoleAdmin), args: [roleId(role)] })),
  );
  const roles = {} as LegacySystem["roles"];
  VAULT_ROLES.forEach((role, i) => (roles[role] = { admin: roleName(admins[i] as string), holders: holders[role] }));
  const artifact = await vaultArtifact(reader.catalog, profile);
  const libraries = linkedLibraries(await reader.code(vault), artifact.deployedLinkReferences ?? {});
  const factory = await observeFactory(reader, profile, records, roles.FACTORY_ROLE.holders);
  const pause = profile.vault.pause.read;

  const system: LegacySystem = {
    block: reader.block,
    chainId: Number((await reader.provider.getNetwork()).chainId),
    vault: getAddress(vault),
    collateral: getAddress(collateral),
    collateralDecimals,
    liquidationManager: getAddress(
      supplied.liquidationManager ??
        ((await readConcept(reader, profile, "vault.liquidationManager.read", ctx)) as string),
    ),
    mmrParams: await readMmrParams(reader, profile, vault),
    paused: (await reader.call({ to: vault, contract: pause, fn: fnName(pause), args: [] })) as boolean,
    libraries: libraryRoles(libraries, profile),
    roles,
    ...(await discoverMarkets(reader, profile, { vault, factory: factory?.address }, records, fromBlock)),
    factory,
  };
  if (!factory) delete system.factory;
  const hub = await observeHub(reader, profile, records, roles.EXTERNAL_CREDITOR_ROLE.holders);
  if (hub) system.hub = hub;
  return system;
}

/** The observation as named facts: what drift is checked against. */
export function legacyFacts(system: LegacySystem): Record<string, string> {
  const facts: Record<string, string> = {
    chainId: String(system.chainId),
    "oldVault.address": system.vault.toLowerCase(),
    "oldVault.collateral": system.collateral.toLowerCase(),
    "collateral.decimals": String(system.collateralDecimals),
    "oldVault.liquidationManager": system.liquidationManager.toLowerCase(),
    "oldVault.mmrParams": system.mmrParams.join(","),
    "oldVault.paused": String(system.paused),
    "oldVault.library.VaultAnalytics": system.libraries.VaultAnalytics.toLowerCase(),
    "oldVault.library.PositionManager": system.libraries.PositionManager.toLowerCase(),
    "oldVault.orderBooks": system.orderBooks.map((a) => a.toLowerCase()).join(","),
  };
  for (const role of VAULT_ROLES) {
    facts[`oldVault.role.${role}.admin`] = system.roles[role].admin;
    facts[`oldVault.role.${role}.holders`] = system.roles[role].holders.map((a) => a.toLowerCase()).join(",");
  }
  for (const market of system.markets) facts[`oldVault.market.${market.marketId}`] = market.orderBook.toLowerCase();
  if (system.factory) {
    facts["factory.address"] = system.factory.address.toLowerCase();
    if (system.factory.vault) facts["factory.vault"] = system.factory.vault.toLowerCase();
    facts["factory.updatable"] = String(system.factory.updatable);
  }
  if (system.hub) {
    facts["hub.address"] = system.hub.address.toLowerCase();
    facts["hub.vault"] = system.hub.vault.toLowerCase();
  }
  return facts;
}
