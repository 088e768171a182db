// The shape of the aggregated `deployments/<network>-deployment.json`, as its writers produce it: mocks:deploy-system
// (the system), corevault:redeploy (`superseded`, new CORE_VAULT / FUTURES_MARKET_FACTORY), orderbook:rewire with new
// OrderBooks (`supersededOrderBooks`, markets' orderBook). Addresses are not checked for format here: the readers
// check what they use. Keys no writer here knows are kept (a record imported from elsewhere may carry more).
import { z } from "zod";
import { CutoverInputError } from "../errors.js";

export const MarketRecordSchema = z.object({
  marketId: z.string(),
  symbol: z.string(),
  orderBook: z.string(),
});

/**
 * One contract a run replaced: `{ <CONTRACTS KEY>: <old address>, runId, replacedBy, at }`, e.g.
 * `{ CORE_VAULT: "0xCf7E…", runId: <plan id>, replacedBy: "0x2bdC…", at: <ISO time> }`.
 */
export const SupersededEntrySchema = z
  .object({
    runId: z.string(),
    replacedBy: z.string(),
    at: z.string(),
    CORE_VAULT: z.string().optional(),
    FUTURES_MARKET_FACTORY: z.string().optional(),
  })
  .catchall(z.string());

/** A market's OrderBook replaced by an OrderBook redeploy (orderbook:rewire --strategy redeploy). */
export const SupersededOrderBookSchema = z.object({
  marketId: z.string(),
  symbol: z.string(),
  orderBook: z.string(),
  replacedBy: z.string(),
  runId: z.string(),
  at: z.string(),
});

export const SystemRecordSchema = z
  .object({
    network: z.string(),
    chainId: z.number().int(),
    /** Record keys (CORE_VAULT, USDC, FUTURES_MARKET_FACTORY, …) to addresses. */
    contracts: z.record(z.string()),
    markets: z.array(MarketRecordSchema),
    /** Written by mocks:deploy-system. */
    admin: z.string().optional(),
    factoryKind: z.enum(["updatable", "immutable"]).optional(),
    settlementOperators: z.array(z.string()).optional(),
    users: z.array(z.string()).optional(),
    seed: z.string().optional(),
    deployedAtBlock: z.number().int().optional(),
    /** Written by corevault:redeploy, oldest first. */
    superseded: z.array(SupersededEntrySchema).optional(),
    /** Written by orderbook:rewire when it redeploys OrderBooks, oldest first. */
    supersededOrderBooks: z.array(SupersededOrderBookSchema).optional(),
  })
  .passthrough();

export type MarketRecord = z.infer<typeof MarketRecordSchema>;
export type SupersededEntry = z.infer<typeof SupersededEntrySchema>;
export type SupersededOrderBook = z.infer<typeof SupersededOrderBookSchema>;
/** The aggregated `deployments/<network>-deployment.json` read by apps and by the cutover tasks. */
export type SystemRecord = z.infer<typeof SystemRecordSchema>;

/**
 * The production protocol's own deployment file (`{ network, chainId, contracts, allUsers, aluminumMarket }`) has no
 * markets list: its one named market is taken as the list (the rest are discovered on chain through the profile).
 */
function protocolLayout(value: unknown): unknown {
  if (value === null || typeof value !== "object" || "markets" in value || !("allUsers" in value)) return value;
  const named = (value as { aluminumMarket?: { marketId?: unknown; symbol?: unknown; orderBook?: unknown } })
    .aluminumMarket;
  const markets = named ? [{ marketId: named.marketId, symbol: named.symbol, orderBook: named.orderBook }] : [];
  return { ...value, markets };
}

/**
 * False for the protocol's own layout (its `allUsers`, one named market) and for a record built from hardhat-deploy's
 * files (`source: "hardhat-deploy"`, no markets): their markets are not all listed.
 */
export function namesEveryMarket(records: SystemRecord): boolean {
  return !("allUsers" in records) && records.source !== "hardhat-deploy";
}

/** "superseded[0].runId" for a zod issue path. */
function fieldName(path: (string | number)[]): string {
  return (
    path.reduce<string>(
      (name, part) => (typeof part === "number" ? `${name}[${part}]` : name === "" ? part : `${name}.${part}`),
      "",
    ) || "(the whole file)"
  );
}

function valueAt(value: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>(
    (v, part) => (v !== null && typeof v === "object" ? (v as Record<string | number, unknown>)[part] : undefined),
    value,
  );
}

/** The record in `value` (parsed JSON of `file`), or an error naming the file, the field, its value and what is wrong. */
export function parseSystemRecord(value: unknown, file: string): SystemRecord {
  const parsed = SystemRecordSchema.safeParse(protocolLayout(value));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const found = valueAt(value, issue.path);
  const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problem(s))` : "";
  throw new CutoverInputError(
    `field "${fieldName(issue.path)}" of ${file}`,
    found === undefined ? "(missing)" : found,
    `${issue.message.replace(/\.$/, "")}${more}; correct the file (mocks:deploy-system, corevault:redeploy and orderbook:rewire write it in this shape)`,
  );
}
