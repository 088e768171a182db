// A system with users' money on it, on either profile: the mock deployer's users (deposits and open positions) plus
// plain depositors with no position (the money a migration moves), and the profile made active for the tasks.
import { Contract, Interface, parseEther, parseUnits, type InterfaceAbi, type Wallet } from "ethers";
import hre from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import { loadArtifact } from "../../src/artifacts.js";
import { deployDexetraSystem } from "../../src/mocks/deploy-dexetra.js";
import { deploySystem, mockWallet } from "../../src/mocks/deploy-system.js";
import { resolveProfile } from "../../src/profile/resolve.js";
import { conn } from "./system.js";

export type ProfileName = "reference" | "dexetra-v5";

export interface FundsSystem {
  profile: ProfileName;
  vault: string;
  usdc: Contract;
  /** Users with open positions (the mock deployer's). */
  traders: string[];
  /** Users with a deposit and no position. */
  depositors: Wallet[];
  /** The vault's ABI bound to the first account. */
  vaultContract: Contract;
}

const abiOf = async (name: string) => (await loadArtifact(hre, name)).abi as InterfaceAbi;

/** Makes `profile` the active protocol profile (the previous one is returned, to restore it). */
export function useProfile(profile: ProfileName) {
  const previous = hre.config.cutover.protocol;
  hre.config.cutover.protocol = resolveProfile({ profile });
  return previous;
}

/** Deposits `amount` (USDC units) for `wallet` on the vault, funding it first. */
export async function deposit(
  f: Pick<FundsSystem, "profile" | "vault" | "usdc">,
  wallet: Wallet,
  amount: bigint,
  on: NetworkConnection = conn,
) {
  const [admin] = await on.ethers.getSigners();
  if ((await on.ethers.provider.getBalance(wallet.address)) < parseEther("0.1"))
    await (await admin.sendTransaction({ to: wallet.address, value: parseEther("1") })).wait();
  await (await f.usdc.mint(wallet.address, amount)).wait();
  await (await (f.usdc.connect(wallet) as Contract).approve(f.vault, amount)).wait();
  const name = f.profile === "reference" ? "CoreVault" : "DexetraCoreVault";
  const vault = new Contract(f.vault, await abiOf(name), wallet);
  const fn = f.profile === "reference" ? "deposit" : "depositCollateral";
  await (await vault.getFunction(fn)(amount)).wait();
}

/** `traders` users with open positions and `depositors` users with only a deposit, on a fresh system of `profile`. */
export async function fundsSystem(
  profile: ProfileName,
  options: { traders: number; depositors: number; seed: string; markets?: number },
): Promise<FundsSystem> {
  const base = { users: options.traders, seed: options.seed, markets: options.markets ?? 3 };
  let vault: string;
  let usdc: string;
  let traders: string[];
  if (profile === "reference") {
    const system = await deploySystem(hre, conn, { ...base, factory: "updatable" });
    [vault, usdc, traders] = [system.contracts.CORE_VAULT, system.contracts.USDC, system.users ?? []];
  } else {
    const system = await deployDexetraSystem(hre, conn, { ...base, factory: "immutable" });
    const c = system.record.contracts;
    [vault, usdc, traders] = [c.CORE_VAULT, c.MOCK_USDC, system.users];
  }
  const [admin] = await conn.ethers.getSigners();
  const f = { profile, vault, usdc: new Contract(usdc, await abiOf("MockUSDC"), admin) };
  const depositors = Array.from({ length: options.depositors }, (_, i) =>
    mockWallet(options.seed, "depositor", i, conn),
  );
  for (const [i, wallet] of depositors.entries()) await deposit(f, wallet, parseUnits(String(1000 + i), 6));
  const vaultContract = new Contract(
    vault,
    await abiOf(profile === "reference" ? "CoreVault" : "DexetraCoreVault"),
    admin,
  );
  return { ...f, traders, depositors, vaultContract };
}

/** The vault's credit event on each profile, written out here so that tests count credits without the plugin. */
const CREDIT_EVENT: Record<ProfileName, string> = {
  reference: "event ExternalCredited(address indexed user, uint256 amount, address indexed creditor)",
  "dexetra-v5": "event ExternalCreditAdded(address indexed user, uint256 amount)",
};

/** Credits per user on `vault` since `fromBlock` (raw logs); `sentTo` collects the account each credit was sent to. */
export async function creditsByUser(
  on: NetworkConnection,
  profile: ProfileName,
  vault: string,
  fromBlock = 0,
  sentTo?: Set<string>,
): Promise<Map<string, bigint[]>> {
  const iface = new Interface([CREDIT_EVENT[profile]]);
  const event = iface.getEvent(CREDIT_EVENT[profile].split(" ")[1].split("(")[0])!;
  const logs = await on.ethers.provider.getLogs({ address: vault, topics: [event.topicHash], fromBlock });
  const out = new Map<string, bigint[]>();
  for (const log of logs) {
    const { args } = iface.parseLog(log)!;
    out.set(args.user, [...(out.get(args.user) ?? []), args.amount]);
    sentTo?.add((await on.ethers.provider.getTransaction(log.transactionHash))!.to!);
  }
  return out;
}
