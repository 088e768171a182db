// The state a finished cutover must leave on chain, derived from what the cutover itself recorded: the records'
// `superseded` entry (old vault -> new vault) and the stored plans of the runs that built the new vault (the redeploy,
// then any rewire / OrderBook redeploy / role regrant aimed at it), with the addresses their journals saw deployed.
// Replaying the plans' calls on the new vault gives the role graph, registry and market mapping it must hold.
import { getAddress, isAddress } from "ethers";
import { CutoverInputError } from "../errors.js";
import type { ContractCatalog } from "../engine/contracts.js";
import { VAULT_ROLES, type VaultRole } from "../corevault/observe.js";
import { LIBRARY_RECORD_KEYS } from "../corevault/plan-redeploy.js";
import { appAddresses } from "../records/app-config.js";
import type { SystemRecord } from "../records/records.js";
import { REFERENCE } from "../profile/builtins.js";
import type { Profile } from "../profile/schema.js";
import { combinedSplit, type MarketSplit } from "../orderbook/market-split.js";
import { Replay, type DeployedContract, type DesiredPointer } from "./desired-replay.js";
import { cutoverRuns, recordedFacets, runAddresses, type StoredRun } from "./desired-runs.js";

export type { DeployedContract, DesiredPointer } from "./desired-replay.js";
export { cutoverRuns } from "./desired-runs.js";

export interface DesiredMarket {
  marketId: string;
  symbol: string;
  orderBook: string;
}

export interface DesiredState {
  network: string;
  chainId: number;
  oldVault: string;
  newVault: string;
  /** The redeploy's plan id (the records' runId) and the plan files the state was derived from, in order. */
  planId: string;
  planFiles: string[];
  /** The account that deployed the new vault: it must hold no admin role once the cutover is done. */
  deployer: string;
  collateral: string;
  libraries: Record<string, string>;
  liquidationManager: string;
  mmrParams: string[];
  pauseOld: boolean;
  /** OrderBooks whose ORDERBOOK_ROLE a plan revoked on the old vault (--halt-old): trading there must stay stopped. */
  haltedOnOld: string[];
  roles: Record<VaultRole, string[]>;
  registered: string[];
  markets: DesiredMarket[];
  pointers: DesiredPointer[];
  /** Facets an OrderBook may run: the factory template's (recorded) and those the cutover deployed, with their artifact. */
  knownFacets: { address: string; name: string }[];
  deployed: DeployedContract[];
  /** What the records say now, and every address a cutover on this network replaced (must appear in no app file). */
  currentContracts: Record<string, string>;
  /** The records' entry for each library the profile links, by its artifact name (VAULT_ANALYTICS, POSITION_MANAGER). */
  libraryRecords: Record<string, { key: string; address?: string }>;
  staleAddresses: { key: string; address: string }[];
  /** Every role change a plan makes on the new vault (the constructor's grant included): "grant|revoke:<ROLE>:<account>". */
  roleChanges: string[];
  /** The last block in which a run's transaction landed: "after the cutover" means after this block. */
  completedAtBlock: number;
  /** The runs, oldest first, and whether each finished. */
  runs: { runKey: string; planId: string; complete: boolean }[];
  /** Steps of the plans whose references could not be resolved (a plan that never finished). */
  unresolved: string[];
  /** Dual-vault period: the markets the runs moved and those meant to stay on the old vault (absent: all moved). */
  split?: MarketSplit;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The redeploy to verify: --old-vault's, else the one that produced the records' current CORE_VAULT. */
export function cutoverEntry(
  records: SystemRecord,
  oldVault: string | undefined,
): { oldVault: string; newVault: string; runId: string } {
  const entries = (records.superseded ?? []).flatMap((e) =>
    typeof e.CORE_VAULT === "string" && e.CORE_VAULT !== "" ? [{ ...e, CORE_VAULT: e.CORE_VAULT }] : [],
  );
  const entry = oldVault
    ? [...entries].reverse().find((e) => same(e.CORE_VAULT, oldVault))
    : ([...entries].reverse().find((e) => same(e.replacedBy, records.contracts.CORE_VAULT ?? "")) ?? entries.at(-1));
  if (!entry) {
    throw new CutoverInputError(
      "--old-vault",
      oldVault ?? "",
      oldVault
        ? `deployments/${records.network}-deployment.json records no cutover of that vault under "superseded"; pass the CoreVault a corevault:redeploy replaced`
        : `deployments/${records.network}-deployment.json records no cutover yet (no CORE_VAULT under "superseded"); run corevault:redeploy first`,
    );
  }
  return { oldVault: getAddress(entry.CORE_VAULT), newVault: getAddress(entry.replacedBy), runId: entry.runId };
}

/** Every address a cutover replaced (kept under "superseded") that the records no longer name as current. */
function staleAddresses(records: SystemRecord): { key: string; address: string }[] {
  const superseded = (records.superseded ?? []).flatMap((entry) =>
    Object.entries(entry)
      .filter(
        ([key, value]) => !["runId", "replacedBy", "at"].includes(key) && typeof value === "string" && isAddress(value),
      )
      .map(([key, address]) => ({ key, address: getAddress(address as string) })),
  );
  const current = new Set(Object.values(records.contracts).map((a) => a.toLowerCase()));
  return superseded.filter((s) => !current.has(s.address.toLowerCase()));
}

function splitOf(runs: StoredRun[]): Pick<DesiredState, "split"> {
  const split = combinedSplit(runs.map((r) => r.plan));
  return split ? { split } : {};
}

export async function desiredState(
  root: string,
  records: SystemRecord,
  catalog: ContractCatalog,
  options: { oldVault?: string; profile?: Profile } = {},
): Promise<DesiredState> {
  const { oldVault, newVault, runId } = cutoverEntry(records, options.oldVault);
  const runs = await cutoverRuns(root, records.network, oldVault, newVault);
  const facets = new Map((await recordedFacets(root, records.network)).map((f) => [f.address.toLowerCase(), f]));
  const replay = new Replay(oldVault, newVault, facets, options.profile ?? REFERENCE);
  for (const run of runs)
    await replay.run(run, await runAddresses(run, { CoreVault: newVault }, catalog), run === runs[0]);
  const symbols = new Map(records.markets.map((m) => [m.marketId.toLowerCase(), m.symbol]));
  return {
    network: records.network,
    chainId: records.chainId,
    oldVault,
    newVault,
    planId: runId,
    planFiles: runs.map((r) => r.file),
    ...replay.vault,
    roles: Object.fromEntries(
      VAULT_ROLES.map((role) => [role, [...replay.roles.get(role)!.values()].sort()]),
    ) as Record<VaultRole, string[]>,
    registered: [...replay.registered.values()],
    markets: [...replay.mapping.entries()].map(([marketId, orderBook]) => ({
      marketId,
      orderBook,
      symbol: symbols.get(marketId) ?? marketId.slice(0, 10),
    })),
    pointers: [...replay.pointers.values()],
    knownFacets: [...facets.values()],
    deployed: replay.deployed,
    currentContracts: appAddresses(records.contracts),
    libraryRecords: Object.fromEntries(
      (options.profile ?? REFERENCE).vault.libraries.map((name, i) => {
        const key = LIBRARY_RECORD_KEYS[i] ?? name;
        return [name, { key, address: records.contracts[key] }];
      }),
    ),
    staleAddresses: staleAddresses(records),
    roleChanges: [...replay.roleChanges].sort(),
    completedAtBlock: Math.max(0, ...runs.map((r) => r.store.lastReceiptBlock())),
    runs: runs.map((r) => ({ runKey: r.plan.runKey, planId: r.plan.id, complete: r.store.isComplete(r.plan.id) })),
    unresolved: replay.unresolved,
    ...splitOf(runs),
  };
}
