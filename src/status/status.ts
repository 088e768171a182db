// cutover:status: one screen of a network's system, read through the Reader at the latest block, plus what the
// project's files say (records, cutover runs, staged facet plans). Files written by other tasks are read defensively:
// a file that does not parse is listed with the reason instead of failing the screen.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { getAddress, isAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { confirmHolders, roleCandidates, VAULT_ROLES, type VaultRole } from "../corevault/observe.js";
import { ContractCatalog } from "../engine/contracts.js";
import { RunStore } from "../engine/run-store.js";
import { localMulticall3 } from "../engine/local-chain.js";
import { Reader } from "../engine/reader.js";
import { deploymentBlock, readSystemRecordIfAny, type SystemRecord } from "../records/records.js";
import { discoverMarkets } from "../profile/discover.js";
import { fnName, readSources, type ReadContext } from "../profile/interpret.js";
import type { Profile, ReadSource } from "../profile/schema.js";
import { renderTable } from "../report/table.js";
import { exists } from "../util/fs.js";
import {
  listMarkets,
  renderMarkets,
  renderPlacement,
  splitPlacement,
  type MarketListing,
  type MarketPlacement,
} from "./split.js";
import "../type-extensions.js";

export interface SystemStatus {
  network: string;
  chainId?: number;
  rpc: {
    endpoint: string;
    reachable: boolean;
    latestBlock?: number;
    blockTime?: string;
    latencyMs?: number;
    error?: string;
  };
  records: { file: string; present: boolean; chainId?: number };
  vaults: { role: "current" | "replaced"; address: string; paused?: boolean; registeredOrderBooks?: number }[];
  orderBooks: {
    total: number;
    onCurrentVault: number;
    onReplacedVault: number;
    elsewhere: number;
    unreadable: number;
    /** Of them, those a new OrderBook replaced for their market (orderbook:rewire --strategy redeploy; records). */
    superseded?: number;
  };
  pointers: { name: string; address: string; vault?: string; pointsAt: string }[];
  roleHolders?: Record<VaultRole, number>;
  /** Dual-vault period: each market of the runs' recorded split, where it is meant to be and where it is. */
  split?: MarketPlacement[];
  /** With --markets: every market of the current and replaced vaults. */
  markets?: MarketListing[];
  runs: { runKey: string; task: string; planId: string; steps: number; complete: boolean }[];
  stagedPlans: {
    file: string;
    planId: string;
    kind?: string;
    target?: string;
    stage?: string;
    eta?: number | null;
    etaIso?: string | null;
    ready?: boolean;
    error?: string;
  }[];
}

async function json(file: string): Promise<{ value?: Record<string, unknown>; error?: string }> {
  try {
    const value = JSON.parse(await readFile(file, "utf8")) as unknown;
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? { value: value as Record<string, unknown> }
      : { error: "not a JSON object" };
  } catch (error) {
    return { error: (error as Error).message.split("\n")[0] };
  }
}

/** plans/<network>/<planId>.json with their stage records (<planId>[.rollback].stage.json) as diamond:stage-plan writes them. */
export async function stagedPlans(
  root: string,
  network: string,
  chainTime?: number,
): Promise<SystemStatus["stagedPlans"]> {
  const dir = path.join(root, "plans", network);
  if (!(await exists(dir))) return [];
  const files = (await readdir(dir)).filter((f) => f.endsWith(".json"));
  const out: SystemStatus["stagedPlans"] = [];
  for (const file of files.filter((f) => !f.endsWith(".stage.json")).sort()) {
    const planId = file.replace(/\.json$/, "");
    const plan = await json(path.join(dir, file));
    const entry: SystemStatus["stagedPlans"][number] = { file: path.join("plans", network, file), planId };
    if (plan.error) entry.error = plan.error;
    if (typeof plan.value?.kind === "string") entry.kind = plan.value.kind;
    if (typeof plan.value?.target === "string") entry.target = plan.value.target;
    for (const stageFile of [`${planId}.stage.json`, `${planId}.rollback.stage.json`]) {
      if (!files.includes(stageFile)) continue;
      const stage = await json(path.join(dir, stageFile));
      if (stage.error) {
        entry.error = `${stageFile}: ${stage.error}`;
        continue;
      }
      entry.stage = stageFile.includes(".rollback.") ? "rollback staged" : "staged";
      const eta = stage.value?.eta;
      entry.eta = typeof eta === "number" ? eta : null;
      entry.etaIso = typeof stage.value?.etaIso === "string" ? stage.value.etaIso : null;
      if (typeof eta === "number" && chainTime !== undefined) entry.ready = eta <= chainTime;
    }
    out.push(entry);
  }
  return out;
}

/** Every engine run recorded for the network: deployments/<network>/.cutover/<runKey>/plan.json and its journal. */
export async function cutoverRunsOf(root: string, network: string): Promise<SystemStatus["runs"]> {
  const runs: SystemStatus["runs"] = [];
  for (const store of RunStore.list(root, network)) {
    try {
      const plan = store.loadPlan();
      if (plan)
        runs.push({
          runKey: store.runKey,
          task: plan.task,
          planId: plan.id,
          steps: plan.steps.length,
          complete: store.isComplete(plan.id),
        });
    } catch {
      runs.push({ runKey: store.runKey, task: "?", planId: "(unreadable plan.json)", steps: 0, complete: false });
    }
  }
  return runs;
}

export async function readStatus(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  options: { markets?: boolean } = {},
): Promise<SystemStatus> {
  const root = hre.config.paths.root;
  const network = conn.networkName;
  const provider = conn.ethers.provider;
  const endpoint = conn.networkConfig.type === "http" ? await conn.networkConfig.url.getUrl() : "in-process";
  const records = await readSystemRecordIfAny(root, network).catch(() => undefined);
  const status: SystemStatus = {
    network,
    rpc: { endpoint, reachable: false },
    records: {
      file: path.join("deployments", `${network}-deployment.json`),
      present: records !== undefined,
      chainId: records?.chainId,
    },
    vaults: [],
    orderBooks: { total: 0, onCurrentVault: 0, onReplacedVault: 0, elsewhere: 0, unreadable: 0 },
    pointers: [],
    runs: await cutoverRunsOf(root, network),
    stagedPlans: [],
  };
  let latest: number;
  const started = Date.now();
  try {
    latest = await provider.getBlockNumber();
    status.rpc = { endpoint, reachable: true, latestBlock: latest, latencyMs: Date.now() - started };
  } catch (error) {
    status.rpc.error = (error as Error).message.split("\n")[0];
    status.stagedPlans = await stagedPlans(root, network);
    return status;
  }
  const block = await provider.getBlock(latest);
  status.rpc.blockTime = block ? new Date(block.timestamp * 1000).toISOString() : undefined;
  status.chainId = Number((await provider.getNetwork()).chainId);
  status.stagedPlans = await stagedPlans(root, network, block?.timestamp);
  if (!records || records.chainId !== status.chainId || !records.contracts.CORE_VAULT) return status;

  const catalog = new ContractCatalog(hre);
  await localMulticall3(conn, catalog);
  const reader = new Reader(provider, catalog, latest);
  await systemOnChain(reader, root, records, status, hre.config.cutover.protocol);
  status.split = await splitPlacement(reader, root, records, hre.config.cutover.protocol);
  if (options.markets)
    status.markets = await listMarkets(reader, root, records, hre.config.cutover.protocol, status.vaults);
  return status;
}

/** A value the profile reads, or undefined where none of its sources answers (shown as unreadable). */
async function profileRead(
  reader: Reader,
  sources: ReadSource | ReadSource[] | undefined,
  ctx: ReadContext,
): Promise<string | undefined> {
  if (!sources) return undefined;
  const outcome = await readSources(reader, sources, ctx).catch(() => ({ missing: [] }));
  return "value" in outcome ? (outcome.value as string) : undefined;
}

/** Registered OrderBooks of each vault: its enumerator's length, else the records' OrderBooks it confirms. */
async function registeredCounts(reader: Reader, profile: Profile, vaults: string[], books: string[]) {
  const { list, isRegistered } = profile.vault.orderBooks;
  const call = (to: string, sig: string, args: unknown[] = []) => ({ to, contract: sig, fn: fnName(sig), args });
  if (list)
    return (await reader.tryCallMany(vaults.map((v) => call(v, list)))).map((l) => (l as string[] | undefined)?.length);
  const answers = await reader.tryCallMany(vaults.flatMap((v) => books.map((b) => call(v, isRegistered, [b]))));
  return vaults.map((_, i) => {
    const mine = answers.slice(i * books.length, (i + 1) * books.length);
    return mine.some((a) => a === undefined) ? undefined : mine.filter((a) => a === true).length;
  });
}

/**
 * Every OrderBook of the system: the records' and those the profile discovers on the current and replaced vaults (a
 * protocol's records may name only one market). A discovery that fails leaves the records' list.
 */
async function systemOrderBooks(
  reader: Reader,
  root: string,
  records: SystemRecord,
  profile: Profile,
  vaults: string[],
): Promise<string[]> {
  const discovered = await Promise.all(
    vaults.map(async (vault) => {
      const from = await deploymentBlock(root, records.network, "CoreVault", vault);
      return discoverMarkets(reader, profile, { vault }, records, from).then(
        (found) => found.orderBooks,
        () => [],
      );
    }),
  );
  const all = [...records.markets.map((m) => m.orderBook), ...discovered.flat()].map((a) => getAddress(a));
  return [...new Set(all)];
}

async function systemOnChain(
  reader: Reader,
  root: string,
  records: SystemRecord,
  status: SystemStatus,
  profile: Profile,
): Promise<void> {
  const current = getAddress(records.contracts.CORE_VAULT);
  const replaced = [
    ...new Set(
      (records.superseded ?? [])
        .map((e) => e.CORE_VAULT)
        .filter((a): a is string => typeof a === "string" && isAddress(a))
        .map((a) => getAddress(a)),
    ),
  ].filter((a) => a !== current);
  const vaults = [current, ...replaced];
  const books = await systemOrderBooks(reader, root, records, profile, vaults);
  const pointers = (
    [
      ["FuturesMarketFactory", records.contracts.FUTURES_MARKET_FACTORY, profile.factory.vault.read],
      ["CollateralHub", records.contracts.COLLATERAL_HUB, profile.hub.vault.read],
    ] as const
  ).filter((p) => typeof p[1] === "string");
  const candidates = await roleCandidates(
    reader,
    current,
    await deploymentBlock(root, records.network, "CoreVault", current),
  );
  const pause = profile.vault.pause.read;
  const [paused, counts, bookVaults, pointerVaults, holders] = await Promise.all([
    reader.tryCallMany(vaults.map((v) => ({ to: v, contract: pause, fn: fnName(pause), args: [] }))),
    registeredCounts(reader, profile, vaults, books),
    Promise.all(books.map((b) => profileRead(reader, profile.orderBook.vault, { target: b, address: true }))),
    Promise.all(pointers.map(([, address, read]) => profileRead(reader, read, { target: address!, address: true }))),
    confirmHolders(reader, current, candidates, profile),
  ]);
  vaults.forEach((address, i) => {
    status.vaults.push({
      role: i === 0 ? "current" : "replaced",
      address,
      paused: paused[i] as boolean | undefined,
      registeredOrderBooks: counts[i],
    });
  });
  const where = (vault: string | undefined) =>
    vault === undefined
      ? "unreadable"
      : vault.toLowerCase() === current.toLowerCase()
        ? "current vault"
        : replaced.some((r) => r.toLowerCase() === vault.toLowerCase())
          ? "replaced vault"
          : "elsewhere";
  status.orderBooks.total = books.length;
  const superseded = new Set((records.supersededOrderBooks ?? []).map((e) => e.orderBook.toLowerCase()));
  const replacedBooks = books.filter((b) => superseded.has(b.toLowerCase())).length;
  if (replacedBooks > 0) status.orderBooks.superseded = replacedBooks;
  for (const vault of bookVaults) {
    const place = where(vault);
    if (place === "current vault") status.orderBooks.onCurrentVault++;
    else if (place === "replaced vault") status.orderBooks.onReplacedVault++;
    else if (place === "elsewhere") status.orderBooks.elsewhere++;
    else status.orderBooks.unreadable++;
  }
  pointers.forEach(([name, address, read], i) => {
    const vault = pointerVaults[i];
    status.pointers.push({
      name,
      address: getAddress(address!),
      vault: vault && getAddress(vault),
      // an immutable pointer without a getter (dexetra-v5's factory) cannot be read: say so rather than "unreadable"
      pointsAt: read ? where(vault) : "not readable on this protocol (no getter)",
    });
  });
  status.roleHolders = Object.fromEntries(VAULT_ROLES.map((role) => [role, holders[role].length])) as Record<
    VaultRole,
    number
  >;
}

export function renderStatus(status: SystemStatus): string {
  const { rpc } = status;
  const lines = [
    `cutover:status on ${status.network}${status.chainId !== undefined ? ` (chain ${status.chainId})` : ""}`,
    rpc.reachable
      ? `RPC ${rpc.endpoint}: reachable, latest block ${rpc.latestBlock} (${rpc.blockTime ?? "?"}), answered in ${rpc.latencyMs} ms`
      : `RPC ${rpc.endpoint}: UNREACHABLE (${rpc.error})`,
    `records ${status.records.file}: ${status.records.present ? `chain ${status.records.chainId}` : "none"}${status.records.present && status.chainId !== undefined && status.records.chainId !== status.chainId ? " — NOT this chain: nothing read from it" : ""}`,
  ];
  if (status.vaults.length > 0) {
    lines.push(
      "",
      renderTable(
        ["CoreVault", "", "paused", "OrderBooks registered"],
        status.vaults.map((v) => [v.address, v.role, String(v.paused ?? "?"), String(v.registeredOrderBooks ?? "?")]),
      ),
    );
    const ob = status.orderBooks;
    lines.push(
      "",
      `OrderBooks in the records: ${ob.total} — ${ob.onCurrentVault} call the current vault, ${ob.onReplacedVault} a replaced vault, ${ob.elsewhere} elsewhere, ${ob.unreadable} unreadable${ob.superseded ? `; ${ob.superseded} of them replaced by a new OrderBook for their market` : ""}`,
    );
    for (const p of status.pointers)
      lines.push(
        `${p.name} ${p.address}: vault() is the ${p.pointsAt}${p.pointsAt === "elsewhere" ? ` (${p.vault})` : ""}`,
      );
    if (status.split) lines.push("", renderPlacement(status.split));
    if (status.markets) lines.push("", renderMarkets(status.markets));
    if (status.roleHolders)
      lines.push(
        `Role holders on the current vault: ${VAULT_ROLES.map((r) => `${r.replace(/_ROLE$/, "")} ${status.roleHolders![r]}`).join(", ")}`,
      );
  }
  lines.push(
    "",
    status.runs.length === 0
      ? "cutover runs: none"
      : renderTable(
          ["cutover run", "task", "plan", "steps", "state"],
          status.runs.map((r) => [
            r.runKey,
            r.task,
            `${r.planId.slice(0, 10)}…`,
            String(r.steps),
            r.complete ? "complete" : "not complete",
          ]),
        ),
  );
  lines.push(
    "",
    status.stagedPlans.length === 0
      ? `staged facet plans: none in plans/${status.network}/`
      : renderTable(
          ["facet plan", "kind", "target", "stage", "ETA"],
          status.stagedPlans.map((p) => [
            `${p.planId.slice(0, 10)}…`,
            p.kind ?? "?",
            p.target ?? "?",
            p.error ? `unreadable: ${p.error}` : (p.stage ?? "not staged"),
            p.eta === undefined
              ? ""
              : p.eta === null
                ? "none (applied or no delay)"
                : `${p.etaIso ?? p.eta}${p.ready === undefined ? "" : p.ready ? " (ready)" : " (waiting)"}`,
          ]),
        ),
  );
  return lines.join("\n");
}
