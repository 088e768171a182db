import { getAddress, isAddress } from "ethers";
import { CutoverInputError } from "../errors.js";
import type { Reader } from "../engine/reader.js";
import { REFERENCE } from "../profile/builtins.js";
import { discoverMarkets } from "../profile/discover.js";
import { fnName } from "../profile/interpret.js";
import type { Profile } from "../profile/schema.js";
import { roleId, vaultRoleHolders, roleName, VAULT_ROLES, type VaultRole } from "../corevault/observe.js";
import type { SystemRecord } from "../records/records.js";
import { renderTable } from "../report/table.js";

/** Roles whose holders are contracts by design (the factory, the hub, OrderBooks): an EOA there is a red flag. */
export const CONTRACT_ROLES: readonly VaultRole[] = ["FACTORY_ROLE", "EXTERNAL_CREDITOR_ROLE", "ORDERBOOK_ROLE"];

export interface LiveRoles {
  admins: Record<VaultRole, VaultRole>;
  holders: Record<VaultRole, string[]>;
}

/** The vault to work on: the option's address, else the records' CORE_VAULT. */
export function vaultAddress(given: string | undefined, records: SystemRecord | undefined, network: string): string {
  const vault = given ?? records?.contracts.CORE_VAULT;
  if (!vault)
    throw new CutoverInputError(
      "--vault",
      "",
      `no records for ${network} name a CORE_VAULT; pass --vault <CoreVault address>`,
    );
  if (!isAddress(vault))
    throw new CutoverInputError(
      "--vault",
      vault,
      "give a 0x-prefixed 20-byte address (all lowercase or with a valid EIP-55 checksum), e.g. --vault 0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9",
    );
  return getAddress(vault);
}

/** Refuses records of another chain, and an address that does not answer like a CoreVault at the reader's block. */
export async function checkVault(
  reader: Reader,
  vault: string,
  records: SystemRecord | undefined,
  network: string,
  profile: Profile = REFERENCE,
): Promise<number> {
  const chainId = Number((await reader.provider.getNetwork()).chainId);
  if (records && records.chainId !== chainId) {
    throw new CutoverInputError(
      "--network",
      network,
      `the records deployments/${network}-deployment.json are for chain ${records.chainId} but this network is chain ${chainId}; connect to the right network or fix the records`,
    );
  }
  if (
    (await reader.tryCall({
      to: vault,
      contract: profile.vault.roles.getRoleAdmin,
      fn: "getRoleAdmin",
      args: [roleId("DEFAULT_ADMIN_ROLE")],
    })) === undefined
  ) {
    throw new CutoverInputError(
      "--vault",
      vault,
      `there is no CoreVault at that address on ${network} at block ${reader.block} (it does not answer getRoleAdmin); pass the CoreVault's address`,
    );
  }
  return chainId;
}

/** Every role's admin role and holders at the reader's block (holders from RoleGranted events, confirmed with hasRole). */
export async function readLiveRoles(
  reader: Reader,
  vault: string,
  fromBlock: number,
  profile: Profile = REFERENCE,
): Promise<LiveRoles> {
  const admins = {} as LiveRoles["admins"];
  const getRoleAdmin = profile.vault.roles.getRoleAdmin;
  for (const role of VAULT_ROLES) {
    admins[role] = roleName(
      (await reader.call({
        to: vault,
        contract: getRoleAdmin,
        fn: fnName(getRoleAdmin),
        args: [roleId(role)],
      })) as string,
    ) as VaultRole;
  }
  return { admins, holders: await vaultRoleHolders(reader, vault, fromBlock, profile) };
}

export type FlagKind = "deployer-admin" | "unknown-holder" | "eoa-holder";

export interface RoleFlag {
  kind: FlagKind;
  role: VaultRole;
  account: string;
  message: string;
}

export interface HolderRow {
  account: string;
  /** What the records call it, e.g. "COLLATERAL_HUB", "OrderBook BTC-USD", "settlement operator 1", "admin". */
  name?: string;
  hasCode: boolean;
  roles: VaultRole[];
}

export interface RoleAudit {
  vault: string;
  chainId: number;
  block: number;
  deployer: string;
  /** False when there are no records: holders could not be matched against them. */
  recordsChecked: boolean;
  admins: Record<VaultRole, VaultRole>;
  holders: HolderRow[];
  flags: RoleFlag[];
}

/** Names the records give to addresses: contracts, OrderBooks, settlement operators, the admin. */
export function knownAccounts(records: SystemRecord): Map<string, string> {
  const known = new Map<string, string>();
  const add = (address: unknown, name: string) => {
    if (typeof address === "string" && !known.has(address.toLowerCase())) known.set(address.toLowerCase(), name);
  };
  for (const [name, address] of Object.entries(records.contracts)) add(address, name);
  for (const market of records.markets ?? []) add(market.orderBook, `OrderBook ${market.symbol}`);
  (records.settlementOperators ?? []).forEach((address, i) => add(address, `settlement operator ${i + 1}`));
  add(records.admin, "admin");
  return known;
}

/**
 * OrderBooks the vault itself confirms registered, found through the profile's discovery (a protocol's records may
 * name only one market): they are the system's, not unknown holders. A discovery that fails names none.
 */
async function registeredOrderBooks(
  reader: Reader,
  vault: string,
  records: SystemRecord,
  fromBlock: number,
  profile: Profile,
): Promise<Map<string, string>> {
  const found = await discoverMarkets(reader, profile, { vault }, records, fromBlock).catch(() => undefined);
  const names = new Map<string, string>();
  for (const market of found?.markets ?? [])
    names.set(market.orderBook.toLowerCase(), `OrderBook of market ${market.marketId.slice(0, 10)}…`);
  for (const book of found?.orderBooks ?? [])
    if (!names.has(book.toLowerCase())) names.set(book.toLowerCase(), "OrderBook (registered)");
  return names;
}

/** The role x holder table of `vault` at the reader's block, with what looks wrong about it. */
export async function auditRoles(
  reader: Reader,
  vault: string,
  records: SystemRecord | undefined,
  deployer: string,
  fromBlock: number,
  profile: Profile = REFERENCE,
): Promise<RoleAudit> {
  const live = await readLiveRoles(reader, vault, fromBlock, profile);
  const known = records ? knownAccounts(records) : new Map<string, string>();
  if (records)
    for (const [account, name] of await registeredOrderBooks(reader, vault, records, fromBlock, profile))
      if (!known.has(account)) known.set(account, name);
  const rows = new Map<string, HolderRow>();
  for (const role of VAULT_ROLES) {
    for (const account of live.holders[role]) {
      let row = rows.get(account.toLowerCase());
      if (!row) {
        const name =
          known.get(account.toLowerCase()) ??
          (account.toLowerCase() === deployer.toLowerCase() ? "deployer" : undefined);
        row = { account, name, hasCode: await reader.hasCode(account), roles: [] };
        rows.set(account.toLowerCase(), row);
      }
      row.roles.push(role);
    }
  }

  const flags: RoleFlag[] = [];
  for (const row of rows.values()) {
    for (const role of row.roles) {
      if (role === "DEFAULT_ADMIN_ROLE" && row.account.toLowerCase() === deployer.toLowerCase()) {
        flags.push({
          kind: "deployer-admin",
          role,
          account: row.account,
          message: `the deployer still holds ${role}; grant it to the admin (e.g. a multisig) and renounce it from the deployer`,
        });
      }
      if (records && !known.has(row.account.toLowerCase())) {
        flags.push({
          kind: "unknown-holder",
          role,
          account: row.account,
          message: `not in the records (contracts, markets, settlement operators, admin); revoke it or add it to the records`,
        });
      }
      if (CONTRACT_ROLES.includes(role) && !row.hasCode) {
        flags.push({
          kind: "eoa-holder",
          role,
          account: row.account,
          message: `an EOA holds ${role}, which only contracts (factory, hub, OrderBooks) should hold`,
        });
      }
    }
  }
  const chainId = Number((await reader.provider.getNetwork()).chainId);
  return {
    vault,
    chainId,
    block: reader.block,
    deployer: getAddress(deployer),
    recordsChecked: records !== undefined,
    admins: live.admins,
    holders: [...rows.values()],
    flags,
  };
}

export function renderAudit(audit: RoleAudit, network: string): string {
  const short = (role: VaultRole) => role.replace(/_ROLE$/, "");
  const flagged = (account: string) =>
    [...new Set(audit.flags.filter((f) => f.account === account).map((f) => f.kind))].join(", ");
  const table = renderTable(
    ["holder", "name", "code", ...VAULT_ROLES.map(short), "flags"],
    audit.holders.map((row) => [
      row.account,
      row.name ?? "?",
      row.hasCode ? "contract" : "EOA",
      ...VAULT_ROLES.map((role) => (row.roles.includes(role) ? "x" : "")),
      flagged(row.account),
    ]),
  );
  const administered = VAULT_ROLES.filter((role) => audit.admins[role] !== "DEFAULT_ADMIN_ROLE").map(
    (role) => `${role} by ${audit.admins[role]}`,
  );
  return [
    `Roles of CoreVault ${audit.vault} on ${network} (chain ${audit.chainId}) at block ${audit.block}; deployer ${audit.deployer}`,
    "",
    table,
    "",
    `admin roles: DEFAULT_ADMIN_ROLE administers every role${administered.length > 0 ? ` except ${administered.join(", ")}` : ""}`,
    ...(audit.recordsChecked ? [] : ["no records for this network: holders were not checked against them"]),
    audit.flags.length === 0 ? "no flags" : `${audit.flags.length} flag(s):`,
    ...(audit.flags.length > 0
      ? [
          renderTable(
            ["flag", "role", "account", "why"],
            audit.flags.map((f) => [f.kind, f.role, f.account, f.message]),
          ),
        ]
      : []),
  ].join("\n");
}
