// Smoke tests of the new vault's money paths, never on the live chain: on an in-process fork of a chain reached over
// HTTP (at the verified block), or on the in-process chain itself between evm_snapshot and evm_revert. Accounts that
// must act (a settlement operator, the hub as external creditor, test traders) are impersonated there.
import { Contract, getAddress, keccak256, toUtf8Bytes, type InterfaceAbi, type TransactionReceipt } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { reason } from "../engine/executor-eoa.js";
import type { ContractCatalog } from "../engine/contracts.js";
import type { CheckResult, Failure } from "./checks.js";
import type { DesiredState } from "./desired.js";
import type { ObservedState } from "./observe.js";
import { throwawayChain, type ThrowawayChain } from "../fork/throwaway.js";
import "../type-extensions.js";

const actor = (label: string) => getAddress(`0x${keccak256(toUtf8Bytes(`hardhat-cutover smoke ${label}`)).slice(26)}`);

const SMOKE_TITLES = {
  "smoke.mark-price": "updateMarkPrice by a settlement operator succeeds",
  "smoke.liquidation": "a liquidatable position is liquidated through its OrderBook and the liquidator is paid",
  "smoke.settlement": "settleMarket by a settlement operator succeeds",
  "smoke.unauthorized-refused": "callers without the role are refused",
} as const;

type SmokeName = keyof typeof SMOKE_TITLES;

export const SMOKE_CHECKS = Object.keys(SMOKE_TITLES) as SmokeName[];

type Market = DesiredState["markets"][number];
type Signer = Awaited<ReturnType<NetworkConnection["ethers"]["getSigner"]>>;

/** One smoke run on a throwaway chain: its results, and the impersonation, sending and event reading the tests share. */
class SmokeRun {
  readonly results = new Map<SmokeName, CheckResult>();
  readonly where: string;

  private constructor(
    readonly env: ThrowawayChain,
    private readonly catalog: ContractCatalog,
    readonly vault: Contract,
  ) {
    this.where = env.where;
  }

  static async start(env: ThrowawayChain, catalog: ContractCatalog, newVault: string): Promise<SmokeRun> {
    const abi = (await catalog.artifact("CoreVault")).abi as InterfaceAbi;
    return new SmokeRun(env, catalog, new Contract(newVault, abi, env.conn.ethers.provider));
  }

  record(name: SmokeName, evidence: string, failures: Failure[] = []): void {
    this.results.set(name, {
      name,
      title: SMOKE_TITLES[name],
      status: failures.length === 0 ? "pass" : "fail",
      evidence,
      failures,
    });
  }

  fail(name: SmokeName, subject: string, expected: string, found: string, fix: string): void {
    this.record(name, found, [{ subject, expected, found, fix }]);
  }

  async abi(name: string): Promise<InterfaceAbi> {
    return (await this.catalog.artifact(name)).abi as InterfaceAbi;
  }

  /** A signer for `address` on the throwaway chain, impersonated and funded. */
  async as(address: string): Promise<Signer> {
    const request = (method: string, params: unknown[]) => this.env.conn.provider.request({ method, params });
    await request("hardhat_impersonateAccount", [address]);
    await request("hardhat_setBalance", [address, "0x56bc75e2d63100000"]);
    return this.env.conn.ethers.getSigner(address);
  }

  async send(signer: unknown, contract: Contract, fn: string, args: unknown[]): Promise<TransactionReceipt> {
    const tx = await (contract.connect(signer as never) as Contract).getFunction(fn).send(...args);
    const receipt = await tx.wait();
    if (!receipt || receipt.status !== 1) throw new Error(`${fn} reverted`);
    return receipt;
  }

  /** The receipt's events emitted by `contract`. */
  events(receipt: TransactionReceipt, contract: Contract) {
    return receipt.logs.flatMap((log) => {
      if (log.address.toLowerCase() !== String(contract.target).toLowerCase()) return [];
      const parsed = contract.interface.parseLog(log);
      return parsed ? [parsed] : [];
    });
  }
}

/** 1. an authorized mark price update; returns the price the next tests trade at (0 when it could not be read). */
async function markPriceSmoke(run: SmokeRun, market: Market, operator: string, keeper: Signer): Promise<bigint> {
  const { vault, where } = run;
  let price = 0n;
  try {
    price = ((await vault.markPrice(market.marketId)) as bigint) || 1_000_000_000n;
    const receipt = await run.send(keeper, vault, "updateMarkPrice", [market.marketId, price]);
    const updated = run.events(receipt, vault).find((e) => e.name === "MarkPriceUpdated");
    if (updated)
      run.record(
        "smoke.mark-price",
        `updateMarkPrice(${market.symbol}, ${price}) by ${operator}: MarkPriceUpdated on ${where}`,
      );
    else
      run.fail(
        "smoke.mark-price",
        `updateMarkPrice(${market.symbol})`,
        "a MarkPriceUpdated event",
        "none in the receipt",
        "check the vault's code (vault.libraries, sources)",
      );
  } catch (error) {
    run.fail(
      "smoke.mark-price",
      `updateMarkPrice(${market.symbol}) by ${operator}`,
      "succeeds",
      `refused: ${reason(error)}`,
      "check SETTLEMENT_ROLE and that the market is not settled",
    );
  }
  return price;
}

/** 2. liquidation through the OrderBook: two credited test traders open a position, the mark falls until the long is liquidatable. */
async function liquidationSmoke(
  run: SmokeRun,
  market: Market,
  creditor: string,
  keeper: Signer,
  price: bigint,
): Promise<void> {
  const { vault, where } = run;
  try {
    const hub = await run.as(creditor);
    const [long, short, liquidator] = [actor("long"), actor("short"), actor("liquidator")];
    for (const trader of [long, short]) await run.send(hub, vault, "creditExternal", [trader, price * 10n]);
    const book = new Contract(market.orderBook, await run.abi("OrderBookTradingFacet"), run.env.conn.ethers.provider);
    const size = 10n ** 18n;
    const place = async (trader: string, isBuy: boolean) => {
      const receipt = await run.send(await run.as(trader), book, "placeOrder", [isBuy, price, size]);
      return run.events(receipt, book).find((e) => e.name === "OrderPlaced")!.args.orderId as bigint;
    };
    const buyId = await place(long, true);
    const sellId = await place(short, false);
    await run.send(await run.as(liquidator), book, "matchOrders", [buyId, sellId]);
    let mark = price;
    let liquidatable = false;
    // lower the mark half a percent at a time until the long is liquidatable (with margin left to pay from)
    for (let step = 1; step <= 40 && !liquidatable; step++) {
      mark = (price * BigInt(1_000 - step * 5)) / 1_000n;
      await run.send(keeper, vault, "updateMarkPrice", [market.marketId, mark]);
      liquidatable = (await vault.isLiquidatable(long, market.marketId)) as boolean;
    }
    if (!liquidatable) {
      run.fail(
        "smoke.liquidation",
        `long position in ${market.symbol}`,
        "isLiquidatable true after the mark fell 20%",
        "still not liquidatable",
        "check the MMR params (vault.mmr-params) and the VaultAnalytics library",
      );
    } else {
      const before = (await vault.availableCollateral(liquidator)) as bigint;
      const receipt = await run.send(await run.as(liquidator), book, "liquidate", [long]);
      const paid = ((await vault.availableCollateral(liquidator)) as bigint) - before;
      const executed = run.events(receipt, vault).find((e) => e.name === "LiquidationExecuted");
      if (executed && paid > 0n && paid === (executed.args.reward as bigint)) {
        run.record(
          "smoke.liquidation",
          `${market.symbol} long liquidatable at mark ${mark} (entry ${price}); liquidate() through OrderBook ${market.orderBook} paid the liquidator ${paid} (LiquidationExecuted) on ${where}`,
        );
      } else {
        run.fail(
          "smoke.liquidation",
          `liquidate() in ${market.symbol}`,
          "LiquidationExecuted and a reward > 0 credited to the liquidator",
          `event ${executed ? "present" : "missing"}, credited ${paid}`,
          "check the liquidation manager (vault.liquidation-manager)",
        );
      }
    }
  } catch (error) {
    run.fail(
      "smoke.liquidation",
      `trading and liquidation in ${market.symbol}`,
      "orders placed, matched, position liquidated",
      `failed: ${reason(error)}`,
      "check the OrderBook's vault, ORDERBOOK_ROLE and the market mapping (checks above)",
    );
  }
}

/** 3. settlement (run last: it freezes the market). */
async function settlementSmoke(
  run: SmokeRun,
  settled: Market,
  operator: string,
  keeper: Signer,
  price: bigint,
): Promise<void> {
  const { vault, where } = run;
  try {
    const receipt = await run.send(keeper, vault, "settleMarket", [settled.marketId, price]);
    if (run.events(receipt, vault).some((e) => e.name === "VaultMarketSettled"))
      run.record(
        "smoke.settlement",
        `settleMarket(${settled.symbol}, ${price}) by ${operator}: VaultMarketSettled on ${where}`,
      );
    else
      run.fail(
        "smoke.settlement",
        `settleMarket(${settled.symbol})`,
        "a VaultMarketSettled event",
        "none in the receipt",
        "check the vault's code",
      );
  } catch (error) {
    run.fail(
      "smoke.settlement",
      `settleMarket(${settled.symbol}) by ${operator}`,
      "succeeds",
      `refused: ${reason(error)}`,
      "check SETTLEMENT_ROLE (roles.desired-holders)",
    );
  }
}

/** 4. callers without a role are refused. */
async function unauthorizedSmoke(run: SmokeRun, newVault: string, marketId: string): Promise<void> {
  const { vault, where } = run;
  const stranger = actor("stranger");
  const attempts: [string, unknown[], string][] = [
    ["updateMarkPrice", [marketId, 1n], "AccessControlUnauthorizedAccount"],
    ["settleMarket", [marketId, 1n], "AccessControlUnauthorizedAccount"],
    ["updatePositionWithLiquidation", [stranger, marketId, stranger], "UnauthorizedOrderBook"],
    ["lockMargin", [stranger, marketId, 1n], "UnauthorizedOrderBook"],
    ["creditExternal", [stranger, 1n], "AccessControlUnauthorizedAccount"],
    ["grantRole", ["0x" + "00".repeat(32), stranger], "AccessControlUnauthorizedAccount"],
  ];
  const failures: Failure[] = [];
  for (const [fn, args, expected] of attempts) {
    const data = vault.interface.encodeFunctionData(fn, args);
    try {
      await run.env.conn.ethers.provider.call({ from: stranger, to: newVault, data });
      failures.push({
        subject: `${fn} by ${stranger} (no role)`,
        expected: `refused with ${expected}`,
        found: "accepted",
        fix: `the vault's access control is not the audited one: check vault.libraries and --sources`,
      });
    } catch (error) {
      const text = `${reason(error)} ${(error as Error).message}`;
      if (!text.includes(expected))
        failures.push({
          subject: `${fn} by ${stranger} (no role)`,
          expected: `refused with ${expected}`,
          found: `refused otherwise: ${reason(error)}`,
          fix: "check that the vault is not paused and its code is the artifact's",
        });
    }
  }
  run.record(
    "smoke.unauthorized-refused",
    `${attempts.length - failures.length}/${attempts.length} calls by an account without roles refused (${attempts.map(([fn]) => fn).join(", ")}) on ${where}`,
    failures,
  );
}

/** Every smoke test failed for want of a throwaway chain. */
function noEnvironment(error: unknown): CheckResult[] {
  const why = (error as Error).message.split("\n")[0];
  return SMOKE_CHECKS.map((name) => ({
    name,
    title: SMOKE_TITLES[name],
    status: "fail" as const,
    evidence: "no throwaway copy of the chain to run on",
    failures: [
      {
        subject: "smoke environment",
        expected: "an in-process fork (HTTP target) or a snapshot (in-process chain)",
        found: why,
        fix: "fix the fork setup (for a chain Hardhat does not know, add its hardforkHistory to chainDescriptors), or run with --skip-smoke",
      },
    ],
  }));
}

export async function smokeChecks(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  catalog: ContractCatalog,
  desired: DesiredState,
  observed: ObservedState,
): Promise<CheckResult[]> {
  const holds = (role: keyof ObservedState["roles"], account: string) =>
    observed.roles[role].some((h) => h.toLowerCase() === account.toLowerCase());
  const healthy = desired.markets.filter(
    (m) =>
      observed.mapping[m.marketId]?.toLowerCase() === m.orderBook.toLowerCase() &&
      observed.orderBooks[m.orderBook]?.vault?.toLowerCase() === desired.newVault.toLowerCase() &&
      holds("ORDERBOOK_ROLE", m.orderBook),
  );
  const operator = desired.roles.SETTLEMENT_ROLE.find((h) => holds("SETTLEMENT_ROLE", h));
  const creditor = desired.roles.EXTERNAL_CREDITOR_ROLE.find((h) => holds("EXTERNAL_CREDITOR_ROLE", h));
  let env: ThrowawayChain;
  try {
    env = await throwawayChain(hre, conn, observed.block);
  } catch (error) {
    return noEnvironment(error);
  }
  try {
    const run = await SmokeRun.start(env, catalog, desired.newVault);
    const market = healthy[0];
    if (!market) {
      for (const name of ["smoke.mark-price", "smoke.liquidation", "smoke.settlement"] as const)
        run.fail(
          name,
          "markets",
          "a market fully wired to the new vault",
          "none (mapping, OrderBook vault() and ORDERBOOK_ROLE all right)",
          "fix the wiring checks above first",
        );
    } else if (!operator) {
      for (const name of ["smoke.mark-price", "smoke.liquidation", "smoke.settlement"] as const)
        run.fail(
          name,
          "SETTLEMENT_ROLE",
          "a settlement operator holding the role",
          "none holds it",
          "grant SETTLEMENT_ROLE to the operators (roles.desired-holders)",
        );
    } else {
      const keeper = await run.as(operator);
      const price = await markPriceSmoke(run, market, operator, keeper);
      if (!creditor)
        run.fail(
          "smoke.liquidation",
          "EXTERNAL_CREDITOR_ROLE",
          "a holder to credit test traders with",
          "none holds it",
          "grant EXTERNAL_CREDITOR_ROLE to the hub (roles.desired-holders)",
        );
      else await liquidationSmoke(run, market, creditor, keeper, price);
      await settlementSmoke(run, healthy[1] ?? market, operator, keeper, price);
    }
    await unauthorizedSmoke(
      run,
      desired.newVault,
      market?.marketId ?? desired.markets[0]?.marketId ?? `0x${"00".repeat(32)}`,
    );
    return SMOKE_CHECKS.map((name) => run.results.get(name)!);
  } finally {
    await env.close();
  }
}
