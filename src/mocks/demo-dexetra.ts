// `cutover:demo` on the production shape: the Dexetra v5 stand-in, its vault replaced through the dexetra-v5 profile
// (`corevault:redeploy --rewire --halt-old --pause-old`), then the users' money moved with `corevault:snapshot` and
// `corevault:migrate-funds --mode credit`, ending with the migrated users' balances usable on the new vault.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { Contract, formatUnits, parseEther, parseUnits, type InterfaceAbi } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { loadArtifact } from "../artifacts.js";
import { readSnapshot } from "../funds/take-snapshot.js";
import { resolveProfile } from "../profile/resolve.js";
import { readDexetraRecord } from "../records/dexetra-records.js";
import { networkDir } from "../records/records.js";
import { progressLine } from "../report/progress.js";
import { deployDexetraSystem, type DexetraSystem } from "./deploy-dexetra.js";
import { mockWallet } from "./deploy-system.js";
import { readDexetraInventory, renderDexetraInventory } from "./dexetra-inventory.js";
import { standInProtocol } from "./stand-in-profile.js";

/** Why the production profile moves money by credit (printed by the demo). */
export const CREDIT_REASON =
  "--mode credit is the default for dexetra-v5: its vault has creditExternal under EXTERNAL_CREDITOR_ROLE, so each " +
  "user's balance is credited on the new vault by the operator — users send no transaction and pay no gas — while the " +
  "old vault stays halted (no ORDERBOOK_ROLE) and paused (no deposit or withdrawal), so nothing can be spent twice.";

const DEPOSITORS = 4;

/** Users who only deposited (no position): the ones whose whole balance migrates. */
async function depositOnly(hre: HardhatRuntimeEnvironment, conn: NetworkConnection, system: DexetraSystem) {
  const [admin] = await conn.ethers.getSigners();
  const abi = async (name: string) => (await loadArtifact(hre, name)).abi as InterfaceAbi;
  const { CORE_VAULT, MOCK_USDC } = system.record.contracts;
  const usdc = new Contract(MOCK_USDC, await abi("MockUSDC"), admin);
  const vaultAbi = await abi("DexetraCoreVault");
  const wallets = Array.from({ length: DEPOSITORS }, (_, i) => mockWallet("demo", "dexetra-depositor", i, conn));
  for (const [i, wallet] of wallets.entries()) {
    const amount = parseUnits(String(1000 + 250 * i), 6);
    await (await admin.sendTransaction({ to: wallet.address, value: parseEther("1") })).wait();
    await (await usdc.mint(wallet.address, amount)).wait();
    await (await (usdc.connect(wallet) as Contract).approve(CORE_VAULT, amount)).wait();
    await (await new Contract(CORE_VAULT, vaultAbi, wallet).depositCollateral(amount)).wait();
  }
  return wallets.map((w) => w.address);
}

/** Runs a task of this plugin; a run that does not complete (exit code set) stops the demo. */
async function step(hre: HardhatRuntimeEnvironment, name: string, args: Record<string, unknown>): Promise<void> {
  const previous = process.exitCode;
  process.exitCode = 0;
  await hre.tasks.getTask(name).run(args);
  if (Number(process.exitCode ?? 0) !== 0) throw new Error(`cutover:demo stopped: ${name} did not complete`);
  process.exitCode = previous;
}

/** `work` with the stand-in's profile active and the app config never written (a demo's addresses are not the app's). */
async function withStandIn(hre: HardhatRuntimeEnvironment, feeRecipient: string, work: () => Promise<void>) {
  const { cutover } = hre.config;
  const [protocol, write] = [cutover.protocol, cutover.appConfig.write];
  cutover.protocol = resolveProfile(standInProtocol(feeRecipient));
  cutover.appConfig.write = "never";
  try {
    await work();
  } finally {
    cutover.protocol = protocol;
    cutover.appConfig.write = write;
  }
}

/** The snapshot the last corevault:snapshot wrote (highest block). */
async function latestSnapshotFile(root: string, network: string): Promise<string> {
  const dir = path.join(networkDir(root, network), "snapshots");
  const block = (name: string) => Number(name.match(/^funds-(\d+)\.json$/)?.[1] ?? -1);
  const [latest] = (await readdir(dir)).filter((n) => block(n) >= 0).sort((a, b) => block(b) - block(a));
  return path.join(dir, latest);
}

export async function dexetraDemo(hre: HardhatRuntimeEnvironment, conn: NetworkConnection, markets: number) {
  const progress = progressLine(true);
  const started = Date.now();
  const system = await deployDexetraSystem(hre, conn, {
    markets,
    users: 6,
    factory: "immutable",
    seed: "demo",
    onProgress: progress.update,
  });
  const users = [...system.users, ...(await depositOnly(hre, conn, system))];
  progress.done(`deployed the Dexetra v5 stand-in in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const inventory = await readDexetraInventory(conn, { ...system, users });
  console.log(`== 1. the legacy system (profile dexetra-v5)\n\n${renderDexetraInventory(inventory)}`);

  const root = hre.config.paths.root;
  const oldVault = system.record.contracts.CORE_VAULT;
  const deployer = system.record.deployer;
  await withStandIn(hre, deployer, async () => {
    console.log(`\n== 2. corevault:redeploy --rewire --halt-old --pause-old (replaces CoreVault ${oldVault})\n`);
    await step(hre, "corevault:redeploy", { rewire: true, haltOld: true, pauseOld: true });
    console.log(`\n== 3. users' money: corevault:snapshot of the old vault, corevault:migrate-funds --mode credit\n`);
    console.log(`${CREDIT_REASON}\n`);
    // the stand-in's OrderBooks pay trading fees to the fee recipient (the deployer), which the vault does not list
    await step(hre, "corevault:snapshot", { vault: oldVault, include: deployer });
    // open positions would keep their margin locked on the halted vault: settled at the mark price first, then the
    // balances after settlement are snapshotted again and migrated, so no user's money is left behind
    console.log(`\n== 3b. markets with open positions settled at the mark price, then a new snapshot\n`);
    await step(hre, "corevault:migrate-funds", {
      snapshot: await latestSnapshotFile(root, conn.networkName),
      settleAt: "mark",
    });
    const settled = String(await conn.ethers.provider.getBlockNumber());
    await step(hre, "corevault:snapshot", { vault: oldVault, include: deployer, block: settled });
    await step(hre, "corevault:migrate-funds", { snapshot: await latestSnapshotFile(root, conn.networkName) });
  });
  await showAfter(hre, conn, system, users);
}

async function showAfter(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  system: DexetraSystem,
  users: string[],
) {
  const root = hre.config.paths.root;
  const record = await readDexetraRecord(root, conn.networkName);
  const snapshot = await readSnapshot(await latestSnapshotFile(root, conn.networkName));
  const after = await readDexetraInventory(conn, { ...system, record, users });
  console.log(`\n== 4. the system after the redeploy and the migration\n\n${renderDexetraInventory(after)}`);
  const t = snapshot.totals;
  const usdc = (amount: string) => formatUnits(amount, 6);
  const backing = await treasuryBacks(conn, system, record.contracts.CORE_VAULT, BigInt(t.migrate));
  const order = await orderProof(
    conn,
    system,
    snapshot.users.find((u) => u.migrate !== "0" && u.address !== system.record.deployer)!,
  );
  console.log(
    `\n${t.migratedUsers} users' money (${usdc(t.migrate)} USDC) is credited on the new vault ${record.contracts.CORE_VAULT}` +
      ` and usable at once (the free USDC above), through the same OrderBooks, now wired to it.\n` +
      (t.leftUsers > 0
        ? `${t.leftUsers} users with open positions or resting orders (${usdc(t.leftOnOldVault)} USDC) stay on the old vault ${snapshot.vault}, halted and paused: the plan said so; nothing of theirs moved.\n`
        : `No user is left on the old vault ${snapshot.vault}: its markets were settled at the mark price first, so every position's margin was free to migrate.\n`) +
      `${order}\n` +
      `The old vault cannot send its tokens out (it stays halted and paused), so the treasury backs the credit: it sent the new vault ${usdc(t.migrate)} USDC, which now holds ${usdc(backing.toString())} USDC against ${usdc(t.migrate)} credited (cutover:verify --funds-snapshot checks it: funds-solvency).`,
  );
}

/** The treasury's transfer that backs the credit (here the stand-in's USDC minted to the vault); its token balance after. */
async function treasuryBacks(conn: NetworkConnection, system: DexetraSystem, vault: string, amount: bigint) {
  const [treasury] = await conn.ethers.getSigners();
  const usdc = new Contract(
    system.record.contracts.MOCK_USDC,
    ["function mint(address to, uint256 amount)", "function balanceOf(address) view returns (uint256)"],
    treasury,
  );
  await (await usdc.mint(vault, amount)).wait();
  return (await usdc.balanceOf(vault)) as bigint;
}

/**
 * A migrated user's buy order (half their credit's worth, below the market's mark price so that it rests and reserves
 * margin) through an OrderBook, as an `eth_call` from the user: the new vault accepts it. Nothing is sent.
 */
async function orderProof(conn: NetworkConnection, system: DexetraSystem, user: { address: string; migrate: string }) {
  const market = system.markets[0];
  const vault = new Contract(
    system.record.contracts.CORE_VAULT,
    ["function marketMarkPrices(bytes32) view returns (uint256)"],
    conn.ethers.provider,
  );
  const price = ((await vault.marketMarkPrices(market.marketId)) as bigint) / 2n;
  const amount = (BigInt(user.migrate) * 10n ** 18n) / price / 2n;
  const book = new Contract(
    market.orderBook,
    ["function placeLimitOrder(uint256 price, uint256 amount, bool isBuy) returns (uint256)"],
    conn.ethers.provider,
  );
  await book.placeLimitOrder.staticCall(price, amount, true, { from: user.address });
  return `Proof: ${user.address} buying ${formatUnits(amount, 18)} ${market.symbol} at ${formatUnits(price, 6)} through its OrderBook is accepted, its margin reserved on the new vault (eth_call from the user; nothing sent).`;
}
