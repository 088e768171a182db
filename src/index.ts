import { task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";
import type { HardhatPlugin } from "hardhat/types/plugins";
import { engineTask } from "./cli/engine-options.js";
import { withExitCodes } from "./cli/exit-codes.js";
import "./type-extensions.js";

const deploySystem = task(
  "mocks:deploy-system",
  "Stand up a production-like legacy system (USDC, vault, libraries, hub, factory, markets, users) and write its records",
)
  .addOption({
    name: "markets",
    type: ArgumentType.INT,
    defaultValue: 20,
    description: "How many markets (OrderBook diamonds) the factory creates. Example: --markets 200",
  })
  .addOption({
    name: "users",
    type: ArgumentType.INT,
    defaultValue: 6,
    description: "How many users get deposits and open positions in several markets. Example: --users 10",
  })
  .addOption({
    name: "profile",
    type: ArgumentType.STRING,
    defaultValue: "reference",
    description:
      "Which protocol to stand up: 'reference' (the plugin's mock) or 'dexetra-v5' (a stand-in of the production protocol, records in its own layout). Example: --profile dexetra-v5",
  })
  .addOption({
    name: "factory",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "Factory version: 'updatable' (admin can repoint its vault) or 'immutable' (default: updatable for reference, immutable for dexetra-v5). Example: --factory immutable",
  })
  .addOption({
    name: "seed",
    type: ArgumentType.STRING,
    defaultValue: "cutover",
    description: "Seed for the deterministic choice of symbols, users' sizes and prices. Example: --seed demo-1",
  })
  .addFlag({ name: "json", description: "Print the inventory as JSON instead of a table" })
  .setAction(() => import("../tasks/deploy-system.js"))
  .build();

const demo = task(
  "cutover:demo",
  "The main job on the embedded in-process chain: deploy the production-like system, replace its CoreVault and rewire every OrderBook, show before and after",
)
  .addOption({
    name: "markets",
    type: ArgumentType.INT,
    defaultValue: 20,
    description: "How many markets to create. Example: --markets 50",
  })
  .addOption({
    name: "profile",
    type: ArgumentType.STRING,
    defaultValue: "dexetra-v5",
    description:
      "Which protocol: 'dexetra-v5' (the production shape: redeploy --rewire --halt-old --pause-old, then users' money credited on the new vault) or 'reference' (the plugin's mock: redeploy --pause-old --rewire). Example: --profile reference",
  })
  .setAction(() => import("../tasks/demo.js"))
  .build();

const scanStale = task(
  "cutover:scan-stale",
  "Find files that still reference the old (superseded) vault address; exits with code 1 when any is found, so CI can gate on it",
)
  .addOption({
    name: "root",
    type: ArgumentType.STRING_WITHOUT_DEFAULT,
    defaultValue: undefined,
    description:
      "Directory to scan recursively (skips node_modules, .git, artifacts, cache, dist, binary files and files over 2 MiB). Default: the Hardhat project root. Example: --root ../frontend",
  })
  .addOption({
    name: "address",
    type: ArgumentType.STRING_WITHOUT_DEFAULT,
    defaultValue: undefined,
    description:
      "The old address to look for, in any letter case. Default: every CORE_VAULT under 'superseded' in deployments/<network>-deployment.json. Example: --address 0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9",
  })
  .addFlag({ name: "json", description: "Print the references as JSON instead of a table. Example: --json" })
  .setAction(() => import("../tasks/scan-stale.js"))
  .build();

const redeploy = engineTask(
  "corevault:redeploy",
  "Redeploy the CoreVault and wire the new one exactly like the old: roles, OrderBooks, markets, factory, hub, admin. Resumable: run it again to finish an interrupted run",
  { signer: "it deploys and configures the new vault" },
)
  .addOption({
    name: "oldVault",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "The CoreVault to replace (default: CORE_VAULT in deployments/<network>-deployment.json). Example: --old-vault 0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9",
  })
  .addFlag({
    name: "pauseOld",
    description: "Pause the old vault first, so no trading reaches it during the cutover. Example: --pause-old",
  })
  .addFlag({
    name: "haltOld",
    description:
      "Halt trading on the old vault first by revoking ORDERBOOK_ROLE from every OrderBook there (on protocols where pause does not stop OrderBook trading, e.g. dexetra-v5). Example: --halt-old",
  })
  .addOption({
    name: "admin",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "Final DEFAULT_ADMIN_ROLE holder of the new vault: a Safe or timelock (default: cutover.admin, else the old vault's admins). Example: --admin 0x6649Ddb5c7e52348b73c8bBdD2A1cbA630b7AaEA",
  })
  .addFlag({
    name: "allowEoa",
    description:
      "Allow --admin (or cutover.admin) to be an address without code, e.g. a test account (refused otherwise: a mistyped or leaked key as the only admin cannot be undone). Example: --admin 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --allow-eoa",
  })
  .addOption({
    name: "collateral",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "Collateral token of the new vault, must have 6 decimals (default: the old vault's). Example: --collateral 0x5FbDB2315678afecb367f032d93F642f64180aa3",
  })
  .addOption({
    name: "libraries",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      'Library addresses to link (default: those linked into the old vault). Example: --libraries "VaultAnalytics=0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512,PositionManager=0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"',
  })
  .addFlag({
    name: "rewire",
    description:
      "Also rewire every OrderBook to the new vault (as orderbook:rewire does), in the same plan and journal. Example: --rewire",
  })
  .addOption({
    name: "markets",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "Dual-vault period: move only these markets (ids, symbols or OrderBook addresses); the others stay on the old vault with their roles and wiring (cutover:status lists them). Example: --markets BTC-USD,ETH-USD",
  })
  .addOption({
    name: "exceptMarkets",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "Dual-vault period: move every market but these (ids, symbols or OrderBook addresses); not with --markets. Example: --except-markets SOL-USD",
  })
  .addFlag({
    name: "resumeOld",
    description:
      "Give trading back to the old vault instead (the inverse of --halt-old and --pause-old, as its own run): ORDERBOOK_ROLE granted back to every OrderBook registered there, then the vault unpaused. Example: --resume-old",
  })
  .setAction(() => import("../tasks/corevault-redeploy.js"))
  .build();

const roles = task(
  "corevault:roles",
  "Audit the CoreVault's roles: a role x holder table at a block, flagging the deployer still holding DEFAULT_ADMIN_ROLE, holders unknown to the records, and EOAs in roles meant for contracts. Exits with code 1 when anything is flagged",
)
  .addOption({
    name: "vault",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "The CoreVault to audit (default: CORE_VAULT in deployments/<network>-deployment.json). Example: --vault 0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9",
  })
  .addOption({
    name: "block",
    type: ArgumentType.STRING,
    defaultValue: "latest",
    description: "Block to read the roles at: a number or 'latest'. Example: --block 19000000",
  })
  .addOption({
    name: "deployer",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "The account that deployed the system, flagged if it still holds DEFAULT_ADMIN_ROLE (default: the network's first account). Example: --deployer 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
  })
  .addFlag({ name: "json", description: "Print the table and flags as JSON for CI. Example: --json" })
  .setAction(() => import("../tasks/corevault-roles.js"))
  .build();

const regrantRoles = engineTask(
  "corevault:regrant-roles",
  "Make the CoreVault's role holders match a desired graph: grants first, then revokes, the signer's own admin roles last; never leaves DEFAULT_ADMIN_ROLE without a holder. Resumable: run it again to finish an interrupted run",
  { signer: "without --executor it needs the admin role of each role it changes" },
)
  .addOption({
    name: "vault",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "The CoreVault whose roles change (default: CORE_VAULT in deployments/<network>-deployment.json). Example: --vault 0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9",
  })
  .addOption({
    name: "desired",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      'JSON file (relative to the project root) of the holders each role should have; roles absent from it are left alone (default: cutover.redeploy.roles of the config). Example: --desired roles.json with {"SETTLEMENT_ROLE": ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8"]}',
  })
  .addFlag({
    name: "revokeExtra",
    description:
      "Also revoke holders of a listed role that the file does not list (default: keep and report them). Example: --revoke-extra",
  })
  .addFlag({
    name: "allowEoa",
    description:
      "Allow a new DEFAULT_ADMIN_ROLE holder to be an address without code, e.g. a test account (refused otherwise: a mistyped or leaked key as an admin cannot be undone). Example: --allow-eoa",
  })
  .setAction(() => import("../tasks/corevault-regrant-roles.js"))
  .build();

const rewire = engineTask(
  "orderbook:rewire",
  "Point every OrderBook diamond at the new vault: one diamondCut per diamond adding the vault-admin facet with a setVault init, sent by its owner. Resumable",
  { signer: "it deploys the facets; each cut is sent by its diamond's owner" },
)
  .addOption({
    name: "strategy",
    type: ArgumentType.STRING,
    defaultValue: "cut",
    description:
      "'cut' upgrades each OrderBook in place; 'redeploy' deploys a new OrderBook per market through the profile's creation path (cutover.protocol.factory.createOrderBook: the diamond's constructor + init, same market id) and registers it on the new vault in place of the old one (open orders stay on the old book). Example: --strategy redeploy",
  })
  .addOption({
    name: "vault",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "The new CoreVault (default: CORE_VAULT in deployments/<network>-deployment.json). Example: --vault 0x2bdCC0de6bE1f7D2ee689a0342D76F52E8EFABa3",
  })
  .addOption({
    name: "orderbooks",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "OrderBooks to rewire (default: every OrderBook registered on the new vault). Example: --orderbooks 0x1F708C24a0D3A740cD47cC0444E9480899f3dA7D,0xf41B47c54dEFF12f8fE830A411a09D865eBb120E",
  })
  .addOption({
    name: "facets",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "More facets to add in the same cut, by contract name (deployed through CREATE2). Example: --facets OrderBookViewFacet",
  })
  .addOption({
    name: "remove",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "Selectors to remove in the same cut; each must be in cutover.diamond.removable. Example: --remove 0x12345678",
  })
  .addOption({
    name: "allowTakeover",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "Selectors the new facets may take over from the facet serving them now, or 'all'. Example: --allow-takeover 0x6817031b",
  })
  .addOption({
    name: "markets",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "Dual-vault period: move these markets of the old vault (ids, symbols or OrderBook addresses) onto the new vault: registered, assigned and granted ORDERBOOK_ROLE there, then rewired; not with --orderbooks. Example: --markets SOL-USD",
  })
  .addOption({
    name: "exceptMarkets",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "Dual-vault period: move every market of the old vault but these (ids, symbols or OrderBook addresses). Example: --except-markets SOL-USD",
  })
  .setAction(() => import("../tasks/orderbook-rewire.js"))
  .build();

const diamondPlan = task(
  "diamond:plan",
  "Plan routing facets on a ManifestDispatcher or an EIP-2535 diamond (owned by an EOA, a Safe or a TimelockController): deploy the facets through CREATE2 if needed, check collisions, takeovers, ABI shape and EIP-170, compute the Merkle manifest and the inverse, write plans/<network>/<planId>.json",
)
  .addOption({
    name: "target",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "The ManifestDispatcher, or the EIP-2535 diamond (its owner an EOA, a Safe or a TimelockController). Example: --target 0x5FbDB2315678afecb367f032d93F642f64180aa3",
  })
  .addOption({
    name: "facets",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "Contract names of the facets to route, comma-separated; each is deployed through CREATE2 unless it is already there. Example: --facets FeeConfigFacet,PauseGuardFacet,MarketInfoFacet",
  })
  .addFlag({
    name: "acceptBreaking",
    description:
      "Acknowledge that the plan removes live selectors (an earlier version's functions the new facet lacks); without it such a plan is refused. Example: --accept-breaking",
  })
  .addOption({
    name: "allowTakeover",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "Selectors the planned facets may take over from another live facet (not an earlier version of theirs), or 'all'. Example: --allow-takeover 0x46904840",
  })
  .addOption({
    name: "hostAbi",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "The target's own ABI for the shadowing check (a facet function the target answers itself is refused): a contract name or a JSON file; default: the selectors in the target's runtime bytecode. Example: --host-abi abis/ManifestDispatcher.json",
  })
  .addOption({
    name: "signer",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "Account that deploys the facets (default: the network's first account). Example: --signer 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
  })
  .addFlag({
    name: "planOnly",
    description:
      "Check and write the plan without deploying the facets (their CREATE2 addresses and code hashes are predicted). Example: --plan-only",
  })
  .addFlag({
    name: "yes",
    description: "Do not ask for confirmation before deploying on a non-local network. Example: --yes",
  })
  .addFlag({ name: "json", description: "Print the plan and its file as JSON for CI. Example: --json" })
  .setAction(() => import("../tasks/diamond-plan.js"))
  .build();

const changeOptions = (name: string, description: string, signerRole: string) =>
  engineTask(name, description, { signer: `it needs ${signerRole}`, rehearse: false }).addOption({
    name: "plan",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "The plan file diamond:plan wrote; for diamonds owned by an EOA or a Safe, several comma-separated (one run, one diamondCut each, pipelined). Example: --plan plans/localhost/0x8a3f5c0e9b7d4f21a6c3e8d05b9f1e2a7c4d6b8e0f1a2b3c4d5e6f708192a3b4.json",
  });

const diamondStagePlan = changeOptions(
  "diamond:stage-plan",
  "Stage a facet plan: commitRoot(root, epoch) on a ManifestDispatcher, or scheduleBatch of the diamondCut on the diamond's TimelockController (salt from the plan id); records the ETA. Staging it again sends nothing. A diamond owned by an EOA or a Safe needs no staging",
  "COMMIT_ROLE on the dispatcher (its owner on PayRox's), or PROPOSER_ROLE on the timelock",
)
  .setAction(() => import("../tasks/diamond-stage-plan.js"))
  .build();

const diamondApplyPlan = changeOptions(
  "diamond:apply-plan",
  "Apply a staged facet plan once its delay is over: re-checks every facet's code hash, then applyRoutes in batches with proofs, activateCommittedRoot and removeRoutes (dispatcher), or executeBatch (timelock), or the owner's diamondCut (an EOA directly, a Safe with --executor safe --safe <owner>); verifies the loupe",
  "APPLY_ROLE on the dispatcher (its owner on PayRox's), or EXECUTOR_ROLE on the timelock",
)
  .addOption({
    name: "batchSize",
    type: ArgumentType.INT,
    defaultValue: 100,
    description: "Selectors (with proofs) per applyRoutes transaction, 1-100. Example: --batch-size 50",
  })
  .addFlag({
    name: "rehearse",
    description:
      "Rehearse the whole change instead of sending: on a throwaway copy of the network (an in-process fork, or the in-process chain between snapshot and revert) stage it if needed, pass its delay, apply it and check the loupe; store and print what it changed. Example: --rehearse",
  })
  .addFlag({
    name: "withRollback",
    description:
      "With --rehearse: then stage and apply the plan's inverse too, and check the loupe is back where it started. Example: --rehearse --with-rollback",
  })
  .setAction(() => import("../tasks/diamond-apply-plan.js"))
  .build();

const diamondRollback = changeOptions(
  "diamond:rollback",
  "Undo an applied facet plan with the inverse stored in its file: stages it (a new epoch's manifest of the previous routes, or a timelock batch after the plan's own), then applies it once due; routes the plan added are removed with removeRoutes. Run it again after the delay",
  "COMMIT_ROLE and APPLY_ROLE on the dispatcher (its owner on PayRox's), or PROPOSER_ROLE and EXECUTOR_ROLE on the timelock",
)
  .addOption({
    name: "batchSize",
    type: ArgumentType.INT,
    defaultValue: 100,
    description: "Selectors (with proofs) per applyRoutes transaction, 1-100. Example: --batch-size 50",
  })
  .setAction(() => import("../tasks/diamond-rollback.js"))
  .build();

const cutoverVerify = task(
  "cutover:verify",
  "Verify a finished cutover: named checks of the new vault's roles, markets, OrderBooks, factory, hub, params, libraries, records and app config against the plans, smoke tests on a throwaway copy of the chain, reports in markdown and JSON. Exits with code 1 when a check fails",
)
  .addOption({
    name: "oldVault",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "The replaced CoreVault whose cutover to verify (default: the one the records' CORE_VAULT replaced). Example: --old-vault 0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9",
  })
  .addOption({
    name: "block",
    type: ArgumentType.STRING,
    defaultValue: "latest",
    description: "Block to read the chain at: a number or 'latest'. Example: --block 19000000",
  })
  .addFlag({
    name: "skipSmoke",
    description:
      "Skip the smoke tests (liquidation through an OrderBook, mark price, settlement, refusals), which run on an in-process fork of an HTTP network or inside evm_snapshot/evm_revert on the in-process chain. Example: --skip-smoke",
  })
  .addFlag({
    name: "sources",
    description:
      "Also compare every contract the cutover deployed with its compiled artifact (links and immutables accounted for) and verify its source on the block explorer through hardhat-verify. Example: --sources",
  })
  .addOption({
    name: "reportDir",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "Directory for report.md (with a mermaid diagram of the wiring) and report.json (default: deployments/<network>/verify). Example: --report-dir reports/cutover",
  })
  .addFlag({ name: "json", description: "Print the report as JSON instead of a table. Example: --json" })
  .addOption({
    name: "fundsSnapshot",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "Also verify the money after corevault:migrate-funds --mode credit against this snapshot: each migrated user credited exactly once (events), the credited total, what is left on the old vault (paused), the new vault's solvency. After --mode claim (its claim contract found from the run): the contract's root and claimable total against the snapshot, funded for what is unclaimed, each user claimed at most once. Example: --funds-snapshot deployments/localhost/snapshots/funds-1200.json",
  })
  .setAction(() => import("../tasks/cutover-verify.js"))
  .build();

const corevaultSnapshot = task(
  "corevault:snapshot",
  "Snapshot every user's money on a CoreVault at one block: collateral, cross-chain credit, realized PnL, open positions, reserved margin; totals per market; reconciliation against the vault's totals and token balance; JSON, CSV and an OpenZeppelin standard Merkle tree of (user, amount) with a proof per user. The same block gives byte-identical files. Exits 1 when a difference is flagged",
)
  .addOption({
    name: "vault",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "The CoreVault to snapshot (default: the records' CORE_VAULT). Example: --vault 0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9",
  })
  .addOption({
    name: "block",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "Block to snapshot at (default: latest − the network's confirmations, cutover.confirmations, default 1). Example: --block 19000000",
  })
  .addOption({
    name: "out",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "Directory for funds-<block>.json, .csv and .tree.json (default: deployments/<network>/snapshots). Example: --out snapshots",
  })
  .addOption({
    name: "include",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "Accounts the vault does not list that hold collateral on it, comma-separated (e.g. the OrderBooks' fee recipient, paid by transfer). Example: --include 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
  })
  .addFlag({ name: "json", description: "Print the summary as JSON (no progress lines). Example: --json" })
  .setAction(() => import("../tasks/corevault-snapshot.js"))
  .build();

const migrateFunds = engineTask(
  "corevault:migrate-funds",
  "Migrate users' money from a funds snapshot (corevault:snapshot) to the new vault. --mode credit: the creditor account is granted the vault's external-creditor role, credits each migrated user's balance in batches, and renounces the role; every user is credited exactly once whatever the crash point (each batch is done only by this run's journaled transaction, resolved by hash; credits outside the run refuse the run). Users with open positions or reserved margin stay on the old vault, and the plan says so",
  { signer: "it is granted the creditor role for the run, credits, then renounces it" },
)
  .addOption({
    name: "snapshot",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "The snapshot written by corevault:snapshot. Example: --snapshot deployments/localhost/snapshots/funds-1200.json",
  })
  .addOption({
    name: "mode",
    type: ArgumentType.STRING,
    defaultValue: "credit",
    description:
      "How the money moves: credit (the vault's external credit); claim (a claim contract of the snapshot's Merkle root, one claim per user; see --payout); withdraw-only (nothing moves: trading halted on the old vault, the vault unpaused, users withdraw themselves; follow it with cutover:status --funds-snapshot). Example: --mode withdraw-only",
  })
  .addOption({
    name: "payout",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "With --mode claim (a claim contract holding the snapshot's Merkle root; each user claims once): token (default: the claim sends the collateral token to the user) or credit (the claim sends the tokens to the new vault and credits the user there through the vault's external credit; the claim contract is granted the creditor role). Example: --mode claim --payout credit",
  })
  .addOption({
    name: "newVault",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "The vault credited (default: the records' CORE_VAULT, which corevault:redeploy made the new vault). Example: --new-vault 0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
  })
  .addOption({
    name: "batch",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "Credits per transaction, sent as one multicall (default: 50 where the vault has multicall, else 1). Example: --batch 100",
  })
  .addOption({
    name: "settleAt",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "First settle, on the old vault, every market where the snapshot's users hold open positions, through the profile's settlement call: at each market's mark price (mark) or at one price (collateral units, e.g. 101.5). Its own run; then take a new snapshot and migrate with it, so those users are migrated too. Without it they stay on the old vault and the plan says so. Example: --settle-at mark",
  })
  .setAction(() => import("../tasks/corevault-migrate-funds.js"))
  .build();

const cutoverStatus = task(
  "cutover:status",
  "One screen of a network's system: RPC reachability and latest block, paused flags, which vault the OrderBooks call, role holder counts, cutover runs, staged facet plans and their ETAs",
)
  .addFlag({ name: "json", description: "Print the status as JSON. Example: --json" })
  .addFlag({
    name: "markets",
    description:
      "Also list every market of the current and replaced vaults (id, symbol, OrderBook, the vault it calls): what --markets / --except-markets name. Example: --markets",
  })
  .addOption({
    name: "fundsSnapshot",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "Also show the snapshot's vault draining (after corevault:migrate-funds --mode withdraw-only): its collateral-token balance left, what it still owes the snapshot's users, how many still hold a balance. Example: --funds-snapshot deployments/localhost/snapshots/funds-1200.json",
  })
  .setAction(() => import("../tasks/cutover-status.js"))
  .build();

const cutoverWatch = task(
  "cutover:watch",
  "Stream the old and new vault's events (positions, margin, settlement, role changes); print an ALARM line for OrderBook activity on the OLD vault after the cutover and for role changes no plan made. Exits with code 1 after an alarm",
)
  .addOption({
    name: "fromBlock",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "First block to read (default: the next block; an earlier one replays history). Example: --from-block 1200",
  })
  .addOption({
    name: "blocks",
    type: ArgumentType.INT,
    defaultValue: 0,
    description: "Stop after this many blocks (0: no limit). Example: --blocks 100",
  })
  .addOption({
    name: "seconds",
    type: ArgumentType.INT,
    defaultValue: 0,
    description: "Stop after this many seconds (0: no limit). Example: --seconds 60",
  })
  .addOption({
    name: "oldVault",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "The replaced CoreVault whose cutover to watch (default: the one the records' CORE_VAULT replaced). Example: --old-vault 0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9",
  })
  .addOption({
    name: "pollMs",
    type: ArgumentType.INT,
    defaultValue: 0,
    description:
      "Milliseconds between polls for new blocks (default: 200 on local chains, 2000 elsewhere). Example: --poll-ms 500",
  })
  .addFlag({ name: "json", description: "Print one JSON object per event and alarm. Example: --json" })
  .setAction(() => import("../tasks/cutover-watch.js"))
  .build();

const transferOwnership = engineTask(
  "cutover:transfer-ownership",
  "Hand the system to a Safe: DEFAULT_ADMIN_ROLE of the vault, factory and hub granted to it and every role of the deployer there renounced (grant, then renounce), and every OrderBook diamond's ownership transferred (ERC-173, one-step here). Ends with a check that fails while the deployer still holds anything. Resumable",
  { signer: "the deployer whose roles and ownerships move" },
)
  .addOption({
    name: "to",
    type: ArgumentType.STRING,
    defaultValue: "",
    description:
      "The new owner and admin: the Safe (or timelock). Example: --to 0x6649Ddb5c7e52348b73c8bBdD2A1cbA630b7AaEA",
  })
  .addFlag({
    name: "allowEoa",
    description:
      "Allow --to to be an address without code (the diamonds' ownership transfer is one-step: a wrong address cannot be undone). Example: --allow-eoa",
  })
  .setAction(() => import("../tasks/cutover-transfer-ownership.js"))
  .build();

const cutoverPlugin: HardhatPlugin = {
  id: "hardhat-cutover",
  npmPackage: "hardhat-cutover",
  dependencies: () => [import("@nomicfoundation/hardhat-ethers")],
  hookHandlers: { config: () => import("./hooks/config.js") },
  tasks: withExitCodes([
    deploySystem,
    demo,
    scanStale,
    redeploy,
    rewire,
    roles,
    regrantRoles,
    diamondPlan,
    diamondStagePlan,
    diamondApplyPlan,
    diamondRollback,
    cutoverVerify,
    cutoverStatus,
    corevaultSnapshot,
    migrateFunds,
    cutoverWatch,
    transferOwnership,
  ]),
};

export default cutoverPlugin;
