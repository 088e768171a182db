import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { rollback, type ChangeArgs } from "../src/diamond/facet-plan-run.js";

export default async function (args: ChangeArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  await rollback(args, hre);
}
