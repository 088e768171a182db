// Checks on the files the app reads: the records, the generated contracts module and the env file name the new
// contracts and no replaced one.
import { envKeysFor, envNetwork, parseContractsModule, type NetworkEntry } from "../records/app-config.js";
import { namesEveryMarket } from "../records/schema.js";
import { result, same, type AppFiles, type Check, type Failure } from "./checks-core.js";
import type { DesiredState } from "./desired.js";

/** The last value assigned to `key` in a dotenv text (dotenv lets the last one win). */
/** A failed check for an app file the cutover writes and that is not there. */
function missingFile(path: string, expected: string, configKey: string) {
  const fix = `run corevault:redeploy again to write it (cutover.appConfig.${configKey})`;
  return result([{ subject: path, expected, found: "no such file", fix }], `${path} missing`);
}

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

/** This network's entry in the contracts module, or the failure that says why there is none. */
function moduleEntry(
  path: string,
  text: string,
  network: string,
): { entry: NetworkEntry } | { failure: Failure; evidence: string } {
  let entries: Record<string, NetworkEntry>;
  try {
    entries = parseContractsModule(text);
  } catch (error) {
    const fix = "restore it from version control, or delete it and run the cutover task again";
    const failure = { subject: path, expected: "a readable generated module", found: (error as Error).message, fix };
    return { failure, evidence: `${path} unreadable` };
  }
  const entry = entries[network];
  if (entry !== undefined) return { entry };
  const failure = {
    subject: path,
    expected: `an entry for network ${network}`,
    found: `entries for ${Object.keys(entries).join(", ") || "no network"}`,
    fix: "run the cutover task again on this network to write its entry (cutover.appConfig.contractsModule)",
  };
  return { failure, evidence: `${path} has no ${network} entry` };
}

export const APP_FILE_CHECKS: Check[] = [
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
      if (text === undefined) return missingFile(path, "the generated contracts module", "contractsModule");
      const read = moduleEntry(path, text, files.network);
      if ("failure" in read) return result([read.failure], read.evidence);
      const { entry } = read;
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
      if (text === undefined) return missingFile(path, "the env file with the contract addresses", "envFile");
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
