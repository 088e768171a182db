import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { CutoverInputError } from "../src/errors.js";
import { dexetraDemo } from "../src/mocks/demo-dexetra.js";
import { deploySystem } from "../src/mocks/deploy-system.js";
import { readInventory, renderInventory } from "../src/mocks/inventory.js";
import { readSystemRecord } from "../src/records/records.js";
import { progressLine } from "../src/report/progress.js";

interface Args {
  markets: number;
  profile: string;
}

/**
 * The main job on the embedded in-process chain. On `dexetra-v5` (default): the production shape, src/mocks/
 * demo-dexetra.ts. On `reference`: stand up the mock system, replace its CoreVault with `corevault:redeploy --pause-old
 * --rewire` (plan, progress, result: new vault wired like the old, every OrderBook moved to it), and show the system as
 * the records now describe it.
 */
export default async function demoTask(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const conn = await hre.network.getOrCreate();
  if (args.profile === "dexetra-v5") return dexetraDemo(hre, conn, args.markets);
  if (args.profile !== "reference")
    throw new CutoverInputError("--profile", args.profile, "use --profile dexetra-v5 or --profile reference");
  const progress = progressLine(true);
  const started = Date.now();
  const system = await deploySystem(hre, conn, {
    markets: args.markets,
    users: 6,
    factory: "updatable",
    seed: "demo",
    onProgress: progress.update,
  });
  progress.done(`deployed the production-like system in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`== 1. the legacy system\n\n${renderInventory(await readInventory(hre, conn, system))}`);

  console.log(`\n== 2. corevault:redeploy --pause-old --rewire (replaces CoreVault ${system.contracts.CORE_VAULT})\n`);
  // A demo's addresses never go into the user's app files, whatever cutover.appConfig.write says.
  const { appConfig } = hre.config.cutover;
  const write = appConfig.write;
  appConfig.write = "never";
  try {
    await hre.tasks.getTask("corevault:redeploy").run({ pauseOld: true, rewire: true });
  } finally {
    appConfig.write = write;
  }

  const records = await readSystemRecord(hre.config.paths.root, conn.networkName);
  console.log(
    `\n== 3. the system after the redeploy\n\n${renderInventory(await readInventory(hre, conn, { ...system, contracts: records.contracts, users: [] }))}`,
  );
  console.log(
    `\nThe new vault holds every role, OrderBook and market of the old one; the factory, the hub and every OrderBook\n` +
      `point at it. Users' collateral and positions stay in the old (paused) vault: moving funds is not part of the cutover.`,
  );
}
