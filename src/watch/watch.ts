// cutover:watch: streams the old and new vault's events block range by block range, and raises an ALARM for
// OrderBook activity on the OLD vault after the cutover and for role changes that no plan of the cutover made.
import { EventFragment, formatUnits, getAddress, Interface, type Log, type LogDescription } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { roleName } from "../corevault/observe.js";
import { ContractCatalog } from "../engine/contracts.js";
import { isLocalNetwork } from "../engine/local-chain.js";
import { REFERENCE } from "../profile/builtins.js";
import { readSystemRecord } from "../records/records.js";
import { desiredState, type DesiredState } from "../verify/desired.js";
import "../type-extensions.js";

/** Events only an OrderBook (through the vault's onlyMarketOrderBook) can cause: the reference profile's. */
const ORDERBOOK_EVENTS = new Set(REFERENCE.vault.watch.orderBookActivity);

export interface WatchLine {
  kind: "event" | "alarm";
  block: number;
  tx: string;
  vault: "old" | "new";
  event: string;
  detail: string;
  /** Why it is an alarm. */
  alarm?: string;
}

export interface WatchOptions {
  oldVault?: string;
  /** First block (default: the one after the latest). */
  fromBlock?: number;
  /** Stop after this many blocks (0: no limit). */
  blocks: number;
  /** Stop after this many seconds (0: no limit). */
  seconds: number;
  /** Between polls (0: 200 ms on local chains, 2 s elsewhere). */
  pollMs: number;
  onLine: (line: WatchLine) => void;
}

export interface WatchSummary {
  oldVault: string;
  newVault: string;
  cutoverBlock: number;
  fromBlock: number;
  /** The last block read (fromBlock - 1 when none was). */
  toBlock: number;
  events: number;
  alarms: number;
}

/** Whether an event is an alarm, and why: pure, from the desired state and the cutover block. */
export function alarmFor(
  desired: DesiredState,
  vault: "old" | "new",
  event: string,
  block: number,
  args: { role?: string; account?: string },
  orderBookActivity: Set<string> = ORDERBOOK_EVENTS,
): string | undefined {
  if (vault === "old" && orderBookActivity.has(event) && block > desired.completedAtBlock) {
    return `OrderBook activity on the OLD vault after the cutover (block ${desired.completedAtBlock})`;
  }
  if (event === "RoleGranted" || event === "RoleRevoked") {
    if (vault === "old")
      return block > desired.completedAtBlock ? `role change on the OLD vault after the cutover` : undefined;
    const key = `${event === "RoleGranted" ? "grant" : "revoke"}:${args.role}:${args.account?.toLowerCase()}`;
    return desired.roleChanges.includes(key)
      ? undefined
      : "role change on the new vault that no plan of the cutover makes";
  }
  return undefined;
}

/** The reference mock's event shapes, rendered in words below. */
const REFERENCE_SHAPES = new Set(
  REFERENCE.vault.watch.events.map((sig) => {
    const fragment = EventFragment.from(sig);
    return `${fragment.name}(${fragment.inputs.map((input) => input.name).join(",")})`;
  }),
);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A vault event in words: its fields (market ids by symbol, amounts in units), and for role events the role and account. */
function eventDetail(
  parsed: LogDescription,
  symbols: Map<string, string>,
): { detail: string; role?: string; account?: string } {
  const a = parsed.args;
  const market = (id: string) => symbols.get(id.toLowerCase()) ?? `${id.slice(0, 10)}…`;
  // The reference mock's events in words; another protocol's (by the profile's signatures) field by field.
  const names = parsed.fragment.inputs.map((input) => input.name).join(",");
  if (!REFERENCE_SHAPES.has(`${parsed.name}(${names})`) && !parsed.name.startsWith("Role"))
    return {
      detail: parsed.fragment.inputs
        .map((input, i) => `${input.name} ${input.name === "marketId" ? market(a[i]) : String(a[i])}`)
        .join(" "),
    };
  switch (parsed.name) {
    case "PositionUpdated":
      return {
        detail: `user ${a.user} market ${market(a.marketId)} size ${formatUnits(a.size, 18)} entry ${formatUnits(a.entryPrice, 6)} realized ${formatUnits(a.realizedPnl, 6)}`,
      };
    case "MarginLocked":
    case "MarginReleased":
      return { detail: `user ${a.user} market ${market(a.marketId)} amount ${formatUnits(a.amount, 6)}` };
    case "LiquidationExecuted":
      return {
        detail: `user ${a.user} market ${market(a.marketId)} liquidator ${a.liquidator} reward ${formatUnits(a.reward, 6)}`,
      };
    case "VaultMarketSettled":
      return { detail: `market ${market(a.marketId)} final price ${formatUnits(a.finalPrice, 6)}` };
    default: {
      const role = roleName(a.role);
      const account = getAddress(a.account);
      return {
        detail: `${role} ${parsed.name === "RoleGranted" ? "to" : "from"} ${account} by ${a.sender}`,
        role,
        account,
      };
    }
  }
}

interface WatchContext {
  provider: NetworkConnection["ethers"]["provider"];
  iface: Interface;
  orderBookActivity: Set<string>;
  desired: DesiredState;
  symbols: Map<string, string>;
}

/** The line for one log of a vault, an alarm when nothing planned explains it; undefined for a log the ABI does not know. */
async function describeLog(ctx: WatchContext, log: Log, vault: "old" | "new"): Promise<WatchLine | undefined> {
  const parsed = ctx.iface.parseLog(log);
  if (!parsed) return undefined;
  const { role, account, detail: words } = eventDetail(parsed, ctx.symbols);
  let detail = words;
  const alarm = alarmFor(ctx.desired, vault, parsed.name, log.blockNumber, { role, account }, ctx.orderBookActivity);
  if (alarm && ctx.orderBookActivity.has(parsed.name)) {
    // the OrderBook that called the vault: the transaction's target
    const tx = await ctx.provider.getTransaction(log.transactionHash);
    if (tx?.to) detail += ` via ${tx.to}`;
  }
  return {
    kind: alarm ? "alarm" : "event",
    block: log.blockNumber,
    tx: log.transactionHash,
    vault,
    event: parsed.name,
    detail,
    alarm,
  };
}

export async function watchVaults(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  options: WatchOptions,
): Promise<WatchSummary> {
  const provider = conn.ethers.provider;
  const catalog = new ContractCatalog(hre);
  const records = await readSystemRecord(hre.config.paths.root, conn.networkName);
  const desired = await desiredState(hre.config.paths.root, records, catalog, {
    oldVault: options.oldVault,
    profile: hre.config.cutover.protocol,
  });
  const { watch } = hre.config.cutover.protocol.vault;
  const iface = new Interface(watch.events);
  const topics: string[] = [];
  iface.forEachEvent((event) => topics.push(event.topicHash));
  const ctx: WatchContext = {
    provider,
    iface,
    orderBookActivity: new Set(watch.orderBookActivity),
    desired,
    symbols: new Map(records.markets.map((m) => [m.marketId.toLowerCase(), m.symbol])),
  };
  const pollMs = options.pollMs > 0 ? options.pollMs : (await isLocalNetwork(conn)) ? 200 : 2_000;
  const deadline = options.seconds > 0 ? Date.now() + options.seconds * 1000 : Infinity;
  let next = options.fromBlock ?? (await provider.getBlockNumber()) + 1;
  const fromBlock = next;
  const last = options.blocks > 0 ? fromBlock + options.blocks - 1 : Infinity;
  const summary: WatchSummary = {
    oldVault: desired.oldVault,
    newVault: desired.newVault,
    cutoverBlock: desired.completedAtBlock,
    fromBlock,
    toBlock: fromBlock - 1,
    events: 0,
    alarms: 0,
  };

  while (next <= last && Date.now() < deadline) {
    const latest = await provider.getBlockNumber();
    const to = Math.min(latest, last);
    if (to < next) {
      await sleep(Math.max(0, Math.min(pollMs, deadline - Date.now())));
      continue;
    }
    const logs = await provider.getLogs({
      address: [desired.oldVault, desired.newVault],
      topics: [topics],
      fromBlock: next,
      toBlock: to,
    });
    logs.sort((x, y) => x.blockNumber - y.blockNumber || x.index - y.index);
    for (const log of logs) {
      const line = await describeLog(
        ctx,
        log,
        log.address.toLowerCase() === desired.oldVault.toLowerCase() ? "old" : "new",
      );
      if (!line) continue;
      summary.events++;
      if (line.alarm) summary.alarms++;
      options.onLine(line);
    }
    summary.toBlock = to;
    next = to + 1;
  }
  return summary;
}

export function renderWatchLine(line: WatchLine): string {
  const head = `block ${line.block} ${line.vault} vault ${line.event}: ${line.detail} (tx ${line.tx})`;
  return line.alarm ? `ALARM ${line.alarm}: ${head}` : head;
}
