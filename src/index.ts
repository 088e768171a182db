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

const demo = task("cutover:demo", "The main job on the embedded in-process chain: deploy the production-like system, replace its CoreVault and rewire every OrderBook, show before and after")
  .addOption({ name: "markets", type: ArgumentType.INT, defaultValue: 20, description: "How many markets to create. Example: --markets 50" })
  .setAction(() => import("../tasks/demo.js"))
  .build();

const scanStale = task("cutover:scan-stale", "Find files that still reference the old (superseded) vault address; exits with code 1 when any is found, so CI can gate on it")
  .addOption({ name: "root", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined, description: "Directory to scan recursively (skips node_modules, .git, artifacts, cache, dist, binary files and files over 2 MiB). Default: the Hardhat project root. Example: --root ../frontend" })
  .addOption({ name: "address", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined, description: "The old address to look for, in any letter case. Default: every CORE_VAULT under 'superseded' in deployments/<network>-deployment.json. Example: --address 0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9" })
  .addFlag({ name: "json", description: "Print the references as JSON instead of a table. Example: --json" })
  .setAction(() => import("../tasks/scan-stale.js"))
  .build();

const redeploy = task("corevault:redeploy", "Redeploy the CoreVault and wire the new one exactly like the old: roles, OrderBooks, markets, factory, hub, admin. Resumable: run it again to finish an interrupted run")
  .addOption({ name: "oldVault", type: ArgumentType.STRING, defaultValue: "", description: "The CoreVault to replace (default: CORE_VAULT in deployments/<network>-deployment.json). Example: --old-vault 0xCf7E…0Fc9" })
  .addFlag({ name: "pauseOld", description: "Pause the old vault first, so no trading reaches it during the cutover" })
  .addOption({ name: "admin", type: ArgumentType.STRING, defaultValue: "", description: "Final DEFAULT_ADMIN_ROLE holder of the new vault (default: cutover.admin, else the old vault's admins). Example: --admin 0x70997970C51812dc3A010C7d01b50e0d17dc79C8" })
  .addOption({ name: "collateral", type: ArgumentType.STRING, defaultValue: "", description: "Collateral token of the new vault, must have 6 decimals (default: the old vault's). Example: --collateral 0x5FbD…0aa3" })
  .addOption({ name: "libraries", type: ArgumentType.STRING, defaultValue: "", description: "Library addresses to link (default: those linked into the old vault). Example: --libraries \"VaultAnalytics=0xe7f1…,PositionManager=0x9fE4…\"" })
  .addOption({ name: "signer", type: ArgumentType.STRING, defaultValue: "", description: "Account that sends every step (default: the network's first account). Example: --signer 0xf39F…2266" })
  .addFlag({ name: "planOnly", description: "Observe and plan, print every step and write the plan JSON; send nothing" })
  .addFlag({ name: "replan", description: "Recompute the plan from the chain as it is now (after a drift refusal)" })
  .addFlag({ name: "yes", description: "Do not ask for confirmation on a non-local network" })
  .addFlag({ name: "sequential", description: "Send one transaction at a time, each awaited (default: independent steps back-to-back)" })
  .addFlag({ name: "rewire", description: "Also rewire every OrderBook to the new vault (as orderbook:rewire does), in the same plan and journal" })
  .addFlag({ name: "json", description: "Machine-readable output for CI" })
  .setAction(() => import("../tasks/corevault-redeploy.js"))
  .build();

const roles = task("corevault:roles", "Audit the CoreVault's roles: a role x holder table at a block, flagging the deployer still holding DEFAULT_ADMIN_ROLE, holders unknown to the records, and EOAs in roles meant for contracts. Exits with code 1 when anything is flagged")
  .addOption({ name: "vault", type: ArgumentType.STRING, defaultValue: "", description: "The CoreVault to audit (default: CORE_VAULT in deployments/<network>-deployment.json). Example: --vault 0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9" })
  .addOption({ name: "block", type: ArgumentType.STRING, defaultValue: "latest", description: "Block to read the roles at: a number or 'latest'. Example: --block 19000000" })
  .addOption({ name: "deployer", type: ArgumentType.STRING, defaultValue: "", description: "The account that deployed the system, flagged if it still holds DEFAULT_ADMIN_ROLE (default: the network's first account). Example: --deployer 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266" })
  .addFlag({ name: "json", description: "Print the table and flags as JSON for CI. Example: --json" })
  .setAction(() => import("../tasks/corevault-roles.js"))
  .build();

const regrantRoles = task("corevault:regrant-roles", "Make the CoreVault's role holders match a desired graph: grants first, then revokes, the signer's own admin roles last; never leaves DEFAULT_ADMIN_ROLE without a holder. Resumable: run it again to finish an interrupted run")
  .addOption({ name: "vault", type: ArgumentType.STRING, defaultValue: "", description: "The CoreVault whose roles change (default: CORE_VAULT in deployments/<network>-deployment.json). Example: --vault 0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9" })
  .addOption({ name: "desired", type: ArgumentType.STRING, defaultValue: "", description: "JSON file (relative to the project root) of the holders each role should have; roles absent from it are left alone (default: cutover.redeploy.roles of the config). Example: --desired roles.json with {\"SETTLEMENT_ROLE\": [\"0x7099…79C8\"]}" })
  .addFlag({ name: "revokeExtra", description: "Also revoke holders of a listed role that the file does not list (default: keep and report them). Example: --revoke-extra" })
  .addOption({ name: "signer", type: ArgumentType.STRING, defaultValue: "", description: "Account that sends every step; it needs the admin role of each role it changes (default: the network's first account). Example: --signer 0xf39F…2266" })
  .addFlag({ name: "planOnly", description: "Observe and plan, print every step and write the plan JSON; send nothing. Example: --plan-only" })
  .addFlag({ name: "replan", description: "Recompute the plan from the chain as it is now (after a drift refusal). Example: --replan" })
  .addFlag({ name: "yes", description: "Do not ask for confirmation on a non-local network. Example: --yes" })
  .addFlag({ name: "json", description: "Machine-readable output for CI. Example: --json" })
  .setAction(() => import("../tasks/corevault-regrant-roles.js"))
  .build();

const rewire = task("orderbook:rewire", "Point every OrderBook diamond at the new vault: one diamondCut per diamond adding the vault-admin facet with a setVault init, sent by its owner. Resumable")
  .addOption({ name: "strategy", type: ArgumentType.STRING, defaultValue: "cut", description: "'cut' upgrades each OrderBook in place; 'redeploy' deploys a fresh OrderBook per market on the new vault (open orders stay on the old book). Example: --strategy redeploy" })
  .addOption({ name: "vault", type: ArgumentType.STRING, defaultValue: "", description: "The new CoreVault (default: CORE_VAULT in deployments/<network>-deployment.json). Example: --vault 0xc3e5…3690" })
  .addOption({ name: "orderbooks", type: ArgumentType.STRING, defaultValue: "", description: "OrderBooks to rewire (default: every OrderBook registered on the new vault). Example: --orderbooks 0x1F70…dA7D,0xf41B…120E" })
  .addOption({ name: "facets", type: ArgumentType.STRING, defaultValue: "", description: "More facets to add in the same cut, by contract name (deployed through CREATE2). Example: --facets OrderBookViewFacet" })
  .addOption({ name: "remove", type: ArgumentType.STRING, defaultValue: "", description: "Selectors to remove in the same cut; each must be in cutover.diamond.removable. Example: --remove 0x12345678" })
  .addOption({ name: "allowTakeover", type: ArgumentType.STRING, defaultValue: "", description: "Selectors the new facets may take over from the facet serving them now, or 'all'. Example: --allow-takeover 0x6817031b" })
  .addOption({ name: "signer", type: ArgumentType.STRING, defaultValue: "", description: "Account that deploys the facets (default: the first account); each cut is sent by its diamond's owner. Example: --signer 0xf39F…2266" })
  .addFlag({ name: "planOnly", description: "Observe and plan, print every step and write the plan JSON; send nothing" })
  .addFlag({ name: "replan", description: "Recompute the plan from the chain as it is now (after a drift refusal)" })
  .addFlag({ name: "yes", description: "Do not ask for confirmation on a non-local network" })
  .addFlag({ name: "sequential", description: "Send one transaction at a time, each awaited (default: independent cuts back-to-back)" })
  .addFlag({ name: "json", description: "Machine-readable output for CI" })
  .setAction(() => import("../tasks/orderbook-rewire.js"))
  .build();

const cutoverPlugin: HardhatPlugin = {
  id: "hardhat-cutover",
  npmPackage: "hardhat-cutover",
  dependencies: () => [import("@nomicfoundation/hardhat-ethers")],
  hookHandlers: { config: () => import("./hooks/config.js") },
  tasks: [deploySystem, demo, scanStale, redeploy, rewire, roles, regrantRoles],
};

export default cutoverPlugin;
