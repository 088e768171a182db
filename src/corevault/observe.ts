import { getAddress, keccak256, toUtf8Bytes, ZeroHash } from "ethers";
import { CutoverInputError } from "../errors.js";
import type { Reader } from "../engine/reader.js";
import type { SystemRecord } from "../records/records.js";

export const VAULT_ROLES = [
  "DEFAULT_ADMIN_ROLE",
  "FACTORY_ROLE",
  "SETTLEMENT_ROLE",
  "EXTERNAL_CREDITOR_ROLE",
  "ORDERBOOK_ROLE",
] as const;
export type VaultRole = (typeof VAULT_ROLES)[number];

export function roleId(role: VaultRole): string {
  return role === "DEFAULT_ADMIN_ROLE" ? ZeroHash : keccak256(toUtf8Bytes(role));
}

export function roleName(id: string): string {
  return VAULT_ROLES.find((role) => roleId(role) === id.toLowerCase()) ?? id;
}

export interface FacetCutTemplate {
  facetAddress: string;
  action: number;
  functionSelectors: string[];
}

/** The legacy system around one CoreVault, as read from chain at one block. */
export interface LegacySystem {
  block: number;
  chainId: number;
  vault: string;
  collateral: string;
  collateralDecimals: number;
  liquidationManager: string;
  mmrParams: [string, string, string, string];
  paused: boolean;
  libraries: { VaultAnalytics: string; PositionManager: string };
  roles: Record<VaultRole, { admin: string; holders: string[] }>;
  orderBooks: string[];
  markets: { marketId: string; orderBook: string }[];
  factory?: {
    address: string;
    vault: string;
    updatable: boolean;
    orderBookInit: string;
    facetTemplate: FacetCutTemplate[];
  };
  hub?: { address: string; vault: string };
}

const LOG_CHUNK_BLOCKS = 50_000;

/** Gas of a plain CoreVault view such as hasRole, cold (a batching hint for the Reader). */
export const VAULT_VIEW_GAS = 6_500;

/** Accounts ever granted each role on `vault` up to the reader's block: one getLogs per 50 000 blocks for all roles. */
export async function roleCandidates(
  reader: Reader,
  vault: string,
  fromBlock: number,
): Promise<Map<VaultRole, Set<string>>> {
  const granted = (await reader.catalog.iface("CoreVault")).getEvent("RoleGranted")!;
  const candidates = new Map<VaultRole, Set<string>>(VAULT_ROLES.map((role) => [role, new Set()]));
  for (let start = fromBlock; start <= reader.block; start += LOG_CHUNK_BLOCKS) {
    const logs = await reader.provider.getLogs({
      address: vault,
      topics: [granted.topicHash],
      fromBlock: start,
      toBlock: Math.min(start + LOG_CHUNK_BLOCKS - 1, reader.block),
    });
    for (const log of logs)
      candidates.get(roleName(log.topics[1]) as VaultRole)?.add(getAddress(`0x${log.topics[2].slice(26)}`));
  }
  return candidates;
}

/** Confirms candidate holders with hasRole at the reader's block, all roles in one batch. */
export async function confirmHolders(
  reader: Reader,
  vault: string,
  candidates: Map<VaultRole, Set<string>>,
): Promise<Record<VaultRole, string[]>> {
  const pairs = VAULT_ROLES.flatMap((role) =>
    [...(candidates.get(role) ?? [])].sort().map((account) => ({ role, account })),
  );
  const holds = await reader.tryCallMany(
    pairs.map(({ role, account }) => ({
      to: vault,
      contract: "CoreVault",
      fn: "hasRole",
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
): Promise<Record<VaultRole, string[]>> {
  return confirmHolders(reader, vault, await roleCandidates(reader, vault, fromBlock));
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

async function answers(reader: Reader, address: string, contract: string, fn: string): Promise<boolean> {
  return (await reader.tryCall({ to: address, contract, fn, args: [] })) !== undefined;
}

/**
 * Reads the legacy system around `vault`: its configuration, role holders, OrderBooks and markets, and the factory
 * and hub wired to it (from the records, else from FACTORY_ROLE / EXTERNAL_CREDITOR_ROLE holders that answer like one).
 */
export async function observeLegacySystem(
  reader: Reader,
  vault: string,
  records: SystemRecord | undefined,
  fromBlock: number,
): Promise<LegacySystem> {
  if (!(await reader.hasCode(vault))) {
    throw new CutoverInputError(
      "--old-vault",
      vault,
      "no contract at that address on this network; pass the address of the CoreVault being replaced (or deploy/import the system records)",
    );
  }
  const call = (fn: string, args: unknown[] = []) => reader.call({ to: vault, contract: "CoreVault", fn, args });
  // a revert means "not a CoreVault"; an RPC that does not answer throws (never taken as bad input)
  const collateral = (await reader.tryCall({ to: vault, contract: "CoreVault", fn: "collateralToken", args: [] })) as
    string | undefined;
  if (collateral === undefined) {
    throw new CutoverInputError(
      "--old-vault",
      vault,
      "the contract there does not answer CoreVault calls (collateralToken()); pass the CoreVault's address",
    );
  }
  const decimals = Number(await reader.call({ to: collateral, contract: "MockUSDC", fn: "decimals", args: [] }));
  const holders = await vaultRoleHolders(reader, vault, fromBlock);
  const roles = {} as LegacySystem["roles"];
  for (const role of VAULT_ROLES)
    roles[role] = { admin: roleName((await call("getRoleAdmin", [roleId(role)])) as string), holders: holders[role] };
  const orderBooks = ((await call("getRegisteredOrderBooks")) as string[]).map((a) => getAddress(a));
  const marketIds = (await call("getMarketIds")) as string[];
  const mapped = await reader.callMany(
    marketIds.map((id) => ({ to: vault, contract: "CoreVault", fn: "marketToOrderBook", args: [id] })),
  );
  const artifact = await reader.catalog.artifact("CoreVault");
  const libraries = linkedLibraries(await reader.code(vault), artifact.deployedLinkReferences ?? {});

  const system: LegacySystem = {
    block: reader.block,
    chainId: Number((await reader.provider.getNetwork()).chainId),
    vault: getAddress(vault),
    collateral: getAddress(collateral),
    collateralDecimals: decimals,
    liquidationManager: getAddress((await call("liquidationManager")) as string),
    mmrParams: ((await call("mmrParams")) as bigint[]).map(String) as LegacySystem["mmrParams"],
    paused: (await call("paused")) as boolean,
    libraries: { VaultAnalytics: libraries.VaultAnalytics, PositionManager: libraries.PositionManager },
    roles,
    orderBooks,
    markets: marketIds.map((marketId, i) => ({ marketId, orderBook: getAddress(mapped[i] as string) })),
  };

  const factoryCandidates = [records?.contracts.FUTURES_MARKET_FACTORY, ...roles.FACTORY_ROLE.holders].filter(
    (a): a is string => !!a,
  );
  for (const candidate of factoryCandidates) {
    if (!(await answers(reader, candidate, "FuturesMarketFactory", "isVaultUpdatable"))) continue;
    const at = (fn: string) => reader.call({ to: candidate, contract: "FuturesMarketFactory", fn, args: [] });
    const template = (await at("facetTemplate")) as [string, bigint, string[]][];
    system.factory = {
      address: getAddress(candidate),
      vault: getAddress((await at("vault")) as string),
      updatable: (await at("isVaultUpdatable")) as boolean,
      orderBookInit: getAddress((await at("orderBookInit")) as string),
      facetTemplate: template.map(([facetAddress, action, functionSelectors]) => ({
        facetAddress: getAddress(facetAddress),
        action: Number(action),
        functionSelectors: [...functionSelectors],
      })),
    };
    break;
  }
  const hubCandidates = [records?.contracts.COLLATERAL_HUB, ...roles.EXTERNAL_CREDITOR_ROLE.holders].filter(
    (a): a is string => !!a,
  );
  for (const candidate of hubCandidates) {
    if (!(await answers(reader, candidate, "CollateralHub", "RELAYER_ROLE"))) continue;
    system.hub = {
      address: getAddress(candidate),
      vault: getAddress(
        (await reader.call({ to: candidate, contract: "CollateralHub", fn: "vault", args: [] })) as string,
      ),
    };
    break;
  }
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
    facts["factory.vault"] = system.factory.vault.toLowerCase();
    facts["factory.updatable"] = String(system.factory.updatable);
  }
  if (system.hub) {
    facts["hub.address"] = system.hub.address.toLowerCase();
    facts["hub.vault"] = system.hub.vault.toLowerCase();
  }
  return facts;
}
