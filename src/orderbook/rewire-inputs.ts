// orderbook:rewire's options, checked and parsed before anything is read: each bad value is refused naming the option.
import { getAddress, isAddress } from "ethers";
import { CutoverInputError } from "../errors.js";
import type { SystemRecord } from "../records/records.js";
import { parseMarketSelection, type MarketSelection } from "./market-split.js";

export interface RewireOptions {
  strategy?: string;
  vault?: string;
  orderBooks?: string;
  facets?: string;
  remove?: string;
  allowTakeover?: string;
  /** Move only these markets (ids, symbols or OrderBook addresses): registered on the new vault, then rewired… */
  markets?: string;
  /** …or every market of the old vault but these. */
  exceptMarkets?: string;
}

function list(input: string, value: string | undefined, check: (item: string) => boolean, fix: string): string[] {
  if (!value) return [];
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of items) if (!check(item)) throw new CutoverInputError(input, item, fix);
  return items;
}

const isSelector = (s: string) => /^0x[0-9a-fA-F]{8}$/.test(s);

export interface RewireInputs {
  strategy: "cut" | "redeploy";
  vault: string;
  given: string[];
  extraFacets: string[];
  remove: string[];
  allowTakeover: boolean | string[];
  selection?: MarketSelection;
}

export function parseRewireOptions(options: RewireOptions, records: SystemRecord | undefined): RewireInputs {
  const vaultInput = options.vault || records?.contracts.CORE_VAULT;
  if (!vaultInput || !isAddress(vaultInput)) {
    throw new CutoverInputError(
      "--vault",
      vaultInput ?? "",
      "give the new CoreVault's address (default: CORE_VAULT in deployments/<network>-deployment.json), e.g. --vault 0x2bdCC0de6bE1f7D2ee689a0342D76F52E8EFABa3",
    );
  }
  const strategy = options.strategy || "cut";
  if (strategy !== "cut" && strategy !== "redeploy") {
    throw new CutoverInputError(
      "--strategy",
      strategy,
      "use --strategy cut (upgrade each OrderBook in place) or --strategy redeploy (a fresh OrderBook per market)",
    );
  }
  const selection = parseMarketSelection(options.markets, options.exceptMarkets);
  if (selection && options.orderBooks)
    throw new CutoverInputError(
      "--orderbooks",
      options.orderBooks,
      `give either --orderbooks or ${selection.input}: ${selection.input} names the markets to move (their OrderBooks are found from them)`,
    );
  if (selection && strategy !== "cut")
    throw new CutoverInputError(
      selection.input,
      selection.values.join(","),
      "moving some markets at a time works with --strategy cut (each OrderBook rewired in place); run without --strategy",
    );
  return {
    selection,
    strategy,
    vault: getAddress(vaultInput),
    given: list("--orderbooks", options.orderBooks, isAddress, "give comma-separated OrderBook addresses"),
    extraFacets: list(
      "--facets",
      options.facets,
      (s) => /^[A-Za-z_]\w*$/.test(s),
      "give comma-separated contract names of facets to add, e.g. --facets OrderBookViewFacet",
    ),
    remove: list(
      "--remove",
      options.remove,
      isSelector,
      "give comma-separated 4-byte selectors, e.g. --remove 0x12345678",
    ),
    allowTakeover:
      options.allowTakeover === "all"
        ? true
        : list("--allow-takeover", options.allowTakeover, isSelector, "give comma-separated 4-byte selectors, or all"),
  };
}
