// Dangerous values, refused before anything is sent: each check reads the chain (through the Reader, so a failed read
// is an RPC error, never "bad input") and throws a CutoverInputError naming the input, the value and the fix. Tasks
// and planners call one function per input.
import { ZeroAddress } from "ethers";
import { CutoverInputError } from "../errors.js";
import type { NetworkConnection } from "hardhat/types/network";
import type { ExecutorChoice } from "./authority.js";
import type { ContractCatalog } from "./contracts.js";
import { Reader } from "./reader.js";

const ZERO_FIX = "the zero address cannot act and nothing sent to it can be undone; give the real account's address";

/** Throws when `address` is the zero address (an authority, admin, owner or target). */
export function refuseZero(input: string, address: string): void {
  if (address.toLowerCase() === ZeroAddress) throw new CutoverInputError(input, address, ZERO_FIX);
}

/** Answers ERC-20's totalSupply() and decimals(): a token, not an account that can administer anything. */
async function isToken(reader: Reader, address: string): Promise<boolean> {
  const [supply, decimals] = await reader.tryCallMany([
    { to: address, contract: "MockUSDC", fn: "totalSupply", args: [] },
    { to: address, contract: "MockUSDC", fn: "decimals", args: [] },
  ]);
  return supply !== undefined && decimals !== undefined;
}

/**
 * An account that will hold admin powers or ownership: not the zero address, not a token contract, and (unless
 * `allowEoa`) a contract (a Safe, a timelock), since a mistyped EOA cannot be undone.
 */
export async function checkAuthorityAccount(
  reader: Reader,
  input: string,
  address: string,
  options: { allowEoa: boolean; why?: string },
): Promise<void> {
  refuseZero(input, address);
  const code = await reader.code(address);
  if (code === "0x") {
    if (!options.allowEoa)
      throw new CutoverInputError(
        input,
        address,
        `no contract there (an EOA or a mistyped address)${options.why ? `: ${options.why}` : ""}; give the Safe's or timelock's address, or add --allow-eoa if an EOA is really meant`,
      );
    return;
  }
  if (code.toLowerCase().startsWith(`0x73${address.slice(2).toLowerCase()}`))
    throw new CutoverInputError(
      input,
      address,
      "it is a library (its code starts with the library call guard), which cannot call anything; give the Safe, timelock or account that should hold the powers",
    );
  if (await isToken(reader, address))
    throw new CutoverInputError(
      input,
      address,
      "it is a token contract (it answers totalSupply() and decimals()), which cannot use admin powers; give the Safe, timelock or account that should hold them",
    );
}

/** A Safe: has code, answers VERSION() and getOwners() with at least one owner. */
export async function checkSafe(reader: Reader, input: string, address: string): Promise<void> {
  refuseZero(input, address);
  const [version, owners] = await reader.tryCallMany([
    { to: address, contract: "ISafe", fn: "VERSION", args: [] },
    { to: address, contract: "ISafe", fn: "getOwners", args: [] },
  ]);
  if (typeof version !== "string" || !Array.isArray(owners) || owners.length === 0)
    throw new CutoverInputError(
      input,
      address,
      `it is not a Safe (${(await reader.hasCode(address)) ? "a contract that does not answer VERSION() and getOwners()" : "no contract there"}); give the address of the Safe that holds the admin roles`,
    );
}

/** A TimelockController: answers getMinDelay(). */
export async function checkTimelock(reader: Reader, input: string, address: string): Promise<void> {
  refuseZero(input, address);
  const delay = await reader.tryCall({ to: address, contract: "Timelock", fn: "getMinDelay", args: [] });
  if (delay === undefined)
    throw new CutoverInputError(
      input,
      address,
      "it is not a TimelockController (it does not answer getMinDelay()); give the address of the timelock that holds the admin roles",
    );
}

/**
 * Whether `code` is the library artifact's runtime code: a deployed library's code starts with PUSH20 <its own
 * address> (the call guard), so those 20 bytes are compared as zeros.
 */
export function isLibraryCode(code: string, artifactCode: string): boolean {
  const live = code.toLowerCase();
  const guarded = live.startsWith("0x73") ? `0x73${"0".repeat(40)}${live.slice(44)}` : live;
  return guarded === artifactCode.toLowerCase();
}

/** A deployed library whose runtime code is the artifact's (isLibraryCode). */
export async function checkLibraryCode(
  reader: Reader,
  input: string,
  name: string,
  address: string,
  hint: string,
): Promise<void> {
  refuseZero(input, address);
  const expected = (await reader.catalog.artifact(name)).deployedBytecode.toLowerCase();
  const code = (await reader.code(address)).toLowerCase();
  if (!isLibraryCode(code, expected))
    throw new CutoverInputError(
      input,
      address,
      `${code === "0x" ? "no code at that address" : `the code there is not the ${name} library (${(code.length - 2) / 2} bytes, not the artifact's ${(expected.length - 2) / 2})`}; ${hint}`,
    );
}

/** A contract the new system will call: not zero, code on this chain. */
export async function checkHasCode(reader: Reader, input: string, address: string, fix: string): Promise<void> {
  refuseZero(input, address);
  if (!(await reader.hasCode(address))) throw new CutoverInputError(input, address, `no contract there; ${fix}`);
}

/** One bound a contract enforces on a number, refused here instead of reverting after other steps were sent. */
export function checkBounds(input: string, value: bigint, min: bigint, max: bigint, why: string): void {
  if (value < min || value > max)
    throw new CutoverInputError(input, value.toString(), `it must be between ${min} and ${max} (${why})`);
}

/** The Safe or timelock given with --executor is what it claims to be (read at the latest block). */
export async function checkChosenAuthority(
  conn: NetworkConnection,
  catalog: ContractCatalog,
  choice: ExecutorChoice,
): Promise<void> {
  if (!choice.safe && !choice.timelock) return;
  const reader = new Reader(conn.ethers.provider, catalog, await conn.ethers.provider.getBlockNumber());
  if (choice.safe) await checkSafe(reader, "--safe", choice.safe);
  if (choice.timelock) await checkTimelock(reader, "--timelock", choice.timelock);
}

/**
 * The holders a role graph gives (a config's role overrides, a desired graph), each checked like an admin: never the
 * zero address, a token or a library; DEFAULT_ADMIN_ROLE holders never an EOA unless `allowEoa` (other roles' holders
 * are operators, EOAs by design). `skip` leaves out holders that already hold the role.
 */
export async function checkRoleHolders(
  reader: Reader,
  source: string,
  graph: Record<string, string[] | undefined>,
  options: { allowEoa: boolean; skip?: (role: string, holder: string) => boolean },
): Promise<void> {
  for (const [role, holders] of Object.entries(graph))
    for (const holder of holders ?? []) {
      if (options.skip?.(role, holder)) continue;
      const admin = role === "DEFAULT_ADMIN_ROLE";
      await checkAuthorityAccount(reader, `${role} in ${source}`, holder, {
        allowEoa: !admin || options.allowEoa,
        why: admin ? "a key that a typo or a leak makes an admin of the vault" : undefined,
      });
    }
}
