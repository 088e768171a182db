import { getAddress, ZeroAddress } from "ethers";
import {
  computeCut,
  type CutPolicy,
  type DesiredFacet,
  type FacetCut,
  type LiveFacet,
  type Refusal,
} from "../diamond/cut.js";
import { selectorsOf } from "../diamond/selectors.js";
import type { ContractCatalog } from "../engine/contracts.js";
import {
  create2Address,
  create2FacetDeployStep,
  create2FactoryDeployStep,
  DETERMINISTIC_DEPLOYER,
  facetSalt,
} from "../engine/create2.js";
import type { Reader } from "../engine/reader.js";
import type { CallAction, CallStep, Ref, Step, Value } from "../engine/types.js";
import { REFERENCE } from "../profile/builtins.js";
import { fnName, readCheck, readConcept } from "../profile/interpret.js";
import type { Profile } from "../profile/schema.js";

/** One OrderBook diamond as observed. */
export interface OrderBookState {
  address: string;
  symbol: string;
  marketId: string;
  owner: string;
  vault: string;
  facets: LiveFacet[];
}

export interface FleetTarget {
  address: string;
  symbol?: string;
}

/**
 * Reads owner, stored vault, market and live facets of every OrderBook at the reader's block; the vault and the
 * market as the profile says (a view call, or the market storage slot).
 */
export async function observeFleet(
  reader: Reader,
  targets: FleetTarget[],
  profile: Profile = REFERENCE,
): Promise<OrderBookState[]> {
  const reads = targets.flatMap((t) => [
    { to: t.address, contract: "OwnershipFacet", fn: "owner", args: [] },
    { to: t.address, contract: "DiamondLoupeFacet", fn: "facets", args: [] },
  ]);
  const [values, stored] = await Promise.all([
    reader.callMany(reads),
    Promise.all(
      targets.map((t) =>
        Promise.all([
          readConcept(reader, profile, "orderBook.vault", { target: t.address, address: true }),
          readConcept(reader, profile, "orderBook.marketId", { target: t.address }),
        ]),
      ),
    ),
  ]);
  return targets.map((t, i) => {
    const [owner, facets] = values.slice(i * 2, i * 2 + 2) as [string, [string, string[]][]];
    const [vault, marketId] = stored[i] as [string, string];
    return {
      address: getAddress(t.address),
      symbol: t.symbol ?? getAddress(t.address),
      marketId,
      owner: getAddress(owner),
      vault: getAddress(vault),
      facets: facets.map(([facetAddress, functionSelectors]) => ({
        facetAddress: getAddress(facetAddress),
        functionSelectors: [...functionSelectors],
      })),
    };
  });
}

export function fleetFacts(fleet: OrderBookState[]): Record<string, string> {
  const facts: Record<string, string> = {};
  for (const book of fleet) {
    const key = `orderBook.${book.address.toLowerCase()}`;
    facts[`${key}.owner`] = book.owner.toLowerCase();
    facts[`${key}.vault`] = book.vault.toLowerCase();
    facts[`${key}.facets`] = book.facets
      .map((f) => `${f.facetAddress.toLowerCase()}:${[...f.functionSelectors].sort().join("+")}`)
      .sort()
      .join(",");
  }
  return facts;
}

export interface RewireInputs {
  fleet: OrderBookState[];
  /** The vault every OrderBook must point at: an address, or a reference to one the same plan deploys. */
  newVault: string | Ref;
  /** The CREATE2 proxy's address where the chain has it; undefined when this plan must install it first. */
  create2Factory?: string;
  signer: string;
  /** Facets to add besides the VaultAdminFacet (e.g. a fix shipped with the rewire). */
  extraFacets: string[];
  /** Selectors to remove in the same cut; refused unless also in `removable`. */
  remove: string[];
  /** The removal allowlist (`cutover.diamond.removable`). */
  removable: string[];
  allowTakeover: boolean | string[];
  /** Steps the rewire waits for (e.g. the new vault's deployment in the same plan). */
  dependsOn: string[];
  catalog: ContractCatalog;
  /** How an OrderBook's vault is read (default: the reference mock's). */
  profile?: Profile;
}

export interface RewirePart {
  steps: Step[];
  /** OrderBook address -> id of the step that rewires it (absent: it already points at the new vault). */
  stepOf: Record<string, string>;
  refusals: { orderBook: string; symbol: string; refusal: Refusal }[];
  labels: Record<string, string>;
}

/** Facets whose signatures name the selectors of a removal. */
const KNOWN_FACETS = [
  "DiamondCutFacet",
  "DiamondLoupeFacet",
  "OwnershipFacet",
  "OrderBookTradingFacet",
  "OrderBookViewFacet",
  "VaultAdminFacet",
];

/** The facets a rewire's cut adds, each deployed through CREATE2 (and the factory first when it is not there yet). */
interface FacetDeployment {
  steps: Step[];
  desired: DesiredFacet[];
  /** Predicted facet address (lowercase) -> what the plan calls it: the address, or a reference to the deploy step. */
  facetRef: Map<string, Value>;
  labels: Record<string, string>;
}

/** The admin facet a cut adds to set the vault (the profile's `orderBook.rewire.facet`; VaultAdminFacet by default). */
function adminFacetOf(inputs: RewireInputs): { artifact: string; setter: string } {
  const rewire = (inputs.profile ?? REFERENCE).orderBook.rewire;
  return "facet" in rewire ? rewire.facet : { artifact: "VaultAdminFacet", setter: "function setVault(address)" };
}

async function deployFacets(inputs: RewireInputs): Promise<FacetDeployment> {
  const { catalog, signer } = inputs;
  const out: FacetDeployment = { steps: [], desired: [], facetRef: new Map(), labels: {} };
  if (!inputs.create2Factory) out.steps.push(create2FactoryDeployStep(signer));
  for (const name of [adminFacetOf(inputs).artifact, ...inputs.extraFacets]) {
    out.steps.push(create2FacetDeployStep(name, signer, !!inputs.create2Factory));
    const artifact = await catalog.artifact(name);
    // The proxy's address is the same everywhere: the facet's address is known now, the cut computed against it exactly.
    const address = predictCreate2(DETERMINISTIC_DEPLOYER, name, artifact.bytecode);
    const selectors = selectorsOf(artifact.abi as never);
    out.desired.push({ name, facetAddress: address, selectors });
    for (const { selector, signature } of selectors) out.labels[selector.toLowerCase()] = signature;
    out.facetRef.set(address.toLowerCase(), address);
    out.labels[address.toLowerCase()] = name;
  }
  return out;
}

/** --remove as a pseudo-facet at address 0, its selectors named where a known facet has them. */
async function removals(inputs: RewireInputs): Promise<DesiredFacet[]> {
  if (inputs.remove.length === 0) return [];
  const known = new Map<string, string>();
  for (const name of KNOWN_FACETS)
    for (const s of selectorsOf((await inputs.catalog.artifact(name)).abi as never)) known.set(s.selector, s.signature);
  return [
    {
      name: "--remove",
      facetAddress: ZeroAddress,
      selectors: inputs.remove.map((selector) => ({ selector, signature: known.get(selector.toLowerCase()) ?? "" })),
    },
  ];
}

/** One OrderBook's step: its diamondCut with the setVault init, or setVault alone where the facet is installed. */
function rewireStep(
  book: OrderBookState,
  cuts: FacetCut[],
  facets: FacetDeployment,
  inputs: RewireInputs,
  dependsOn: string[],
): CallStep {
  const profile = inputs.profile ?? REFERENCE;
  const done = readCheck(profile, profile.orderBook.vault, book.address, inputs.newVault, "OrderBook");
  const cut: Value[] = cuts.map((c) => ({
    facetAddress:
      c.facetAddress === ZeroAddress
        ? ZeroAddress
        : (facets.facetRef.get(c.facetAddress.toLowerCase()) ?? c.facetAddress),
    action: c.action,
    functionSelectors: [...c.functionSelectors],
  }));
  const adminFacet = facets.facetRef.get(facets.desired[0].facetAddress.toLowerCase())!;
  const facet = adminFacetOf(inputs);
  const setter = { contract: facet.artifact, fn: fnName(facet.setter), args: [inputs.newVault] };
  const setVault: Value = { $encode: setter };
  const action: CallAction =
    cut.length === 0
      ? { call: { to: book.address, ...setter }, done }
      : {
          call: { to: book.address, contract: "DiamondCutFacet", fn: "diamondCut", args: [cut, adminFacet, setVault] },
          done,
        };
  const key = book.address.toLowerCase();
  return {
    id: `rewire:${key}`,
    kind: "call",
    label: `rewire ${book.symbol}`,
    from: book.owner,
    dependsOn,
    writes: [`orderBook.${key}.vault`, `orderBook.${key}.facets`],
    actions: [action],
  };
}

/**
 * The `cut` strategy: the vault-admin facet (and any extra facets) deployed once through CREATE2, then ONE diamondCut
 * per OrderBook whose stored vault differs, adding the facet's selectors where absent, with `setVault(newVault)` as
 * its init call, sent by the diamond's owner. Where the facet is already installed, just `setVault`.
 */
export async function planRewire(inputs: RewireInputs): Promise<RewirePart> {
  const facets = await deployFacets(inputs);
  const desired = [...facets.desired, ...(await removals(inputs))];
  const policy: CutPolicy = {
    allowTakeover: inputs.allowTakeover,
    removals: inputs.remove.filter((s) => inputs.removable.map((r) => r.toLowerCase()).includes(s.toLowerCase())),
  };
  const dependsOn = [...inputs.dependsOn, ...facets.desired.map((f) => `deploy:${f.name}`)];
  const part: RewirePart = { steps: [...facets.steps], stepOf: {}, refusals: [], labels: facets.labels };
  for (const book of inputs.fleet) {
    if (typeof inputs.newVault === "string" && book.vault.toLowerCase() === inputs.newVault.toLowerCase()) continue;
    const result = computeCut(book.facets, desired, { ...policy, diamond: book.address });
    for (const refusal of result.refusals)
      part.refusals.push({ orderBook: book.address, symbol: book.symbol, refusal });
    if (result.refusals.length > 0) continue;
    const step = rewireStep(book, result.cut, facets, inputs, dependsOn);
    part.steps.push(step);
    part.stepOf[book.address] = step.id;
  }
  return part;
}

function predictCreate2(factory: string, name: string, bytecode: string): string {
  // Facets have no constructor arguments and no libraries: the init code is the artifact's bytecode.
  return create2Address(factory, facetSalt(name), bytecode);
}
