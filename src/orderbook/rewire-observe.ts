// What orderbook:rewire observes at the pinned block: the fleet to move, and for the redeploy strategy how each new
// OrderBook is created and what the signer may do on the new vault.
import { getAddress, id } from "ethers";
import type { ContractCatalog } from "../engine/contracts.js";
import type { Reader } from "../engine/reader.js";
import { CutoverInputError } from "../errors.js";
import { discoverMarkets, marketSymbols } from "../profile/discover.js";
import { fnName } from "../profile/interpret.js";
import type { Profile } from "../profile/schema.js";
import type { SystemRecord } from "../records/records.js";
import { observeCreation, replacedEarlier, type Creation, type ReplacedRow } from "./redeploy-books.js";
import type { RewireInputs } from "./rewire-inputs.js";
import { movingMarkets, type MovingMarkets } from "./rewire-markets.js";
import { observeFleet, type FleetTarget, type OrderBookState } from "./rewire.js";

/** The OrderBooks to rewire: --orderbooks, else the new vault's registry, else the records' markets. */
async function fleetTargets(
  reader: Reader,
  vault: string,
  given: string[],
  records: SystemRecord | undefined,
  profile: Profile,
): Promise<FleetTarget[]> {
  const superseded = (records?.supersededOrderBooks ?? []).map((e) => [e.orderBook.toLowerCase(), e.symbol] as const);
  const symbols = new Map([
    ...superseded,
    ...(records?.markets ?? []).map((m) => [m.orderBook.toLowerCase(), m.symbol] as const),
  ]);
  const target = (address: string) => ({ address: getAddress(address), symbol: symbols.get(address.toLowerCase()) });
  if (given.length > 0) return given.map(target);
  // The vault's registry (its enumerator, or the profile's event scans confirmed by the vault).
  const { orderBooks: registered } = await discoverMarkets(
    reader,
    profile,
    { vault },
    records,
    profile.discovery.fromBlock ?? 0,
  );
  if (registered.length > 0) return registered.map(target);
  return (records?.markets ?? []).map((m) => target(m.orderBook));
}

/** What a rewire is planned from, observed at the pinned block. */
export interface RewireState {
  vault: string;
  fleet: OrderBookState[];
  create2Factory?: string;
  /** Strategy redeploy: how each new OrderBook is created, and whether the signer may register them. */
  creation?: Creation;
  signerHasFactoryRole: boolean;
  orderBookRoleAdmin?: string;
  /** Strategy redeploy: OrderBooks an earlier run of it replaced, for the report. */
  replaced?: ReplacedRow[];
  /** --markets / --except-markets: the markets this run moves onto the new vault. */
  moving?: MovingMarkets;
}

/** The fleet to move, read at the pinned block; refuses a vault or OrderBooks that do not answer as such. */
export async function observeRewire(
  reader: Reader,
  inputs: RewireInputs,
  records: SystemRecord | undefined,
  signer: string,
  profile: Profile,
  catalog: ContractCatalog,
): Promise<RewireState> {
  const { vault, strategy } = inputs;
  const isRegistered = profile.vault.orderBooks.isRegistered;
  const answers = await reader.tryCall({ to: vault, contract: isRegistered, fn: fnName(isRegistered), args: [vault] });
  if (answers === undefined) {
    throw new CutoverInputError(
      "--vault",
      vault,
      "no CoreVault answers at that address on this network; pass the new vault's address",
    );
  }
  const moving = inputs.selection && (await movingMarkets(reader, inputs.selection, vault, records, signer, profile));
  const targets = moving
    ? moving.markets.map((m) => ({ address: m.orderBook, symbol: m.symbol }))
    : await fleetTargets(reader, vault, inputs.given, records, profile);
  if (targets.length === 0)
    throw new CutoverInputError(
      "--orderbooks",
      "",
      "no OrderBooks found in the vault's registry or the records; pass --orderbooks",
    );
  let fleet: OrderBookState[];
  try {
    fleet = await observeFleet(reader, targets, profile);
  } catch (error) {
    throw new CutoverInputError(
      "--orderbooks",
      targets.map((t) => t.address).join(","),
      `one of them does not answer as an OrderBook diamond (owner/vault/marketId/facets): ${(error as Error).message}`,
    );
  }
  if (strategy === "cut") return { vault, fleet, signerHasFactoryRole: false, moving };
  // Books already on the new vault (including those this strategy deploys) are not the fleet to move.
  fleet = fleet.filter((book) => book.vault.toLowerCase() !== vault.toLowerCase());
  // the records may name few markets (the protocol's layout): the factory's creation events name the rest
  const symbols = await marketSymbols(reader, profile, records);
  fleet = fleet.map((book) =>
    book.symbol === book.address ? { ...book, symbol: symbols.get(book.address.toLowerCase()) ?? book.symbol } : book,
  );
  const creation = await observeCreation(reader, profile, fleet, catalog, {
    records: records?.contracts,
    factory: records?.contracts.FUTURES_MARKET_FACTORY,
  });
  const { hasRole, getRoleAdmin } = profile.vault.roles;
  const [signerHasFactoryRole, orderBookRoleAdmin] = (await reader.callMany([
    { to: vault, contract: hasRole, fn: fnName(hasRole), args: [id("FACTORY_ROLE"), signer] },
    { to: vault, contract: getRoleAdmin, fn: fnName(getRoleAdmin), args: [id("ORDERBOOK_ROLE")] },
  ])) as [boolean, string];
  const replaced = await replacedEarlier(reader, vault, records, fleet, profile);
  return { vault, fleet, creation, signerHasFactoryRole, orderBookRoleAdmin, replaced };
}
