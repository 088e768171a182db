// diamond:apply-plan --rehearse [--with-rollback]: the whole facet change (stage, delay, apply; then its inverse) on a
// throwaway copy of the in-process chain, through the task: a ManifestDispatcher and a diamond owned by a real
// OpenZeppelin TimelockController. The chain is left exactly as it was.
import { expect } from "chai";
import { deployPlanTargets } from "../../src/mocks/plan-targets.js";
import type { Rehearsal } from "../../src/rehearse/report.js";
import { conn } from "../helpers/system.js";
import { runJson } from "../helpers/tasks.js";

const { ethers } = conn;
const DELAY = 3600;

async function loupe(target: string, abi: string): Promise<string> {
  const facets = await (await ethers.getContractAt(abi, target)).facets();
  return JSON.stringify(facets.map(([facet, selectors]: [string, string[]]) => [facet, [...selectors].sort()]).sort());
}

/** A ManifestDispatcher and a diamond owned by a TimelockController, each with a DELAY-second delay. */
const targets = await deployPlanTargets(conn, DELAY);

describe("diamond:apply-plan --rehearse", () => {
  afterEach(() => {
    process.exitCode = 0;
  });

  for (const [kind, target, abi] of [
    ["a ManifestDispatcher", targets.dispatcher, "IDispatcherLoupe"],
    ["a diamond owned by a TimelockController", targets.diamond, "DiamondLoupeFacet"],
  ] as const) {
    it(`on ${kind}: stages, passes the delay, applies and, with --with-rollback, returns the loupe to its starting state; the chain is untouched`, async () => {
      const planned = await runJson("diamond:plan", { target, facets: "FeeConfigFacet,PauseGuardFacet" });
      const startingLoupe = await loupe(target, abi);
      const block = await ethers.provider.getBlockNumber();

      const forward = await runJson<Rehearsal>("diamond:apply-plan", { plan: planned.file, rehearse: true });
      expect(forward.passed, JSON.stringify(forward.problems)).to.equal(true);
      expect(forward.phases.map((p) => p.task)).to.deep.equal(["diamond:stage-plan", "diamond:apply-plan"]);
      expect(forward.diff.transactions).to.be.greaterThan(1);

      const both = await runJson<Rehearsal>("diamond:apply-plan", {
        plan: planned.file,
        rehearse: true,
        withRollback: true,
      });
      expect(both.passed, JSON.stringify(both.problems)).to.equal(true);
      // The dispatcher's inverse of a change that only adds routes only removes them: nothing to stage.
      const rollbackRuns = kind.startsWith("a ManifestDispatcher")
        ? ["diamond:rollback"]
        : ["diamond:rollback", "diamond:rollback"];
      expect(both.phases.map((p) => p.task)).to.deep.equal([
        "diamond:stage-plan",
        "diamond:apply-plan",
        ...rollbackRuns,
      ]);
      expect(both.problems).to.deep.equal([]);

      expect(await ethers.provider.getBlockNumber()).to.equal(block);
      expect(await loupe(target, abi)).to.equal(startingLoupe);
    });
  }
});
