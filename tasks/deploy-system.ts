import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { jsonOutput } from "../src/cli/json-output.js";
import { CutoverInputError } from "../src/errors.js";
import { deployDexetraSystem } from "../src/mocks/deploy-dexetra.js";
import { deploySystem, type FactoryKind } from "../src/mocks/deploy-system.js";
import { readDexetraInventory, renderDexetraInventory } from "../src/mocks/dexetra-inventory.js";
import { readInventory, renderInventory } from "../src/mocks/inventory.js";
import { progressLine } from "../src/report/progress.js";

interface Args {
  profile: string;
  markets: number;
  users: number;
  factory: string;
  seed: string;
  json: boolean;
}

const DEFAULT_FACTORY: Record<string, FactoryKind> = { reference: "updatable", "dexetra-v5": "immutable" };

export default async function deploySystemTask(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  if (!(args.profile in DEFAULT_FACTORY)) {
    throw new CutoverInputError("--profile", args.profile, "use --profile reference or --profile dexetra-v5");
  }
  const conn = await hre.network.getOrCreate();
  const progress = progressLine(!args.json);
  const started = Date.now();
  const options = {
    ...args,
    factory: (args.factory === "" ? DEFAULT_FACTORY[args.profile] : args.factory) as FactoryKind,
    onProgress: progress.update,
  };
  const elapsed = () => ((Date.now() - started) / 1000).toFixed(1);
  if (args.profile === "dexetra-v5") {
    const system = await deployDexetraSystem(hre, conn, options);
    progress.done(`deployed ${system.markets.length} markets and ${args.users} users (dexetra-v5) in ${elapsed()} s`);
    const inventory = await readDexetraInventory(conn, system);
    console.log(args.json ? jsonOutput("inventory", inventory) : renderDexetraInventory(inventory));
    return;
  }
  const system = await deploySystem(hre, conn, options);
  progress.done(`deployed ${system.markets.length} markets and ${args.users} users in ${elapsed()} s`);
  const inventory = await readInventory(hre, conn, system);
  console.log(args.json ? jsonOutput("inventory", inventory) : renderInventory(inventory));
}
