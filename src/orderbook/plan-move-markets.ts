// orderbook:rewire --markets after a dual-vault redeploy: markets still on the old vault are first registered, assigned
// and granted ORDERBOOK_ROLE on the new vault (what the redeploy did for the markets it moved), then rewired. Pure.
import { id, ZeroHash } from "ethers";
import type { MarketRef } from "./market-split.js";
import type { CallAction, Step } from "../engine/types.js";
import { viewCall, writeCall } from "../profile/interpret.js";
import type { Profile } from "../profile/schema.js";
import { chunks } from "../util/chunks.js";

export interface MoveMarketsInputs {
  vault: string;
  signer: string;
  markets: MarketRef[];
  profile: Profile;
  /** The signer holds FACTORY_ROLE on the new vault already. */
  signerHasFactoryRole: boolean;
  /** The role administering ORDERBOOK_ROLE on the new vault ("FACTORY_ROLE" on the reference mock). */
  orderBookRoleAdmin: string;
  batchSize: number;
}

const roleId = (role: string) => (role === "DEFAULT_ADMIN_ROLE" ? ZeroHash : id(role));
const TEMPORARY = "move:temporary-factory-role";

/** Steps registering the markets on the new vault; `ids` are the steps a rewire of their OrderBooks waits for. */
export function planMoveMarkets(inputs: MoveMarketsInputs): { steps: Step[]; ids: string[] } {
  const { profile, vault, signer } = inputs;
  const v = profile.vault;
  const hasRole = (role: "FACTORY_ROLE" | "ORDERBOOK_ROLE", account: string, equals: boolean) => ({
    read: viewCall(profile, v.roles.hasRole, vault, [roleId(role), account]),
    equals,
  });
  const actions: CallAction[] = inputs.markets.flatMap((m) => [
    {
      call: writeCall(profile, v.orderBooks.register, vault, [m.orderBook]),
      done: [{ read: viewCall(profile, v.orderBooks.isRegistered, vault, [m.orderBook]), equals: true }],
    },
    {
      call: writeCall(profile, v.markets.assign, vault, [m.marketId, m.orderBook]),
      done: [{ read: viewCall(profile, v.markets.orderBookOf, vault, [m.marketId]), equals: m.orderBook }],
    },
    {
      call: writeCall(profile, v.roles.grant, vault, [roleId("ORDERBOOK_ROLE"), m.orderBook]),
      done: [hasRole("ORDERBOOK_ROLE", m.orderBook, true)],
    },
  ]);
  if (actions.length === 0) return { steps: [], ids: [] };
  const needsFactoryRole =
    inputs.orderBookRoleAdmin === roleId("FACTORY_ROLE") ||
    [v.orderBooks.register.role, v.markets.assign.role].includes("FACTORY_ROLE");
  const temporary = needsFactoryRole && !inputs.signerHasFactoryRole;
  // Without multicall, one transaction per call.
  const perTx = v.batching === "multicall" ? inputs.batchSize : 1;
  const steps: Step[] = chunks(actions, perTx).map((batch, i, all) => ({
    id: `move:markets:${i + 1}`,
    kind: "call",
    label:
      perTx === 1
        ? labelOf(i)
        : `register OrderBooks, assign markets, grant ORDERBOOK_ROLE on the new vault (${i + 1}/${all.length})`,
    from: signer,
    dependsOn: temporary ? [TEMPORARY] : [],
    writes: [],
    actions: batch,
  }));
  const ids = steps.map((s) => s.id);
  if (!temporary) return { steps, ids };
  const factoryRole = (fn: "grant" | "renounce", holds: boolean): CallAction => ({
    call: writeCall(profile, v.roles[fn], vault, [roleId("FACTORY_ROLE"), signer]),
    done: [hasRole("FACTORY_ROLE", signer, holds)],
  });
  return {
    steps: [
      {
        id: TEMPORARY,
        kind: "call",
        label: "grant the signer FACTORY_ROLE for as long as it registers the markets",
        from: signer,
        dependsOn: [],
        writes: [],
        temporary: true,
        actions: [factoryRole("grant", true)],
      },
      ...steps,
      {
        id: "move:renounce-factory-role",
        kind: "call",
        label: "renounce the signer's temporary FACTORY_ROLE",
        from: signer,
        dependsOn: ids,
        writes: [],
        actions: [factoryRole("renounce", false)],
      },
    ],
    ids,
  };

  function labelOf(i: number): string {
    const market = inputs.markets[Math.floor(i / 3)];
    return `${["register", "assign", "grant ORDERBOOK_ROLE to"][i % 3]} ${market.symbol} on the new vault`;
  }
}
