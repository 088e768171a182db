/**
 * What `cutover:transfer-ownership` reads, through the protocol profile's `ownership` section: the AccessControl
 * contracts' roles, a single-admin contract's admin (its getter, or whether its admin write is refused from an
 * account), and the OrderBook diamonds (found by the profile's discovery) with their ERC-173 owners.
 */
import { getAddress, Interface, keccak256, toUtf8Bytes, ZeroHash } from "ethers";
import { senderFor, type Authority } from "../engine/authority.js";
import type { Reader } from "../engine/reader.js";
import { discoverMarkets } from "../profile/discover.js";
import { contractFor, fnName, readSources, writeCall, type ContractKind } from "../profile/interpret.js";
import type { Profile } from "../profile/schema.js";
import { refusedWith, sigName } from "../profile/trading.js";
import type { SystemRecord } from "../records/records.js";

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
  /** Contracts with one admin address (no roles): whether `to` / the deployer is it, and who sends the handover. */
  singleAdmins?: { target: AccessControlTarget; toIsAdmin: boolean; deployerIsAdmin: boolean; admin: string }[];
  diamonds: { target: DiamondTarget; owner: string }[];
}

export interface OwnedTargets {
  accessControl: AccessControlTarget[];
  singleAdmins: AccessControlTarget[];
  diamonds: DiamondTarget[];
}

const CONTRACTS = [
  { key: "vault", contract: "CoreVault", record: "CORE_VAULT" },
  { key: "factory", contract: "FuturesMarketFactory", record: "FUTURES_MARKET_FACTORY" },
  { key: "hub", contract: "CollateralHub", record: "COLLATERAL_HUB" },
] as const;

/** The contracts the records name, split by how the profile says each is administered, and the vault's OrderBooks. */
export async function ownedTargets(reader: Reader, profile: Profile, records: SystemRecord): Promise<OwnedTargets> {
  const targets: OwnedTargets = { accessControl: [], singleAdmins: [], diamonds: [] };
  for (const { key, contract, record } of CONTRACTS) {
    const address = records.contracts[record];
    if (!address) continue;
    const target = { key, contract, address: getAddress(address) };
    ("admin" in profile.ownership[key] ? targets.singleAdmins : targets.accessControl).push(target);
  }
  const vault = records.contracts.CORE_VAULT;
  const factory = records.contracts.FUTURES_MARKET_FACTORY;
  const { orderBooks } = await discoverMarkets(
    reader,
    profile,
    { vault, factory },
    records,
    profile.discovery.fromBlock ?? 0,
  );
  const symbols = new Map(records.markets.map((m) => [m.orderBook.toLowerCase(), m.symbol]));
  // The vault's registry where it answers; the records' markets where it names none (today's behaviour).
  const books = orderBooks.length > 0 ? orderBooks : records.markets.map((m) => getAddress(m.orderBook));
  targets.diamonds = books.map((address) => ({ address, symbol: symbols.get(address.toLowerCase()) ?? address }));
  return targets;
}

/** Role name -> id: DEFAULT_ADMIN_ROLE and the profile's roles of that contract (OpenZeppelin: keccak256 of the name). */
export function rolesOf(profile: Profile, key: string): Record<string, string> {
  const spec = profile.ownership[key as "vault"];
  const names = "roles" in spec ? spec.roles : [];
  return { DEFAULT_ADMIN_ROLE: ZeroHash, ...Object.fromEntries(names.map((n) => [n, keccak256(toUtf8Bytes(n))])) };
}

export function singleAdminSpec(profile: Profile, key: string) {
  const spec = profile.ownership[key as "factory"];
  if (!("admin" in spec)) throw new Error(`cutover.protocol.ownership.${key} has no single admin`);
  return spec.admin;
}

/**
 * Whether `account` is the single admin of `target`: its getter where the profile has one; else an eth_call of the
 * admin write from `account` (handing the admin to itself): accepted means it is the admin, refused with one of the
 * profile's errors means it is not, anything else is an error (never taken as "not admin").
 */
async function isSingleAdmin(reader: Reader, profile: Profile, target: AccessControlTarget, account: string) {
  const spec = singleAdminSpec(profile, target.key);
  if (spec.read) {
    const read = await readSources(reader, spec.read, { target: target.address, address: true });
    if ("value" in read) return (read.value as string).toLowerCase() === account.toLowerCase();
  }
  if (!spec.probe)
    throw new Error(`cutover.protocol.ownership.${target.key}.admin: the read answered nothing at ${target.address}`);
  const call = writeCall(profile, spec.write, target.address, [account], { kind: target.contract as ContractKind });
  const data = new Interface([spec.write.signature]).encodeFunctionData(fnName(spec.write.signature), call.args);
  try {
    await reader.provider.call({ from: account, to: target.address, data, blockTag: reader.block });
    return true;
  } catch (error) {
    if (refusedWith(error, spec.probe)) return false;
    throw new Error(
      `${target.contract} ${target.address}: ${sigName(spec.write.signature)} from ${account} was neither accepted nor refused with ${spec.probe.map(sigName).join(" or ")}: ${(error as Error).message}`,
    );
  }
}

/** Reads who holds what: the deployer's roles, whether `to` is admin, the single admins, the diamonds' owners. */
export async function observeOwnership(
  reader: Reader,
  profile: Profile,
  targets: OwnedTargets,
  to: string,
  authority: Authority,
): Promise<OwnershipState> {
  const deployer = authority.signer;
  const accessControl = await Promise.all(
    targets.accessControl.map(async (target) => {
      const roles = rolesOf(profile, target.key);
      const kind = target.contract as ContractKind;
      const contract = contractFor(profile, profile.vault.roles.hasRole, kind);
      const has = async (role: string, account: string) =>
        (await reader.call({ to: target.address, contract, fn: "hasRole", args: [role, account] })) as boolean;
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
  const singleAdmins = await Promise.all(
    targets.singleAdmins.map(async (target) => {
      const chosenIsAdmin =
        authority.chosen !== undefined && (await isSingleAdmin(reader, profile, target, authority.chosen));
      return {
        target,
        toIsAdmin: await isSingleAdmin(reader, profile, target, to),
        deployerIsAdmin: await isSingleAdmin(reader, profile, target, deployer),
        admin: senderFor(authority, () => chosenIsAdmin),
      };
    }),
  );
  const owners = await Promise.all(targets.diamonds.map((d) => diamondOwner(reader, profile, d.address)));
  return {
    to: getAddress(to),
    deployer: getAddress(deployer),
    accessControl,
    singleAdmins,
    diamonds: targets.diamonds.map((target, i) => ({ target, owner: owners[i] })),
  };
}

async function diamondOwner(reader: Reader, profile: Profile, address: string): Promise<string> {
  const read = await readSources(reader, profile.ownership.orderBook.owner, { target: address, address: true });
  if ("value" in read) return getAddress(read.value as string);
  throw new Error(
    `OrderBook ${address}: none of cutover.protocol.ownership.orderBook.owner's reads answered; check the address or override it`,
  );
}
