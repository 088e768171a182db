// diamond:apply-plan --rehearse [--with-rollback]: the whole facet change (stage, delay, apply; then its inverse) on a
// throwaway copy of the in-process chain, through the task: a ManifestDispatcher and a diamond owned by a real
// OpenZeppelin TimelockController. The chain is left exactly as it was.
import { expect } from "chai";
import { Contract, ZeroAddress } from "ethers";
import { selectorsOf } from "../../src/diamond/selectors.js";
import type { Rehearsal } from "../../src/rehearse/report.js";
import { conn } from "../helpers/system.js";
import { runJson } from "../helpers/tasks.js";

const { ethers } = conn;
const [admin] = await ethers.getSigners();
const DELAY = 3600;

async function loupe(target: string, abi: string): Promise<string> {
  const facets = await (await ethers.getContractAt(abi, target)).facets();
  return JSON.stringify(facets.map(([facet, selectors]: [string, string[]]) => [facet, [...selectors].sort()]).sort());
}

async function timelockDiamond(): Promise<string> {
  const timelock = await ethers.deployContract("Timelock", [DELAY, [admin.address], [admin.address], ZeroAddress]);
  const cuts = [];
  for (const name of ["DiamondCutFacet", "DiamondLoupeFacet", "OwnershipFacet"]) {
    const facet = await ethers.deployContract(name);
    cuts.push({
      facetAddress: await facet.getAddress(),
      action: 0,
      functionSelectors: selectorsOf(facet.interface).map((s) => s.selector),
    });
  }
  const diamond = await ethers.deployContract("OrderBookDiamond", [
    await timelock.getAddress(),
    cuts,
    ZeroAddress,
    "0x",
  ]);
  return diamond.getAddress();
}

describe("diamond:apply-plan --rehearse", () => {
  afterEach(() => {
    process.exitCode = 0;
  });

  for (const [kind, make, abi] of [
    [
      "a ManifestDispatcher",
      async () =>
        (
          (await ethers.deployContract("ManifestDispatcher", [admin.address, DELAY])) as unknown as Contract
        ).getAddress(),
      "IDispatcherLoupe",
    ],
    ["a diamond owned by a TimelockController", timelockDiamond, "DiamondLoupeFacet"],
  ] as const) {
    it(`on ${kind}: stages, passes the delay, applies and, with --with-rollback, returns the loupe to its starting state; the chain is untouched`, async () => {
      const target = await make();
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
