// Facet plans (diamond:plan, diamond:stage-plan, diamond:apply-plan, diamond:rollback): the pure part. No provider.
//
// A plan routes the selectors of some facets on one host: a ManifestDispatcher (routes staged from a Merkle manifest,
// live after a delay) or an EIP-2535 diamond owned by a TimelockController (one diamondCut, scheduled then executed).
// buildFacetPlan puts together the checks (facet-plan-checks.ts), the cut against the live routes (cut.ts), the Merkle
// entries and the inverse into the plan file's format (facet-plan-format.ts). Chain reads and sends live in
// target.ts, plan-facets.ts and facet-plan-planners.ts.
import { getAddress, ZeroAddress } from "ethers";
import { computeCut, FacetCutAction, type CutResult, type FacetCut, type LiveFacet } from "./cut.js";
import { applyCutToLive, inverseCut } from "./cut-replay.js";
import { abiDiff, facetPlanChecks, planView, refusalReasons, type PlanView } from "./facet-plan-checks.js";
import {
  facetPlanId,
  manifestEntries,
  PLAN_FORMAT,
  type AbiDiff,
  type FacetPlan,
  type FacetPlanInputs,
  type RouteChange,
} from "./facet-plan-format.js";

export * from "./facet-plan-format.js";
export { facetFamily } from "./facet-plan-checks.js";
export { clipLines, renderFacetPlan } from "./facet-plan-render.js";

/** The cut, through the one cut core: the planned facets, plus the removals that superseding a facet implies. */
function planCut(view: PlanView, abi: AbiDiff, inputs: FacetPlanInputs): CutResult {
  const { live, liveOf, supersededBy, plannedSelectors, userTakeover } = view;
  const versionMoves = [...plannedSelectors.keys()].filter((s) => {
    const current = liveOf.get(s);
    return current !== undefined && supersededBy.has(current.address);
  });
  const removedSelectors = abi.removed.map((r) => r.selector);
  return computeCut(
    live.map((f) => ({ facetAddress: f.address, functionSelectors: f.selectors.map((s) => s.selector) })),
    [
      ...view.facets.map((f) => ({ name: f.name, facetAddress: f.address, selectors: f.selectors })),
      ...(removedSelectors.length > 0
        ? [
            {
              name: "the superseded facets' removed selectors",
              facetAddress: ZeroAddress,
              selectors: abi.removed.map((r) => ({ selector: r.selector, signature: r.signature })),
            },
          ]
        : []),
    ],
    {
      allowTakeover: userTakeover === true ? true : [...versionMoves, ...userTakeover],
      removals: inputs.acceptBreaking ? removedSelectors : [],
      ...(inputs.kind === "diamond" ? { diamond: view.target } : {}),
    },
  );
}

/** The change that undoes the plan: the inverse cut, and the live routes it restores as a manifest. */
function inverseChange(
  view: PlanView,
  before: LiveFacet[],
  after: LiveFacet[],
  cut: FacetCut[],
  inputs: FacetPlanInputs,
): RouteChange {
  const inverse = inverseCut(before, cut);
  const liveByAddress = new Map(view.live.map((f) => [f.address, f]));
  const restored = manifestEntries(
    inverse
      .filter((c) => c.action !== FacetCutAction.Remove)
      .flatMap((c) => {
        const facet = liveByAddress.get(getAddress(c.facetAddress))!;
        return c.functionSelectors.map((selector) => ({
          selector,
          signature: view.liveSignature.get(selector) ?? "",
          facet: facet.address,
          facetName: facet.name ?? "",
          codehash: facet.codehash.toLowerCase(),
        }));
      }),
    inputs.oddNode,
  );
  return {
    root: restored.root,
    epoch: inputs.kind === "dispatcher" && restored.root !== null ? inputs.epoch! + 1 : null,
    entries: restored.entries,
    removals: inverse.filter((c) => c.action === FacetCutAction.Remove).flatMap((c) => c.functionSelectors),
    cut: inverse,
    before: after,
    after: before,
  };
}

/**
 * Builds the plan: the checks (collisions, takeovers, shadowing, protected selectors, ABI shape, EIP-170), the cut
 * against the live routes, the Merkle entries of every planned selector, and the inverse. A plan with any refusal is
 * "refused" and lists why; it is still a complete record of what was checked.
 *
 * A live facet is SUPERSEDED by a planned facet of the same family (same contract name, or the name without a
 * `V<n>` suffix): its selectors move to the new facet without counting as a takeover, and those the new facet lacks
 * are removed — an ABI-breaking removal, refused unless `acceptBreaking`.
 */
export function buildFacetPlan(inputs: FacetPlanInputs): FacetPlan {
  const view = planView(inputs);
  const { target, facets, live, liveOf, plannedSelectors } = view;
  const abi = abiDiff(view);
  const result = planCut(view, abi, inputs);
  const checks = facetPlanChecks(view, abi, result.refusals, inputs);
  const reasons = refusalReasons(checks, result.refusals, inputs.acceptBreaking);

  const forward = manifestEntries(
    facets.flatMap((f) =>
      f.selectors.map((s) => ({
        selector: s.selector.toLowerCase(),
        signature: s.signature,
        facet: f.address,
        facetName: f.name,
        codehash: f.codehash,
      })),
    ),
    inputs.oddNode,
  );
  const before = live.map((f) => ({ facetAddress: f.address, functionSelectors: f.selectors.map((s) => s.selector) }));
  const refused = reasons.length > 0;
  const removals = result.cut.filter((c) => c.action === FacetCutAction.Remove).flatMap((c) => c.functionSelectors);
  const after = refused ? null : applyCutToLive(before, result.cut);
  const inverse = after ? inverseChange(view, before, after, result.cut, inputs) : null;

  const content: Omit<FacetPlan, "id"> = {
    format: PLAN_FORMAT,
    application: inputs.application ?? 0,
    oddNode: inputs.oddNode ?? "promote",
    status: refused ? "refused" : "ready",
    reasons,
    network: inputs.network,
    chainId: inputs.chainId,
    target,
    kind: inputs.kind,
    timelock: inputs.timelock === null ? null : getAddress(inputs.timelock),
    owner: inputs.owner === null ? null : { address: getAddress(inputs.owner.address), kind: inputs.owner.kind },
    dispatcherProfile: inputs.dispatcherProfile,
    epoch: inputs.kind === "dispatcher" ? inputs.epoch : null,
    activationDelay: inputs.activationDelay,
    root: forward.root!,
    facets: facets.map((f) => ({
      name: f.name,
      address: f.address,
      codehash: f.codehash,
      deployedSize: f.deployedSize,
    })),
    entries: forward.entries,
    cut: {
      facetCuts: result.cut,
      removals,
      summary: {
        ...result.summary,
        unchanged: [...plannedSelectors].filter(([s, owners]) =>
          owners.some((o) => o.facet.address === liveOf.get(s)?.address),
        ).length,
      },
    },
    checks,
    live: { before, after },
    inverse,
  };
  return { id: facetPlanId(content), ...content } as FacetPlan;
}
