// diamond:apply-plan --rehearse [--with-rollback]: the whole change on a throwaway copy of the chain — staged if it is
// not, time moved past its delay, applied, the loupe checked against the plan — and, with --with-rollback, its inverse
// staged and applied after it, the loupe checked to be back where it started. Nothing is sent to the network.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { ContractCatalog } from "../engine/contracts.js";
import type { RunOptions } from "../engine/run.js";
import { passTime } from "../rehearse/authorities.js";
import { rehearse, type RehearsalPhase } from "../rehearse/rehearse.js";
import type { Rehearsal } from "../rehearse/report.js";
import { forwardContext, rollbackContext, type ChangeContext } from "./change.js";
import { applyPlanner, currentState, stagePlanner, verifyRoutes } from "./facet-plan-planners.js";
import type { FacetPlan } from "./facet-plan-format.js";

/** Staging (when the change is not staged yet), then, once its delay is passed, applying (when it is not applied). */
function changePhases(
  hre: HardhatRuntimeEnvironment,
  fork: NetworkConnection,
  ctx: ChangeContext,
  signer: string,
  batchSize?: number,
  rollback = false,
): RehearsalPhase[] {
  const state = () => currentState(hre, fork, ctx);
  return [
    { rollback, planner: async () => ((await state()).state === "unstaged" ? stagePlanner(ctx, signer) : undefined) },
    {
      rollback,
      before: async () => {
        const s = await state();
        if (s.state === "staged" && s.eta > s.now) await passTime(fork, s.eta);
      },
      planner: async () => ((await state()).state === "applied" ? undefined : applyPlanner(ctx, signer, batchSize)),
    },
  ];
}

export async function rehearseChange(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  plan: FacetPlan,
  options: { signer: string; batchSize?: number; withRollback: boolean; run: RunOptions },
): Promise<{ rehearsal: Rehearsal; files: { json: string; md: string } }> {
  const catalog = new ContractCatalog(hre);
  const profile = hre.config.cutover.diamond.dispatcherProfile;
  const [forward, back] = [await forwardContext(catalog, plan, profile), await rollbackContext(catalog, plan, profile)];
  const last = options.withRollback ? back : forward;
  return rehearse(
    hre,
    conn,
    async (fork) => ({
      phases: [
        ...changePhases(hre, fork, forward, options.signer, options.batchSize),
        ...(options.withRollback ? changePhases(hre, fork, back, options.signer, options.batchSize, true) : []),
      ],
      // The rollback's `after` is the loupe the plan started from.
      check: async () =>
        (await verifyRoutes(fork, hre, last)).map(
          (d) => `${options.withRollback ? "not back to the starting routes" : "not the planned routes"}: ${d}`,
        ),
    }),
    options.run,
  );
}
