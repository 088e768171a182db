import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { applyPlan, type ChangeArgs } from "../src/diamond/facet-plan-run.js";

export default async function (args: ChangeArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  await applyPlan(args, hre);
}
