// orderbook:rewire --markets / --except-markets (the dual-vault period): the markets chosen among those of the vault the
// new one replaced, and the steps that register them on the new vault before their OrderBooks are rewired.
import { getAddress, id, isAddress } from "ethers";
import type { Reader } from "../engine/reader.js";
import { discoverMarkets } from "../profile/discover.js";
import { fnName } from "../profile/interpret.js";
import type { Profile } from "../profile/schema.js";
import type { SystemRecord } from "../records/records.js";
import { splitMarkets, type MarketRef, type MarketSelection } from "./market-split.js";
import { planMoveMarkets } from "./plan-move-markets.js";

export interface MovingMarkets {
  markets: MarketRef[];
  signerHasFactoryRole: boolean;
  orderBookRoleAdmin: string;
}

/** The registration steps of the markets a run moves (none without --markets). */
export function planMoves(
  moving: MovingMarkets | undefined,
  vault: string,
  signer: string,
  profile: Profile,
  batchSize: number,
): ReturnType<typeof planMoveMarkets> {
  if (!moving) return { steps: [], ids: [] };
  const { markets, signerHasFactoryRole, orderBookRoleAdmin } = moving;
  return planMoveMarkets({ vault, signer, markets, profile, signerHasFactoryRole, orderBookRoleAdmin, batchSize });
}

/** The vault `vault` replaced, per the records (where the markets still to move are). */
function replacedBy(records: SystemRecord | undefined, vault: string): string | undefined {
  const entry = [...(records?.superseded ?? [])]
    .reverse()
    .find(
      (e) =>
        typeof e.CORE_VAULT === "string" &&
        isAddress(e.CORE_VAULT) &&
        e.replacedBy.toLowerCase() === vault.toLowerCase(),
    );
  return entry?.CORE_VAULT ? getAddress(entry.CORE_VAULT) : undefined;
}

/** The markets --markets / --except-markets choose among those of the vault the new one replaced (else its own). */
export async function movingMarkets(
  reader: Reader,
  selection: MarketSelection,
  vault: string,
  records: SystemRecord | undefined,
  signer: string,
  profile: Profile,
): Promise<MovingMarkets> {
  const source = replacedBy(records, vault) ?? vault;
  const { markets } = await discoverMarkets(
    reader,
    profile,
    { vault: source },
    records,
    profile.discovery.fromBlock ?? 0,
  );
  const symbols = new Map((records?.markets ?? []).map((m) => [m.marketId.toLowerCase(), m.symbol]));
  const universe = markets.map((m) => ({
    marketId: m.marketId,
    orderBook: getAddress(m.orderBook),
    symbol: symbols.get(m.marketId.toLowerCase()) ?? m.marketId,
  }));
  const { moved } = splitMarkets(universe, selection, source);
  const roles = profile.vault.roles;
  const [signerHasFactoryRole, orderBookRoleAdmin] = await reader.callMany([
    { to: vault, contract: roles.hasRole, fn: fnName(roles.hasRole), args: [id("FACTORY_ROLE"), signer] },
    { to: vault, contract: roles.getRoleAdmin, fn: fnName(roles.getRoleAdmin), args: [id("ORDERBOOK_ROLE")] },
  ]);
  return {
    markets: moved,
    signerHasFactoryRole: signerHasFactoryRole as boolean,
    orderBookRoleAdmin: String(orderBookRoleAdmin),
  };
}

export function movedNote(moved: MarketRef[], vault: string): string {
  return `Dual-vault period: this run moves ${moved.length} market(s) onto ${vault} (${moved.map((m) => m.symbol).join(", ")}): each registered, assigned and granted ORDERBOOK_ROLE there, then its OrderBook rewired; the old vault keeps its roles and mapping.`;
}
