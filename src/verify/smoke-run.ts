// One smoke run on a throwaway chain: its results, and the impersonation, funding, sending and event reading the smoke
// tests share. Every protocol call is an entry of the active profile's `trading` section.
import {
  AbiCoder,
  Contract,
  getAddress,
  Interface,
  keccak256,
  toBeHex,
  toUtf8Bytes,
  type LogDescription,
  type TransactionReceipt,
} from "ethers";
import type { NetworkConnection } from "hardhat/types/network";
import type { ThrowawayChain } from "../fork/throwaway.js";
import { fnName } from "../profile/interpret.js";
import type { Profile, WriteSpec } from "../profile/schema.js";
import { bindArgs } from "../profile/trading.js";
import type { CheckResult, Failure } from "./checks.js";

export const actor = (label: string) =>
  getAddress(`0x${keccak256(toUtf8Bytes(`hardhat-cutover smoke ${label}`)).slice(26)}`);

type Signer = Awaited<ReturnType<NetworkConnection["ethers"]["getSigner"]>>;
const ERC20 = [
  "function balanceOf(address) view returns (uint256)",
  "function approve(address spender, uint256 amount) returns (bool)",
];

export class SmokeRun<Name extends string> {
  readonly results = new Map<Name, CheckResult>();
  readonly where: string;

  constructor(
    readonly env: ThrowawayChain,
    readonly profile: Profile,
    readonly newVault: string,
    private readonly titles: Record<Name, string>,
  ) {
    this.where = env.where;
  }

  get trading() {
    return this.profile.trading;
  }

  record(name: Name, evidence: string, failures: Failure[] = []): void {
    this.results.set(name, {
      name,
      title: this.titles[name],
      status: failures.length === 0 ? "pass" : "fail",
      evidence,
      failures,
    });
  }

  fail(name: Name, subject: string, expected: string, found: string, fix: string): void {
    this.record(name, found, [{ subject, expected, found, fix }]);
  }

  private request(method: string, params: unknown[]) {
    return this.env.conn.provider.request({ method, params });
  }

  /** A signer for `address` on the throwaway chain, impersonated and funded with ether. */
  async as(address: string): Promise<Signer> {
    await this.request("hardhat_impersonateAccount", [address]);
    await this.request("hardhat_setBalance", [address, "0x56bc75e2d63100000"]);
    return this.env.conn.ethers.getSigner(address);
  }

  /** Sends the profile's `write` to `to` with its template bound to `values`; a revert throws. */
  async send(signer: Signer, to: string, write: WriteSpec, values: unknown[]): Promise<TransactionReceipt> {
    const contract = new Contract(to, [write.signature], signer);
    const tx = await contract.getFunction(fnName(write.signature)).send(...bindArgs(write.args, values));
    const receipt = await tx.wait();
    if (!receipt || receipt.status !== 1) throw new Error(`${fnName(write.signature)} reverted`);
    return receipt;
  }

  /** The result `write` would return when sent by `from` now (a revert throws). */
  async simulate(from: string, to: string, write: WriteSpec, values: unknown[]): Promise<unknown> {
    const contract = new Contract(to, [write.signature], await this.as(from));
    return contract.getFunction(fnName(write.signature)).staticCall(...bindArgs(write.args, values));
  }

  /** A view of the new vault (`signature` called with `args`). */
  async read(signature: string, args: unknown[]): Promise<unknown> {
    const contract = new Contract(this.newVault, [signature], this.env.conn.ethers.provider);
    return contract.getFunction(fnName(signature))(...args);
  }

  /** The receipt's logs of `event` (a human-readable signature) emitted by `address`. */
  events(receipt: TransactionReceipt, address: string, event: string): LogDescription[] {
    const iface = new Interface([event]);
    return receipt.logs.flatMap((log) => {
      if (log.address.toLowerCase() !== address.toLowerCase()) return [];
      try {
        const parsed = iface.parseLog(log);
        return parsed ? [parsed] : [];
      } catch {
        return [];
      }
    });
  }

  /**
   * Gives `trader` `amount` of free collateral on the new vault as the profile funds test traders: credited by
   * `creditor`, or deposited after its balance of the collateral token is written on the throwaway chain.
   */
  async fund(trader: string, amount: bigint, funding: { creditor?: string; collateral: string }): Promise<void> {
    const fund = this.trading.fund;
    if ("credit" in fund) {
      if (!funding.creditor) throw new Error("no EXTERNAL_CREDITOR_ROLE holder to credit test traders with");
      await this.send(await this.as(funding.creditor), this.newVault, fund.credit, [trader, amount]);
      return;
    }
    if (!funding.collateral) throw new Error("the plan names no collateral token to deposit");
    await this.writeBalance(funding.collateral, trader, amount);
    const signer = await this.as(trader);
    await (await new Contract(funding.collateral, ERC20, signer).getFunction("approve")(this.newVault, amount)).wait();
    await this.send(signer, this.newVault, fund.deposit, [amount]);
  }

  /** Writes `holder`'s token balance: the slot of a `balances` mapping declared among the token's first 20 slots. */
  private async writeBalance(token: string, holder: string, amount: bigint): Promise<void> {
    const provider = this.env.conn.ethers.provider;
    const erc20 = new Contract(token, ERC20, provider);
    for (let index = 0; index < 20; index++) {
      const slot = keccak256(AbiCoder.defaultAbiCoder().encode(["address", "uint256"], [holder, index]));
      const before = await provider.getStorage(token, slot);
      await this.request("hardhat_setStorageAt", [token, slot, toBeHex(amount, 32)]);
      if (((await erc20.getFunction("balanceOf")(holder)) as bigint) === amount) return;
      await this.request("hardhat_setStorageAt", [token, slot, before]);
    }
    throw new Error(`no balances mapping found in slots 0-19 of the collateral token ${token}`);
  }
}
