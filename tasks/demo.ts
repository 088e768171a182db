import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { deploySystem } from "../src/mocks/deploy-system.js";
import { readInventory, renderInventory } from "../src/mocks/inventory.js";
import { progressLine } from "../src/report/progress.js";

interface Args {
  markets: number;
}

/** The main job on the embedded in-process chain. Today: stand up the production-like system and show it. */
export default async function demoTask(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const conn = await hre.network.create();
  const progress = progressLine(true);
  const started = Date.now();
  const system = await deploySystem(hre, conn, { markets: args.markets, users: 6, factory: "updatable", seed: "demo", onProgress: progress.update });
  progress.done(`deployed the production-like system in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(renderInventory(await readInventory(hre, conn, system)));
}
