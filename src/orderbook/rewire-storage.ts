import { create2FacetDeployStep, create2FactoryDeployStep } from "../engine/create2.js";
import type { CallStep, Step, Value } from "../engine/types.js";
import { REFERENCE } from "../profile/builtins.js";
import { readCheck, slotOf } from "../profile/interpret.js";
import { planRewire, type OrderBookState, type RewireInputs, type RewirePart } from "./rewire.js";

/** The one-shot init an empty diamondCut delegatecalls to write the new vault into the diamond's storage. */
export const SLOT_INIT = "VaultSlotInit";

/** A rewire as the profile says: by storage (`orderBook.rewire.storage`), else by the admin facet's cut. */
export async function planProfileRewire(inputs: RewireInputs): Promise<RewirePart> {
  const rewire = (inputs.profile ?? REFERENCE).orderBook.rewire;
  return "storage" in rewire ? planStorageRewire(inputs, rewire.storage) : planRewire(inputs);
}

/**
 * The storage strategy, for any EIP-2535 diamond: VaultSlotInit deployed once through CREATE2, then per OrderBook whose
 * vault differs ONE `diamondCut([], VaultSlotInit, writeAddress(slot, newVault))`, sent by the diamond's owner (the
 * diamond's own diamondCut checks it). Nothing is installed; the done check is the profile's read of the OrderBook's
 * vault.
 */
export function planStorageRewire(inputs: RewireInputs, storage: { slot: string; word?: number }): RewirePart {
  const { signer } = inputs;
  const steps: Step[] = [
    ...(inputs.create2Factory ? [] : [create2FactoryDeployStep(signer)]),
    create2FacetDeployStep(SLOT_INIT, signer, !!inputs.create2Factory),
  ];
  const part: RewirePart = { steps, stepOf: {}, refusals: [], labels: {} };
  const write: Value = {
    $encode: { contract: SLOT_INIT, fn: "writeAddress", args: [slotOf(storage), inputs.newVault] },
  };
  for (const book of inputs.fleet) {
    if (typeof inputs.newVault === "string" && book.vault.toLowerCase() === inputs.newVault.toLowerCase()) continue;
    const step = storageStep(book, write, inputs, [...inputs.dependsOn, `deploy:${SLOT_INIT}`]);
    part.steps.push(step);
    part.stepOf[book.address] = step.id;
  }
  return part;
}

function storageStep(book: OrderBookState, write: Value, inputs: RewireInputs, dependsOn: string[]): CallStep {
  const profile = inputs.profile ?? REFERENCE;
  const key = book.address.toLowerCase();
  return {
    id: `rewire:${key}`,
    kind: "call",
    label: `rewire ${book.symbol}`,
    from: book.owner,
    dependsOn,
    writes: [`orderBook.${key}.vault`],
    actions: [
      {
        call: {
          to: book.address,
          contract: "DiamondCutFacet",
          fn: "diamondCut",
          args: [[], { $ref: SLOT_INIT }, write],
        },
        done: readCheck(profile, profile.orderBook.vault, book.address, inputs.newVault, "OrderBook"),
      },
    ],
  };
}
