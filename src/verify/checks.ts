// The cutover's named checks: pure functions of the desired state (from the plans), the observed state (read through
// the Reader) and the files the app reads. Each gives pass / fail / n/a with evidence, and for every failure what was
// expected, what was found, and the fix. Reports are renderings of these results.
import { getAddress } from "ethers";
import { VAULT_ROLES, type VaultRole } from "../corevault/observe.js";
import type { SystemRecord } from "../records/records.js";
import { envKeysFor, envNetwork, parseContractsModule, type NetworkEntry } from "../records/app-config.js";
import { namesEveryMarket } from "../records/schema.js";
import { knownAccounts } from "../roles/audit.js";
import { compareRuntime, type RuntimeArtifact } from "./bytecode.js";
import { LIBRARY_CODE_CHECK } from "./checks-libraries.js";
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

const same = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
const short = (a: string) => `${a.slice(0, 6)}…${a.slice(-4)}`;
/** Roles whose holder can administer the vault or grant ORDERBOOK_ROLE: the deployer must hold none of them. */
const ADMIN_ROLES: VaultRole[] = ["DEFAULT_ADMIN_ROLE", "FACTORY_ROLE"];

/** How many (role, holder) pairs `graph` has, and those of them `other` does not (in role order, then holder order). */
function pairsMissing(
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

function result(failures: Failure[], evidence: string, notApplicable = false) {
  return {
    status: (notApplicable ? "n/a" : failures.length === 0 ? "pass" : "fail") as CheckStatus,
    evidence,
    failures,
  };
}

/** The last value assigned to `key` in a dotenv text (dotenv lets the last one win). */
function envValue(text: string, key: string): string | undefined {
  let value: string | undefined;
  const pattern = new RegExp(`^\\s*(?:export\\s+)?${key.replace(/[.]/g, "\\.")}\\s*=\\s*["'\`]?([^"'\`#\\s]*)`);
  for (const line of text.split(/\r?\n/)) {
    const match = pattern.exec(line);
    if (match) value = match[1];
  }
  return value;
}

/**
 * The env file's lines, blanking the keys generated for the other networks the contracts module lists: with CREATE2 an
 * address replaced here may be current there.
 */
function ownLines(files: AppFiles): string[] {
  const { text = "", prefix } = files.envFile;
  let networks: [string, NetworkEntry][] = [];
  try {
    networks = Object.entries(parseContractsModule(files.contractsModule.text ?? ""));
  } catch {
    // the contracts module check reports it
  }
  const others = new Set(
    networks
      .filter(([name]) => envNetwork(name) !== envNetwork(files.network))
      .flatMap(([name, entry]) => Object.keys(envKeysFor(entry.contracts, name, prefix))),
  );
  return text.split(/\r?\n/).map((line) => {
    const key = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=/.exec(line)?.[1];
    return key !== undefined && others.has(key) ? "" : line;
  });
}

function staleIn(text: string, stale: DesiredState["staleAddresses"]): DesiredState["staleAddresses"] {
  const lower = text.toLowerCase();
  return stale.filter((s) => lower.includes(s.address.toLowerCase().slice(2)));
}

export const CHECKS: Check[] = [
  {
    name: "plans.complete",
    title: "every cutover run the state comes from finished",
    run({ desired }) {
      const failures: Failure[] = [
        ...desired.runs
          .filter((r) => !r.complete)
          .map((r) => ({
            subject: `run ${r.runKey}`,
            expected: "complete",
            found: `plan ${r.planId.slice(0, 10)} is not complete`,
            fix: "run the same task again: it resumes and finishes the remaining steps",
          })),
        ...desired.unresolved.map((u) => ({
          subject: u,
          expected: "deployed",
          found: "never deployed",
          fix: "run the same task again to finish the run",
        })),
      ];
      return result(
        failures,
        desired.runs
          .map((r) => `${r.runKey} ${r.planId.slice(0, 10)} ${r.complete ? "complete" : "INCOMPLETE"}`)
          .join("; "),
      );
    },
  },
  {
    name: "roles.desired-holders",
    title: "every role holder the plan wired holds its role on the new vault",
    run({ desired, observed, files }) {
      const name = namer(desired, files.records);
      const { total: wanted, missing } = pairsMissing(desired.roles, observed.roles);
      const failures: Failure[] = missing.map(([role, holder]) => ({
        subject: `${role} of ${name(holder)}`,
        expected: "holds the role",
        found: "does not hold it",
        fix: `grant it back: newVault.grantRole(${role}, ${holder}) from the role's admin (corevault:regrant-roles)`,
      }));
      return result(
        failures,
        `${wanted - failures.length}/${wanted} desired (role, holder) pairs hold on ${short(desired.newVault)}`,
      );
    },
  },
  {
    name: "roles.no-unexpected-holders",
    title: "nothing the plan did not wire holds a role on the new vault",
    run({ desired, observed, files }) {
      const name = namer(desired, files.records);
      const { total: holders, missing: unplanned } = pairsMissing(observed.roles, desired.roles);
      const failures: Failure[] = unplanned
        // The deployer keeping an admin role is the deployer check's finding, not this one's.
        .filter(([role, holder]) => !(same(holder, desired.deployer) && ADMIN_ROLES.includes(role)))
        .map(([role, holder]) => ({
          subject: `${role} of ${name(holder)}`,
          expected: "not a holder (no plan of the cutover grants it)",
          found: `holds ${role}`,
          fix: `revoke it: newVault.revokeRole(${role}, ${holder}); if it should hold the role, grant it through corevault:regrant-roles so a plan records it`,
        }));
      return result(
        failures,
        `${holders} (role, holder) pairs on ${short(desired.newVault)} (from RoleGranted events, confirmed with hasRole); ${failures.length} not in the plans`,
      );
    },
  },
  {
    name: "roles.deployer-no-admin",
    title: "the deployer holds no admin role on the new vault",
    run({ desired, observed }) {
      const failures: Failure[] = ADMIN_ROLES.filter((role) =>
        observed.roles[role].some((h) => same(h, desired.deployer)),
      ).map((role) => ({
        subject: `deployer ${desired.deployer}`,
        expected: `no ${role}`,
        found: `holds ${role}`,
        fix: `hand it over: grant ${role === "DEFAULT_ADMIN_ROLE" ? "DEFAULT_ADMIN_ROLE to the admin (e.g. a multisig: --admin / cutover.admin), then " : ""}newVault.renounceRole(${role}, ${desired.deployer}) from the deployer`,
      }));
      return result(
        failures,
        `deployer ${desired.deployer} holds ${failures.length === 0 ? "none" : failures.map((f) => f.found.replace("holds ", "")).join(", ")} of ${ADMIN_ROLES.join(", ")}`,
      );
    },
  },
  {
    name: "markets.mapping",
    title: "marketId -> OrderBook on the new vault is the plan's for every market",
    run({ desired, observed }) {
      const failures: Failure[] = [];
      for (const market of desired.markets) {
        const subject = `market ${market.symbol} (${market.marketId.slice(0, 10)}…)`;
        const found = observed.mapping[market.marketId];
        if (!same(found, market.orderBook)) {
          failures.push({
            subject,
            expected: `marketToOrderBook = ${market.orderBook}`,
            found: found ?? "(the call reverted)",
            fix: `newVault.assignMarketToOrderBook(${market.marketId}, ${market.orderBook}) from the admin or FACTORY_ROLE`,
          });
        }
        const served = observed.orderBooks[market.orderBook]?.marketId;
        if (served !== undefined && served.toLowerCase() !== market.marketId.toLowerCase()) {
          failures.push({
            subject,
            expected: `OrderBook ${market.orderBook} serves this market`,
            found: `it serves ${served}`,
            fix: "map the market to the OrderBook that serves it (assignMarketToOrderBook)",
          });
        }
      }
      return result(
        failures,
        `${desired.markets.length - new Set(failures.map((f) => f.subject)).size}/${desired.markets.length} markets map to the plan's OrderBook`,
      );
    },
  },
  {
    name: "orderbooks.registered",
    title: "every OrderBook the plan registered is registered on the new vault",
    run({ desired, observed, files }) {
      const name = namer(desired, files.records);
      const registered = new Set(observed.newVault.registered.map((a) => a.toLowerCase()));
      const failures = desired.registered
        .filter((book) => !registered.has(book.toLowerCase()))
        .map((book) => ({
          subject: name(book),
          expected: "registered",
          found: "not in getRegisteredOrderBooks()",
          fix: `newVault.registerOrderBook(${book}) from the admin or FACTORY_ROLE`,
        }));
      return result(
        failures,
        `${desired.registered.length - failures.length}/${desired.registered.length} registered (${observed.newVault.registered.length} in the registry)`,
      );
    },
  },
  {
    name: "orderbooks.vault",
    title: "every OrderBook's stored vault is the new vault",
    run({ desired, observed }) {
      const failures: Failure[] = [];
      for (const market of desired.markets) {
        const stored = observed.orderBooks[market.orderBook]?.vault;
        if (same(stored, desired.newVault)) continue;
        failures.push({
          subject: `OrderBook ${market.symbol} ${market.orderBook}`,
          expected: `vault() = new CoreVault ${desired.newVault}`,
          found:
            stored === undefined
              ? "vault() reverted"
              : same(stored, desired.oldVault)
                ? `the OLD vault ${stored}`
                : stored,
          fix: `orderbook:rewire --orderbooks ${market.orderBook} (its owner cuts in the vault-admin facet and calls setVault)`,
        });
      }
      const books = desired.markets.length;
      return result(failures, `${books - failures.length}/${books} OrderBooks call ${short(desired.newVault)}`);
    },
  },
  {
    name: "orderbooks.facets",
    title: "every OrderBook runs only known facets, and each facet's code is its compiled artifact",
    run({ desired, observed, artifacts }) {
      const known = new Map(desired.knownFacets.map((f) => [f.address.toLowerCase(), f.name]));
      const failures: Failure[] = [];
      const inUse = new Map<string, string[]>();
      for (const market of desired.markets) {
        const facets = observed.orderBooks[market.orderBook]?.facets;
        if (!facets) {
          failures.push({
            subject: `OrderBook ${market.symbol} ${market.orderBook}`,
            expected: "a diamond answering facetAddresses()",
            found: "the call reverted",
            fix: "check the address: it is not an EIP-2535 OrderBook",
          });
          continue;
        }
        for (const facet of facets) {
          if (!inUse.has(facet.toLowerCase())) inUse.set(facet.toLowerCase(), []);
          inUse.get(facet.toLowerCase())!.push(market.symbol);
        }
      }
      for (const [facet, books] of inUse) {
        const where = `${books.length} OrderBook(s): ${books.slice(0, 3).join(", ")}${books.length > 3 ? ", …" : ""}`;
        const address = getAddress(facet);
        const name = known.get(facet);
        if (!name) {
          failures.push({
            subject: `facet ${address} in ${where}`,
            expected: "a facet of the factory template or one the cutover deployed",
            found: "an unknown facet",
            fix: "find who cut it in (DiamondCut events); remove it with diamondCut, or record it if it is meant to be there",
          });
          continue;
        }
        const artifact = artifacts[name];
        const code = observed.facetCode[address] ?? "0x";
        const comparison = artifact ? compareRuntime(code, artifact) : undefined;
        if (comparison?.match) continue;
        failures.push({
          subject: `${name} ${address} in ${where}`,
          expected: artifact
            ? `the runtime code of artifact ${name} (keccak ${comparison!.expectedHash.slice(0, 18)}…)`
            : `an artifact named ${name}`,
          found: comparison
            ? `code hash ${comparison.liveHash.slice(0, 18)}…: ${comparison.reason}`
            : "no artifact to compare with",
          fix: `the facet is not the code the plan was made with: deploy ${name} again and cut it in (orderbook:rewire --allow-takeover), then find out how the code changed`,
        });
      }
      return result(
        failures,
        `${desired.markets.length} OrderBooks run ${inUse.size} distinct facets; ${desired.knownFacets.length} known facets (template and cutover)`,
      );
    },
  },
  ...(["factory", "hub"] as const).map((kind): Check => ({
    name: `${kind}.vault`,
    title:
      kind === "factory"
        ? "the factory points at the new vault (or the new factory is recorded and does)"
        : "the CollateralHub points at the new vault",
    run({ desired, observed, files }) {
      const pointer = desired.pointers.find((p) => p.kind === kind);
      if (!pointer) return result([], `no ${kind} in the plan`, true);
      const failures: Failure[] = [];
      const inCode = observed.withoutGetter.pointerInCode[pointer.address];
      // an immutable pointer without a getter is read from the runtime code, where the immutable is
      const found = inCode ? pointer.vault : observed.pointers[pointer.address];
      const label = `${pointer.deployedByCutover ? "new " : ""}${pointer.contract} ${pointer.address}`;
      if (!same(found, pointer.vault)) {
        failures.push({
          subject: label,
          expected: `vault() = ${pointer.vault}`,
          found: found ?? (inCode === false ? "not among its code's words (no getter)" : "vault() reverted"),
          fix: pointer.deployedByCutover
            ? "the new factory's vault is fixed at deployment: redeploy it for the new vault"
            : `${pointer.address}.setVault(${pointer.vault}) from its admin`,
        });
      }
      const recorded = files.records.contracts.FUTURES_MARKET_FACTORY;
      if (kind === "factory" && pointer.deployedByCutover && !same(recorded, pointer.address)) {
        failures.push({
          subject: "FUTURES_MARKET_FACTORY in the records",
          expected: pointer.address,
          found: recorded ?? "(absent)",
          fix: "run corevault:redeploy again to write its records (future markets must use the new factory)",
        });
      }
      return result(
        failures,
        `${label}: ${inCode === undefined ? "vault()" : "vault (immutable in its code, no getter)"} = ${found ?? "?"}${pointer.deployedByCutover ? `, recorded as FUTURES_MARKET_FACTORY: ${same(recorded, pointer.address)}` : ""}`,
      );
    },
  })),
  {
    name: "vault.liquidation-manager",
    title: "the liquidation manager is the old vault's (the plan's)",
    run({ desired, observed }) {
      const found = observed.newVault.liquidationManager;
      if (observed.withoutGetter.liquidationManager)
        return result(
          [],
          `not readable from chain (the profile has no getter for it): checked against the plan, which sets ${desired.liquidationManager}`,
        );
      const failures = same(found, desired.liquidationManager)
        ? []
        : [
            {
              subject: "new CoreVault liquidationManager()",
              expected: desired.liquidationManager,
              found: found ?? "(reverted)",
              fix: `newVault.setLiquidationManager(${desired.liquidationManager}) from the admin`,
            },
          ];
      return result(
        failures,
        `new ${found ?? "?"}, plan ${desired.liquidationManager}, old vault ${observed.oldVault.liquidationManager ?? "?"}`,
      );
    },
  },
  {
    name: "vault.mmr-params",
    title: "the MMR params are the old vault's (the plan's)",
    run({ desired, observed }) {
      const found = observed.newVault.mmrParams?.join(",");
      const expected = desired.mmrParams.join(",");
      const failures =
        found === expected
          ? []
          : [
              {
                subject: "new CoreVault mmrParams()",
                expected,
                found: found ?? "(reverted)",
                fix: `newVault.setMmrParams(${desired.mmrParams.join(", ")}) from the admin`,
              },
            ];
      return result(
        failures,
        `new (${found ?? "?"}), plan (${expected}), old vault (${observed.oldVault.mmrParams?.join(",") ?? "?"})`,
      );
    },
  },
  {
    name: "old-vault.paused",
    title: "the old vault is paused when the plan paused it",
    run({ desired, observed }) {
      if (!desired.pauseOld) return result([], `the plan did not pause it (paused: ${observed.oldVault.paused})`, true);
      const failures =
        observed.oldVault.paused === true
          ? []
          : [
              {
                subject: `old CoreVault ${desired.oldVault}`,
                expected: "paused",
                found: observed.oldVault.paused === false ? "not paused" : "paused() reverted",
                fix: "oldVault.pause() from its admin",
              },
            ];
      return result(failures, `old vault paused: ${observed.oldVault.paused}`);
    },
  },
  {
    name: "old-vault.halted",
    title: "no OrderBook the plan halted holds ORDERBOOK_ROLE on the old vault",
    run({ desired, observed }) {
      if (desired.haltedOnOld.length === 0) return result([], "the plan did not halt the old vault", true);
      const failures: Failure[] = Object.entries(observed.oldVault.haltedOrderBooks)
        .filter(([, holds]) => holds !== false)
        .map(([book, holds]) => ({
          subject: `OrderBook ${book} on the old CoreVault ${desired.oldVault}`,
          expected: "no ORDERBOOK_ROLE (trading there halted)",
          found: holds === undefined ? "hasRole reverted" : "holds ORDERBOOK_ROLE",
          fix: `oldVault.revokeRole(ORDERBOOK_ROLE, ${book}) from its admin (corevault:redeploy --halt-old)`,
        }));
      return result(
        failures,
        `${desired.haltedOnOld.length - failures.length}/${desired.haltedOnOld.length} halted OrderBooks without ORDERBOOK_ROLE on the old vault`,
      );
    },
  },
  {
    name: "collateral.decimals",
    title: "the new vault's collateral is the plan's, with 6 decimals",
    run({ desired, observed }) {
      const failures: Failure[] = [];
      const { collateralInCode } = observed.withoutGetter;
      if (collateralInCode === false)
        failures.push({
          subject: "new CoreVault runtime code (no collateral getter in the profile)",
          expected: `the immutable ${desired.collateral}`,
          found: "not among its 32-byte words",
          fix: "the collateral is immutable: redeploy the vault with the right --collateral",
        });
      else if (collateralInCode === undefined && !same(observed.newVault.collateral, desired.collateral)) {
        failures.push({
          subject: "new CoreVault collateralToken()",
          expected: desired.collateral,
          found: observed.newVault.collateral ?? "(reverted)",
          fix: "the collateral is immutable: redeploy the vault with the right --collateral",
        });
      }
      if (observed.collateralDecimals !== 6) {
        failures.push({
          subject: `collateral ${desired.collateral} decimals()`,
          expected: "6",
          found: String(observed.collateralDecimals ?? "(reverted)"),
          fix: "use a 6-decimals USDC as collateral (redeploy with --collateral)",
        });
      }
      const read = collateralInCode
        ? `${desired.collateral} (an immutable in the new vault's code; no getter)`
        : (observed.newVault.collateral ?? "?");
      return result(failures, `collateral ${read}, ${observed.collateralDecimals ?? "?"} decimals`);
    },
  },
  {
    name: "vault.libraries",
    title: "the libraries linked into the new vault's bytecode are the plan's",
    run({ desired, observed }) {
      const failures: Failure[] = [];
      if (!observed.newVault.hasCode)
        failures.push({
          subject: `new CoreVault ${desired.newVault}`,
          expected: "code",
          found: "no code at that address",
          fix: "check the network: the records name a vault this chain does not have",
        });
      for (const [name, expected] of Object.entries(desired.libraries)) {
        const found = observed.newVault.libraries[name];
        if (observed.newVault.hasCode && !same(found, expected))
          failures.push({
            subject: `library ${name}`,
            expected,
            found: found ?? "(not linked)",
            fix: "the links are in the bytecode: redeploy the vault with --libraries pointing at the expected ones",
          });
      }
      return result(
        failures,
        Object.entries(observed.newVault.libraries)
          .map(([n, a]) => `${n}=${short(a)}`)
          .join(", ") || "no linked libraries read",
      );
    },
  },
  LIBRARY_CODE_CHECK,
  {
    name: "records.addresses",
    title: "the records name the new contracts and no replaced one",
    run({ desired, files }) {
      const { records } = files;
      const failures: Failure[] = [];
      const fix =
        "run the cutover task again (it writes the records from confirmed receipts), or restore deployments/ from the machine that ran it";
      if (!same(records.contracts.CORE_VAULT, desired.newVault))
        failures.push({
          subject: `CORE_VAULT in deployments/${records.network}-deployment.json`,
          expected: desired.newVault,
          found: records.contracts.CORE_VAULT ?? "(absent)",
          fix,
        });
      if (!same(files.vaultRecordAddress, desired.newVault))
        failures.push({
          subject: `deployments/${records.network}/CoreVault.json address`,
          expected: desired.newVault,
          found: files.vaultRecordAddress ?? "(no file)",
          fix,
        });
      const byId = new Map(records.markets.map((m) => [m.marketId.toLowerCase(), m]));
      // the protocol's own layout names one market, not all: a market it does not name is not missing from it
      const everyMarket = namesEveryMarket(records);
      for (const market of desired.markets) {
        const recorded = byId.get(market.marketId.toLowerCase());
        if ((recorded || everyMarket) && !same(recorded?.orderBook, market.orderBook))
          failures.push({
            subject: `market ${market.symbol} in the records`,
            expected: market.orderBook,
            found: recorded?.orderBook ?? "(absent)",
            fix,
          });
      }
      for (const stale of desired.staleAddresses) {
        for (const [key, address] of Object.entries(records.contracts)) {
          if (same(address, stale.address))
            failures.push({
              subject: `${key} in the records`,
              expected: "a current address",
              found: `${address}, replaced by the cutover (was ${stale.key})`,
              fix,
            });
        }
      }
      return result(
        failures,
        `CORE_VAULT ${records.contracts.CORE_VAULT ?? "?"}; ${desired.markets.length} markets; ${desired.staleAddresses.length} replaced address(es) kept only under "superseded"`,
      );
    },
  },
  {
    name: "app-config.contracts-module",
    title: "the app's contracts module carries the new addresses and no stale one",
    run({ desired, files }) {
      const { path, text } = files.contractsModule;
      if (files.appConfigSkipped) return result([], files.appConfigSkipped, true);
      if (text === undefined)
        return result(
          [
            {
              subject: path,
              expected: "the generated contracts module",
              found: "no such file",
              fix: "run corevault:redeploy again to write it (cutover.appConfig.contractsModule)",
            },
          ],
          `${path} missing`,
        );
      let entry: NetworkEntry | undefined;
      try {
        entry = parseContractsModule(text)[files.network];
      } catch (error) {
        const fix = "restore it from version control, or delete it and run the cutover task again";
        return result(
          [{ subject: path, expected: "a readable generated module", found: (error as Error).message, fix }],
          `${path} unreadable`,
        );
      }
      if (entry === undefined)
        return result(
          [
            {
              subject: path,
              expected: `an entry for network ${files.network}`,
              found: `entries for ${Object.keys(parseContractsModule(text)).join(", ") || "no network"}`,
              fix: "run the cutover task again on this network to write its entry (cutover.appConfig.contractsModule)",
            },
          ],
          `${path} has no ${files.network} entry`,
        );
      const failures: Failure[] = [];
      for (const [key, address] of Object.entries(desired.currentContracts)) {
        const found = entry.contracts[key];
        if (!same(found, address))
          failures.push({
            subject: `${key} (${files.network}) in ${path}`,
            expected: address,
            found: found ?? "(absent)",
            fix: "regenerate it from the records (run the cutover task again); never edit it by hand",
          });
      }
      for (const stale of staleIn(JSON.stringify(entry), desired.staleAddresses))
        failures.push({
          subject: `${path} (${files.network})`,
          expected: `no ${stale.key} replaced by the cutover`,
          found: `still mentions ${stale.address}`,
          fix: "regenerate it from the records (run the cutover task again)",
        });
      return result(
        failures,
        `${Object.keys(desired.currentContracts).length} ${files.network} addresses checked in ${path}`,
      );
    },
  },
  {
    name: "app-config.env-file",
    title: "the app's env file carries the new addresses and no stale one",
    run({ desired, files }) {
      const { path, text, prefix } = files.envFile;
      if (files.appConfigSkipped) return result([], files.appConfigSkipped, true);
      if (text === undefined)
        return result(
          [
            {
              subject: path,
              expected: "the env file with the contract addresses",
              found: "no such file",
              fix: "run corevault:redeploy again to write it (cutover.appConfig.envFile)",
            },
          ],
          `${path} missing`,
        );
      const failures: Failure[] = [];
      const keys = envKeysFor(desired.currentContracts, files.network, prefix);
      for (const [envKey, address] of Object.entries(keys)) {
        const found = envValue(text, envKey);
        if (!same(found, address))
          failures.push({
            subject: `${envKey} in ${path}`,
            expected: address,
            found: found ?? "(absent)",
            fix: `set ${envKey}=${address} (the last assignment wins)`,
          });
      }
      const lines = ownLines(files);
      for (const stale of staleIn(lines.join("\n"), desired.staleAddresses)) {
        const line = lines.findIndex((l) => l.toLowerCase().includes(stale.address.toLowerCase().slice(2))) + 1;
        failures.push({
          subject: `${path}:${line}`,
          expected: `no ${stale.key} replaced by the cutover`,
          found: `${stale.address} (the old ${stale.key})`,
          fix: `remove or update that line; cutover:scan-stale lists every file that still mentions it`,
        });
      }
      return result(
        failures,
        `${Object.keys(keys).length} ${prefix}${envNetwork(files.network)}_*_ADDRESS keys checked in ${path}`,
      );
    },
  },
];

export function runChecks(input: VerifyInput): CheckResult[] {
  return CHECKS.map((check) => ({ name: check.name, title: check.title, ...check.run(input) }));
}
