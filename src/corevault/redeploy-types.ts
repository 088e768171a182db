// What corevault:redeploy is given (its options, and the inputs resolved from them and the config) and what it
// observes before planning.
import type { ContractCatalog } from "../engine/contracts.js";
import type { OrderBookState } from "../orderbook/rewire.js";
import type { MarketSelection, MarketSplit } from "../orderbook/market-split.js";
import type { CutoverConfig } from "../config.js";
import type { Profile } from "../profile/schema.js";
import type { SystemRecord } from "../records/records.js";
import type { LegacySystem } from "./observe.js";

export interface RedeployOptions {
  oldVault?: string;
  pauseOld: boolean;
  /** Revoke ORDERBOOK_ROLE from every OrderBook on the old vault first. */
  haltOld?: boolean;
  admin?: string;
  /** Let --admin (or cutover.admin) be an address without code. */
  allowEoa?: boolean;
  collateral?: string;
  /** "VaultAnalytics=0x…,PositionManager=0x…" */
  libraries?: string;
  /** Also rewire every OrderBook to the new vault, in the same plan and journal. */
  rewire?: boolean;
  /** Dual-vault period: only these markets move (ids, symbols or OrderBook addresses, comma-separated)… */
  markets?: string;
  /** …or every market but these. */
  exceptMarkets?: string;
}

/** What a redeploy is planned from, observed at the pinned block. */
export interface RedeployState {
  system: LegacySystem;
  /** The network's records as they were before this run (the aggregate the run's records update). */
  records?: SystemRecord;
  /** Who sends the admin steps on each existing contract: oldVault, factory, hub. */
  senders: Record<string, string>;
  /** The OrderBooks, with --rewire. */
  fleet: OrderBookState[];
  create2Factory?: string;
  /** The profile says the vault has `multicall`: grants and registrations are batched through it. */
  vaultBatches: boolean;
  profile: Profile;
  /** --markets / --except-markets: which markets move, which stay on the old vault. */
  split?: MarketSplit;
}

/** The options and config resolved once, before the run: what observe and plan share. */
export interface RedeployInputs {
  root: string;
  config: CutoverConfig;
  profile: Profile;
  catalog: ContractCatalog;
  /** The network's records, as read when the task started. */
  records?: SystemRecord;
  oldVault: string;
  libraries: Partial<Record<"VaultAnalytics" | "PositionManager", string>>;
  collateral?: string;
  admin?: string;
  mmrParams?: string[];
  selection?: MarketSelection;
}
