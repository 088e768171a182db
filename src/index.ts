import { task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";
import type { HardhatPlugin } from "hardhat/types/plugins";
import "./type-extensions.js";

const deploySystem = task("mocks:deploy-system", "Stand up a production-like legacy system (USDC, vault, libraries, hub, factory, markets, users) and write its records")
  .addOption({ name: "markets", type: ArgumentType.INT, defaultValue: 20, description: "How many markets (OrderBook diamonds) the factory creates. Example: --markets 200" })
  .addOption({ name: "users", type: ArgumentType.INT, defaultValue: 6, description: "How many users get deposits and open positions in several markets. Example: --users 10" })
  .addOption({ name: "factory", type: ArgumentType.STRING, defaultValue: "updatable", description: "Factory version: 'updatable' (admin can repoint its vault) or 'immutable'. Example: --factory immutable" })
  .addOption({ name: "seed", type: ArgumentType.STRING, defaultValue: "cutover", description: "Seed for the deterministic choice of symbols, users' sizes and prices. Example: --seed demo-1" })
  .addFlag({ name: "json", description: "Print the inventory as JSON instead of a table" })
  .setAction(() => import("../tasks/deploy-system.js"))
  .build();

const demo = task("cutover:demo", "The main job on the embedded in-process chain: deploy the production-like system and print its inventory")
  .addOption({ name: "markets", type: ArgumentType.INT, defaultValue: 20, description: "How many markets to create. Example: --markets 50" })
  .setAction(() => import("../tasks/demo.js"))
  .build();

const scanStale = task("cutover:scan-stale", "Find files that still reference the old (superseded) vault address; exits with code 1 when any is found, so CI can gate on it")
  .addOption({ name: "root", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined, description: "Directory to scan recursively (skips node_modules, .git, artifacts, cache, dist, binary files and files over 2 MiB). Default: the Hardhat project root. Example: --root ../frontend" })
  .addOption({ name: "address", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined, description: "The old address to look for, in any letter case. Default: the CORE_VAULT of the first 'superseded' entry in deployments/<network>-deployment.json. Example: --address 0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9" })
  .addFlag({ name: "json", description: "Print the references as JSON instead of a table. Example: --json" })
  .setAction(() => import("../tasks/scan-stale.js"))
  .build();

const cutoverPlugin: HardhatPlugin = {
  id: "hardhat-cutover",
  npmPackage: "hardhat-cutover",
  dependencies: () => [import("@nomicfoundation/hardhat-ethers")],
  hookHandlers: { config: () => import("./hooks/config.js") },
  tasks: [deploySystem, demo, scanStale],
};

export default cutoverPlugin;
