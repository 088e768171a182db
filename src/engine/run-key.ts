// Run keys: the name of a run's folder, deployments/<network>/.cutover/<runKey>/. Built and parsed here only, so the
// tasks that write runs and the readers that find them (verify, status) agree. A key is "<kind>-<subject>[-<more>]";
// the keys are the ones runs on disk already have: changing a builder's output would orphan those runs.
import { keccak256, toUtf8Bytes } from "ethers";

export type RunKind =
  | "corevault-redeploy"
  | "corevault-regrant-roles"
  | "corevault-resume-old"
  | "orderbook-rewire"
  | "orderbook-redeploy"
  | "transfer-ownership"
  | "diamond-stage"
  | "diamond-apply"
  | "diamond-facets"
  | "funds-migrate";

/**
 * A key read back. `subject` is what the run operates on: the vault (the one replaced by a CoreVault redeploy; the
 * one OrderBooks are moved to, or whose roles are regranted; the records' CORE_VAULT, or "system", for an ownership
 * transfer), the facet plan's id for a diamond stage / apply, the digest of the facet names for diamond:plan.
 */
export interface ParsedRunKey {
  kind: RunKind;
  subject: string;
  /** corevault-regrant-roles: digest of the desired role graph and --revoke-extra; orderbook runs: of --markets. */
  digest?: string;
  /** transfer-ownership: the new owner. */
  to?: string;
}

export const runKeys = {
  /** corevault:redeploy of `oldVault`. */
  corevaultRedeploy: (oldVault: string) => `corevault-redeploy-${oldVault.toLowerCase()}`,
  /** corevault:redeploy --resume-old: trading given back to the OrderBooks on `oldVault`, the vault unpaused. */
  resumeOld: (oldVault: string) => `corevault-resume-old-${oldVault.toLowerCase()}`,
  /** orderbook:rewire onto `vault`: "cut" rewires each diamond in place, any other strategy redeploys the OrderBooks. */
  orderbookRewire: (strategy: string, vault: string, markets?: string) =>
    `orderbook-${strategy === "cut" ? "rewire" : "redeploy"}-${vault.toLowerCase()}${markets ? `-${markets}` : ""}`,
  /** The digest a run moving only some markets (--markets / --except-markets) adds to its key: one run per choice. */
  marketsDigest: (input: string, values: string[]) =>
    keccak256(
      toUtf8Bytes(
        `${input}:${values
          .map((v) => v.toLowerCase())
          .sort()
          .join(",")}`,
      ),
    ).slice(2, 18),
  /** corevault:regrant-roles on `vault`; `digest` names the desired graph, so a changed graph starts a new run. */
  regrantRoles: (vault: string, digest: string) => `corevault-regrant-roles-${vault.toLowerCase()}-${digest}`,
  /** cutover:transfer-ownership of the system whose CORE_VAULT is `vault` (undefined: "system") to `to`. */
  transferOwnership: (vault: string | undefined, to: string) =>
    `transfer-ownership-${vault?.toLowerCase() ?? "system"}-to-${to.toLowerCase()}`,
  /** diamond:stage-plan / diamond:rollback staging of the change `id`. */
  diamondStage: (id: string) => `diamond-stage-${id}`,
  /** diamond:apply-plan / diamond:rollback applying the change `id`. */
  diamondApply: (id: string) => `diamond-apply-${id}`,
  /** diamond:plan deploying the facets `names` (in any order). */
  diamondFacets: (names: string[]) =>
    `diamond-facets-${keccak256(toUtf8Bytes(names.slice().sort().join(","))).slice(2, 18)}`,
  /** corevault:migrate-funds in `mode` onto `vault` from the snapshot whose Merkle root is `root`. */
  fundsMigrate: (mode: string, vault: string, root: string) =>
    `funds-migrate-${vault.toLowerCase()}-${mode}-${root.slice(2, 18)}`,
};

// Longest prefixes first: "orderbook-redeploy-" must not be read as a CoreVault redeploy, nor the reverse.
const PREFIXES: RunKind[] = [
  "corevault-regrant-roles",
  "corevault-resume-old",
  "corevault-redeploy",
  "orderbook-rewire",
  "orderbook-redeploy",
  "transfer-ownership",
  "diamond-stage",
  "diamond-apply",
  "diamond-facets",
  "funds-migrate",
];

/** The kind and subject of a run key; undefined for a folder no known task writes. */
export function parseRunKey(key: string): ParsedRunKey | undefined {
  const kind = PREFIXES.find((k) => key.startsWith(`${k}-`));
  if (!kind) return undefined;
  const rest = key.slice(kind.length + 1);
  if (kind === "corevault-regrant-roles") {
    const match = /^(0x[0-9a-f]{40})-(.+)$/.exec(rest);
    return match ? { kind, subject: match[1], digest: match[2] } : undefined;
  }
  if (kind === "orderbook-rewire" || kind === "orderbook-redeploy") {
    const match = /^(0x[0-9a-f]{40})(?:-([0-9a-f]{16}))?$/.exec(rest);
    if (match) return { kind, subject: match[1], ...(match[2] ? { digest: match[2] } : {}) };
  }
  if (kind === "transfer-ownership") {
    const match = /^(0x[0-9a-f]{40}|system)-to-(.+)$/.exec(rest);
    return match ? { kind, subject: match[1], to: match[2] } : undefined;
  }
  return rest === "" ? undefined : { kind, subject: rest };
}

/** The kinds of run that act on a vault they name: its redeploy, OrderBooks moved to it, its roles regranted. */
const VAULT_RUNS: RunKind[] = [
  "corevault-redeploy",
  "orderbook-rewire",
  "orderbook-redeploy",
  "corevault-regrant-roles",
];

/** True when the run `key` names is aimed at `vault` (see VAULT_RUNS). */
export function runAimsAt(key: string, vault: string): boolean {
  const parsed = parseRunKey(key);
  return parsed !== undefined && VAULT_RUNS.includes(parsed.kind) && parsed.subject === vault.toLowerCase();
}
