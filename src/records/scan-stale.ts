// Finds files that still mention an address the cutover retired (an app config, a script, a doc).
import { readFile, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { CutoverInputError } from "../errors.js";
import { readSystemRecord, systemRecordPath } from "./records.js";

export interface StaleReference {
  /** Relative to the scanned root, with `/` separators. */
  file: string;
  line: number;
  /** 1-based, in UTF-16 code units (JavaScript string positions). */
  column: number;
  /** As written in the file. */
  address: string;
  /** The trimmed line, cut to 160 characters. */
  text: string;
}

export interface ScanOptions {
  /** More paths to skip, in the form of DEFAULT_IGNORE. */
  ignore?: string[];
}

/** A supersession entry of the system record; the newest is last. */
export type { SupersededEntry } from "./schema.js";

/**
 * Skipped paths. A pattern without `/` is a file or folder name at any depth; one with `/` is a path from the root.
 * `*` stands for any one name.
 */
export const DEFAULT_IGNORE = [
  "node_modules",
  ".git",
  "artifacts",
  "cache",
  "dist",
  ".tools",
  "deployments/.previous",
  "deployments/*/.cutover",
];

const MAX_FILE_BYTES = 2 * 1024 * 1024;
// An address is 0x + exactly 40 hex digits: not the start or the middle of a longer hex string (a hash, calldata).
const ADDRESS = /(?<![0-9a-fA-F])0x[0-9a-fA-F]{40}(?![0-9a-fA-F])/g;

function matcher(patterns: string[]): (relative: string) => boolean {
  const expressions = patterns.map((pattern) => {
    const body = pattern
      .split("/")
      .map((name) => name.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*"))
      .join("/");
    return new RegExp(pattern.includes("/") ? `^${body}$` : `(^|/)${body}$`);
  });
  return (relative) => expressions.some((expression) => expression.test(relative));
}

/** Every occurrence of any of `addresses` (any letter case) under `root`, ordered by file, line, column. */
export async function scanStale(
  root: string,
  addresses: string[],
  options: ScanOptions = {},
): Promise<StaleReference[]> {
  for (const address of addresses) {
    if (!/^0x[0-9a-fA-F]{40}$/.test(address))
      throw new CutoverInputError("address", address, "pass 0x followed by 40 hex digits");
  }
  const wanted = new Set(addresses.map((address) => address.toLowerCase()));
  const ignored = matcher([...DEFAULT_IGNORE, ...(options.ignore ?? [])]);
  const found: StaleReference[] = [];

  async function walk(relativeDir: string): Promise<void> {
    const entries = await readdir(path.join(root, relativeDir), { withFileTypes: true });
    for (const entry of entries) {
      const relative = relativeDir === "" ? entry.name : `${relativeDir}/${entry.name}`;
      if (ignored(relative)) continue;
      // Symbolic links are not followed: they could leave the root or loop.
      if (entry.isDirectory()) await walk(relative);
      else if (entry.isFile()) await scanFile(relative);
    }
  }

  async function scanFile(relative: string): Promise<void> {
    const file = path.join(root, relative);
    if ((await stat(file)).size > MAX_FILE_BYTES) return;
    const bytes = await readFile(file);
    if (bytes.includes(0)) return; // binary
    const lines = bytes.toString("utf8").split("\n");
    lines.forEach((line, index) => {
      for (const match of line.matchAll(ADDRESS)) {
        if (!wanted.has(match[0].toLowerCase())) continue;
        found.push({
          file: relative,
          line: index + 1,
          column: match.index + 1,
          address: match[0],
          text: line.trim().slice(0, 160),
        });
      }
    });
  }

  await walk("");
  return found.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
}

/**
 * Every vault a cutover on `network` replaced: the CORE_VAULT of each `superseded` entry of
 * `deployments/<network>-deployment.json` under `projectRoot`, oldest first.
 */
export async function supersededVaults(projectRoot: string, network: string): Promise<string[]> {
  const record = await readSystemRecord(projectRoot, network);
  const vaults = (record.superseded ?? []).flatMap((entry) =>
    typeof entry.CORE_VAULT === "string" ? [entry.CORE_VAULT] : [],
  );
  if (vaults.length === 0) {
    throw new CutoverInputError(
      "--address",
      undefined,
      `${systemRecordPath(projectRoot, network)} records no superseded vault (no cutover on ${network} yet); pass the old vault, e.g. --address 0x5FbDB2315678afecb367f032d93F642f64180aa3`,
    );
  }
  return [...new Set(vaults)];
}
