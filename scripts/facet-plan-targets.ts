// Deploys two hosts to try facet plans on, and prints their addresses:
//   a ManifestDispatcher (admin: the first account, activation delay FACET_PLAN_DELAY seconds, default 3600), and
//   an OrderBookDiamond (cut, loupe and ownership facets) owned by an OpenZeppelin TimelockController with the same
//   minimum delay, whose proposer and executor is the first account.
// Usage: npm run hardhat -- run --network localhost scripts/facet-plan-targets.ts
import hre from "hardhat";
import { deployPlanTargets } from "../src/mocks/plan-targets.js";

const delay = Number(process.env.FACET_PLAN_DELAY ?? 3600);
const { admin, dispatcher, timelock, diamond } = await deployPlanTargets(await hre.network.getOrCreate(), delay);

console.log(`ManifestDispatcher  ${dispatcher}  (admin ${admin}, activation delay ${delay} s)`);
console.log(`TimelockController  ${timelock}  (min delay ${delay} s, proposer and executor ${admin})`);
console.log(`OrderBookDiamond    ${diamond}  (owner: the timelock)`);
