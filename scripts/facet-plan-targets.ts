// Deploys two hosts to try facet plans on, and prints their addresses:
//   a ManifestDispatcher (admin: the first account, activation delay FACET_PLAN_DELAY seconds, default 3600), and
//   an OrderBookDiamond (cut, loupe and ownership facets) owned by an OpenZeppelin TimelockController with the same
//   minimum delay, whose proposer and executor is the first account.
// Usage: npm run hardhat -- run --network localhost scripts/facet-plan-targets.ts
import { ZeroAddress } from "ethers";
import hre from "hardhat";
import { selectorsOf } from "../src/diamond/selectors.js";

const delay = Number(process.env.FACET_PLAN_DELAY ?? 3600);
const { ethers } = await hre.network.getOrCreate();
const [admin] = await ethers.getSigners();

const dispatcher = await ethers.deployContract("ManifestDispatcher", [admin.address, delay]);
await dispatcher.waitForDeployment();
const timelock = await ethers.deployContract("Timelock", [delay, [admin.address], [admin.address], ZeroAddress]);
await timelock.waitForDeployment();
const cuts = [];
for (const name of ["DiamondCutFacet", "DiamondLoupeFacet", "OwnershipFacet"]) {
  const facet = await ethers.deployContract(name);
  await facet.waitForDeployment();
  cuts.push({ facetAddress: await facet.getAddress(), action: 0, functionSelectors: selectorsOf(facet.interface).map((s) => s.selector) });
}
const diamond = await ethers.deployContract("OrderBookDiamond", [await timelock.getAddress(), cuts, ZeroAddress, "0x"]);
await diamond.waitForDeployment();

console.log(`ManifestDispatcher  ${await dispatcher.getAddress()}  (admin ${admin.address}, activation delay ${delay} s)`);
console.log(`TimelockController  ${await timelock.getAddress()}  (min delay ${delay} s, proposer and executor ${admin.address})`);
console.log(`OrderBookDiamond    ${await diamond.getAddress()}  (owner: the timelock)`);
