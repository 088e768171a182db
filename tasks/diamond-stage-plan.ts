import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { stagePlan, type ChangeArgs } from "../src/diamond/facet-plan-run.js";

export default async function (args: ChangeArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  await stagePlan(args, hre);
}
