// orderbook:rewire: move every OrderBook (or the markets chosen) onto the new vault, by a storage cut in place
// (strategy cut) or a fresh OrderBook per market (strategy redeploy).
import { id } from "ethers";
import type { EngineContext } from "../cli/engine-command.js";
import { CutRefusedByPolicyError } from "../errors.js";
import { ContractCatalog } from "../engine/contracts.js";
import { findCreate2Factory } from "../engine/create2.js";
import { runKeys } from "../engine/run-key.js";
import type { Planner } from "../engine/run.js";
import { readSystemRecordIfAny, requireRecordsChain } from "../records/records.js";
import "../type-extensions.js";
import { splitScope } from "./market-split.js";
import { planRedeployBooks, redeployNotes, SIGNER_FACTORY_ROLE } from "./redeploy-books.js";
import { parseRewireOptions, type RewireInputs, type RewireOptions } from "./rewire-inputs.js";
import { movedNote, planMoves } from "./rewire-markets.js";
import { observeRewire, type RewireState } from "./rewire-observe.js";
import { planProfileRewire } from "./rewire-storage.js";
import { fleetFacts, type RewirePart } from "./rewire.js";

export { fleetStatus, renderFleet, type OrderBookStatus } from "./fleet-status.js";
export type { RewireOptions } from "./rewire-inputs.js";
export type { RewireState } from "./rewire-observe.js";

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
      const { part, notes } =
        strategy === "redeploy"
          ? planRedeployStrategy(ctx, vault, state, facts)
          : await planCutStrategy(ctx, inputs, state, catalog);
      const { fleet } = state;
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

/** Strategy redeploy: a new OrderBook per market, registered on the new vault. */
function planRedeployStrategy(
  { hre, signer }: EngineContext,
  vault: string,
  state: RewireState,
  facts: Record<string, string>,
): { part: RewirePart; notes: string[] } {
  const profile = hre.config.cutover.protocol;
  const part = planRedeployBooks({
    fleet: state.fleet,
    newVault: vault,
    signer,
    profile,
    creation: state.creation!,
    signerHasFactoryRole: facts[SIGNER_FACTORY_ROLE] === "true",
    orderBookRoleAdmin: state.orderBookRoleAdmin!,
  });
  return { part, notes: redeployNotes(Object.keys(part.stepOf).length, profile) };
}

/** Strategy cut: the chosen markets moved first (--markets), then each OrderBook's storage cut to the new vault. */
async function planCutStrategy(
  { hre, signer }: EngineContext,
  inputs: RewireInputs,
  state: RewireState,
  catalog: ContractCatalog,
): Promise<{ part: RewirePart; notes: string[] }> {
  const { fleet } = state;
  const { vault, extraFacets, remove, allowTakeover } = inputs;
  const { protocol, redeploy } = hre.config.cutover;
  const moves = planMoves(state.moving, vault, signer, protocol, redeploy.batchSize);
  const part = await planProfileRewire({
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
  const rewired = fleet.length - Object.keys(part.stepOf).length;
  const notes =
    rewired > 0 ? [`${rewired} of ${fleet.length} OrderBooks already point at ${vault}: nothing to do for them.`] : [];
  return { part: { ...part, steps: [...moves.steps, ...part.steps] }, notes };
}
