// The types every cutover check shares, and the small helpers the check files use to build their results.
import { VAULT_ROLES, type VaultRole } from "../corevault/observe.js";
import type { SystemRecord } from "../records/records.js";
import { knownAccounts } from "../roles/audit.js";
import type { RuntimeArtifact } from "./bytecode.js";
import type { DesiredState } from "./desired.js";
import type { ObservedState } from "./observe.js";

export type CheckStatus = "pass" | "fail" | "n/a";

export interface Failure {
  subject: string;
  expected: string;
  found: string;
  fix: string;
}

export interface CheckResult {
  name: string;
  title: string;
  status: CheckStatus;
  /** One line: what was looked at and what it showed. */
  evidence: string;
  failures: Failure[];
}

export interface AppFiles {
  records: SystemRecord;
  /** deployments/<network>/CoreVault.json's address, if the file is there. */
  vaultRecordAddress?: string;
  /** The network verified: the app config's entries read are this network's. */
  network: string;
  contractsModule: { path: string; text?: string };
  envFile: { path: string; text?: string; prefix: string };
  /** Why the app config is not written for this network (then its checks do not apply). */
  appConfigSkipped?: string;
}

export interface VerifyInput {
  desired: DesiredState;
  observed: ObservedState;
  files: AppFiles;
  /** Compiled artifacts of the facets the OrderBooks may run, by contract name. */
  artifacts: Record<string, RuntimeArtifact>;
}

export interface Check {
  name: string;
  title: string;
  run(input: VerifyInput): { status: CheckStatus; evidence: string; failures: Failure[] };
}

export const same = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
export const short = (a: string) => `${a.slice(0, 6)}…${a.slice(-4)}`;
/** Roles whose holder can administer the vault or grant ORDERBOOK_ROLE: the deployer must hold none of them. */
export const ADMIN_ROLES: VaultRole[] = ["DEFAULT_ADMIN_ROLE", "FACTORY_ROLE"];

/** How many (role, holder) pairs `graph` has, and those of them `other` does not (in role order, then holder order). */
export function pairsMissing(
  graph: Record<VaultRole, string[]>,
  other: Record<VaultRole, string[]>,
): { total: number; missing: [VaultRole, string][] } {
  const pairs = VAULT_ROLES.flatMap((role) => graph[role].map((holder) => [role, holder] as [VaultRole, string]));
  return { total: pairs.length, missing: pairs.filter(([role, holder]) => !other[role].some((h) => same(h, holder))) };
}

/** "FUTURES_MARKET_FACTORY 0x…", "OrderBook BTC-USD 0x…", "deployer 0x…": names from the records and the cutover. */
export function namer(desired: DesiredState, records: SystemRecord): (address: string) => string {
  const known = knownAccounts(records);
  known.set(desired.newVault.toLowerCase(), "new CoreVault");
  known.set(desired.oldVault.toLowerCase(), "old CoreVault");
  for (const m of desired.markets) known.set(m.orderBook.toLowerCase(), `OrderBook ${m.symbol}`);
  if (desired.deployer && !known.has(desired.deployer.toLowerCase()))
    known.set(desired.deployer.toLowerCase(), "deployer");
  return (address) => {
    const name = known.get(address.toLowerCase());
    return name ? `${name} ${address}` : address;
  };
}

/** A whole check's result, for the checks that are not in the CHECKS list (funds, claim, withdraw-only). */
export const namedResult = (name: string, title: string, failures: Failure[], evidence: string): CheckResult => ({
  name,
  title,
  ...result(failures, evidence),
});

export function result(failures: Failure[], evidence: string, notApplicable = false) {
  return {
    status: (notApplicable ? "n/a" : failures.length === 0 ? "pass" : "fail") as CheckStatus,
    evidence,
    failures,
  };
}
