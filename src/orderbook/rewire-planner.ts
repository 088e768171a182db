import { getAddress, id, isAddress } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";
import type { EngineContext } from "../cli/engine-command.js";
import { CutoverInputError, CutRefusedByPolicyError } from "../errors.js";
import { predictDiamondCutEvent, receiptHasDiamondCut, type FacetCut } from "../diamond/cut.js";
import { Addresses, type ApplyReport } from "../engine/apply.js";
import { ContractCatalog } from "../engine/contracts.js";
import { findCreate2Factory } from "../engine/create2.js";
import type { Reader } from "../engine/reader.js";
import type { Planner } from "../engine/run.js";
import type { CallStep, Plan, Value } from "../engine/types.js";
import { readSystemRecordIfAny, requireRecordsChain, type SystemRecord } from "../records/records.js";
import { renderTable } from "../report/table.js";
import { fleetFacts, observeFleet, type FleetTarget, type OrderBookState, type RewirePart } from "./rewire.js";
// The records writer of a rewire lives with the other record writers; tasks import it from here too.
import "../type-extensions.js";
import { planProfileRewire } from "./rewire-storage.js";
import {
  observeCreation,
  planRedeployBooks,
  redeployNotes,
  replacedEarlier,
  SIGNER_FACTORY_ROLE,
  type Creation,
  type ReplacedRow,
} from "./redeploy-books.js";
import { discoverMarkets, marketSymbols } from "../profile/discover.js";
import { fnName } from "../profile/interpret.js";
import type { Profile } from "../profile/schema.js";
import { runKeys } from "../engine/run-key.js";
import { parseMarketSelection, splitScope, type MarketSelection } from "./market-split.js";
import { movedNote, movingMarkets, planMoves, type MovingMarkets } from "./rewire-markets.js";

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

interface RewireInputs {
  strategy: "cut" | "redeploy";
  vault: string;
  given: string[];
  extraFacets: string[];
  remove: string[];
  allowTakeover: boolean | string[];
  selection?: MarketSelection;
}

function parseRewireOptions(options: RewireOptions, records: SystemRecord | undefined): RewireInputs {
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

/** The fleet to move, read at the pinned block; refuses a vault or OrderBooks that do not answer as such. */
async function observeRewire(
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

export async function rewirePlanner(ctx: EngineContext, options: RewireOptions): Promise<Planner<RewireState>> {
  const { hre, conn, signer } = ctx;
  const root = hre.config.paths.root;
  const records = await readSystemRecordIfAny(root, conn.networkName);
  const inputs = parseRewireOptions(options, records);
  const { vault, strategy } = inputs;
  const catalog = new ContractCatalog(hre);
  return {
    task: "orderbook:rewire",
    runKey: runKeys.orderbookRewire(
      strategy,
      vault,
      inputs.selection && runKeys.marketsDigest(inputs.selection.input, inputs.selection.values),
    ),
    async observe(reader) {
      requireRecordsChain(records, Number((await reader.provider.getNetwork()).chainId), conn.networkName);
      const state = await observeRewire(reader, inputs, records, signer, hre.config.cutover.protocol, catalog);
      if (strategy === "redeploy")
        return {
          facts: { ...fleetFacts(state.fleet), [SIGNER_FACTORY_ROLE]: String(state.signerHasFactoryRole) },
          state,
        };
      state.create2Factory = await findCreate2Factory(conn, reader.block);
      return {
        facts: { ...fleetFacts(state.fleet), create2Factory: state.create2Factory?.toLowerCase() ?? "" },
        state,
      };
    },
    // the redeploy strategy's temporary FACTORY_ROLE changes what it was planned from: a resumed run plans from the facts
    planFromStoredFacts: strategy === "redeploy",
    async plan(state, facts, _known) {
      const { fleet } = state;
      let part: RewirePart;
      let notes: string[];
      if (strategy === "redeploy") {
        const profile = hre.config.cutover.protocol;
        part = planRedeployBooks({
          fleet,
          newVault: vault,
          signer,
          profile,
          creation: state.creation!,
          signerHasFactoryRole: facts[SIGNER_FACTORY_ROLE] === "true",
          orderBookRoleAdmin: state.orderBookRoleAdmin!,
        });
        notes = redeployNotes(Object.keys(part.stepOf).length, profile);
      } else {
        const { extraFacets, remove, allowTakeover } = inputs;
        const { protocol, redeploy } = hre.config.cutover;
        const moves = planMoves(state.moving, vault, signer, protocol, redeploy.batchSize);
        part = await planProfileRewire({
          fleet,
          newVault: vault,
          create2Factory: state.create2Factory,
          signer,
          extraFacets,
          remove,
          removable: hre.config.cutover.diamond.removable,
          allowTakeover,
          dependsOn: moves.ids,
          catalog,
          profile: hre.config.cutover.protocol,
        });
        if (part.refusals.length > 0) throw new CutRefusedByPolicyError(part.refusals);
        part = { ...part, steps: [...moves.steps, ...part.steps] };
        const rewired = fleet.length - Object.keys(part.stepOf).length;
        notes =
          rewired > 0
            ? [`${rewired} of ${fleet.length} OrderBooks already point at ${vault}: nothing to do for them.`]
            : [];
      }
      const moved = state.moving?.markets;
      return {
        steps: part.steps,
        notes: moved ? [...notes, movedNote(moved, vault)] : notes,
        labels: {
          ...part.labels,
          ...Object.fromEntries(fleet.map((b) => [b.address.toLowerCase(), `${b.symbol} ${b.address}`])),
          ...Object.fromEntries((moved ?? []).map((m) => [m.marketId.toLowerCase(), m.symbol])),
          ...(moved ? { [id("FACTORY_ROLE")]: "FACTORY_ROLE", [id("ORDERBOOK_ROLE")]: "ORDERBOOK_ROLE" } : {}),
        },
        ...(moved ? { scope: splitScope({ oldVault: "", moved, kept: [] }) } : {}),
      };
    },
  };
}

export interface OrderBookStatus {
  symbol: string;
  orderBook: string;
  owner: string;
  status: "already done" | "rewired" | "redeployed" | "failed" | "blocked" | "awaiting";
  /** The new OrderBook that replaces this one (strategy redeploy). */
  replacedBy?: string;
  txHash?: string;
  gasUsed?: string;
  reason?: string;
}

/**
 * One row per OrderBook, from the plan's steps for it (`rewire:<address>`, or `redeploy:`/`register:<address>`). For
 * every cut this invocation sent, the receipt must hold exactly the DiamondCut event predicted from the plan; a cut
 * without it is reported failed.
 */
export async function fleetStatus(
  conn: NetworkConnection,
  catalog: ContractCatalog,
  plan: Plan,
  report: ApplyReport,
  fleet: OrderBookState[],
): Promise<OrderBookStatus[]> {
  const results = new Map(report.results.map((r) => [r.id, r]));
  const addresses = new Addresses(report.deployed, catalog);
  const rows: OrderBookStatus[] = [];
  for (const book of fleet) {
    const key = `:${book.address.toLowerCase()}`;
    const steps = plan.steps.filter((s) => s.id.endsWith(key));
    const base: OrderBookStatus = {
      symbol: book.symbol,
      orderBook: book.address,
      owner: book.owner,
      status: "already done",
    };
    const redeployed = steps.find((s) => s.kind === "deploy");
    if (redeployed?.kind === "deploy") base.replacedBy = report.deployed[redeployed.record];
    const stepResults = steps.map((s) => results.get(s.id)!).filter(Boolean);
    const unfinished = stepResults.find((r) => r.status === "failed" || r.status === "blocked");
    if (unfinished) {
      rows.push({ ...base, status: unfinished.status === "blocked" ? "blocked" : "failed", reason: unfinished.reason });
      continue;
    }
    const awaiting = stepResults.find((r) => r.status === "awaiting");
    if (awaiting) {
      rows.push({ ...base, status: "awaiting", reason: awaiting.reason });
      continue;
    }
    const sent = stepResults.filter((r) => r.sentNow);
    if (sent.length === 0) {
      rows.push(base);
      continue;
    }
    const last = sent.at(-1)!;
    const cut = steps.find((s): s is CallStep => s.kind === "call" && s.actions[0].call.fn === "diamondCut");
    const cutResult = cut && results.get(cut.id);
    if (cut && cutResult?.sentNow && cutResult.txHash) {
      const call = cut.actions[0].call;
      await addresses.prepare(call.args);
      const [facetCuts, init, calldata] = call.args.map((a: Value) => addresses.resolve(a)) as [
        FacetCut[],
        string,
        string,
      ];
      const receipt = await conn.ethers.provider.getTransactionReceipt(cutResult.txHash);
      if (
        !receipt ||
        !receiptHasDiamondCut(receipt.logs, book.address, predictDiamondCutEvent(facetCuts, init, calldata))
      ) {
        rows.push({
          ...base,
          status: "failed",
          txHash: cutResult.txHash,
          reason: "the receipt lacks the predicted DiamondCut event",
        });
        continue;
      }
    }
    rows.push({ ...base, status: redeployed ? "redeployed" : "rewired", txHash: last.txHash, gasUsed: last.gasUsed });
  }
  return rows;
}

export function renderFleet(rows: OrderBookStatus[]): string {
  const count = (status: string) => rows.filter((r) => r.status === status).length;
  const replaced = rows.some((r) => r.replacedBy);
  return [
    renderTable(
      ["market", "orderBook", ...(replaced ? ["replaced by"] : []), "owner", "status", "tx", "reason"],
      rows.map((r) => [
        r.symbol,
        r.orderBook,
        ...(replaced ? [r.replacedBy ?? ""] : []),
        r.owner,
        r.status,
        r.txHash ?? "",
        r.reason ?? "",
      ]),
    ),
    `${rows.length} OrderBooks: ${count("rewired") + count("redeployed")} ${replaced ? "redeployed" : "rewired"}, ${count("already done")} already done, ${count("failed")} failed, ${count("blocked")} blocked${count("awaiting") > 0 ? `, ${count("awaiting")} awaiting their owner` : ""}`,
  ].join("\n");
}
