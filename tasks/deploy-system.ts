import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { deploySystem, type FactoryKind } from "../src/mocks/deploy-system.js";
import { readInventory, renderInventory } from "../src/mocks/inventory.js";
import { progressLine } from "../src/report/progress.js";
import { toJson } from "../src/util/json.js";

interface Args {
  markets: number;
  users: number;
  factory: string;
  seed: string;
  json: boolean;
}

export default async function deploySystemTask(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const conn = await hre.network.getOrCreate();
  const progress = progressLine(!args.json);
  const started = Date.now();
  const system = await deploySystem(hre, conn, {
    ...args,
    factory: args.factory as FactoryKind,
    onProgress: progress.update,
  });
  progress.done(
    `deployed ${system.markets.length} markets and ${args.users} users in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  const inventory = await readInventory(hre, conn, system);
  console.log(args.json ? toJson(inventory) : renderInventory(inventory));
}
