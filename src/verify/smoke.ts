// Smoke tests of the new vault's money paths, never on the live chain: on an in-process fork of a chain reached over
// HTTP (at the verified block), or on the in-process chain itself between evm_snapshot and evm_revert. Accounts that
// must act (a settlement operator, the hub as external creditor, test traders) are impersonated there. Every call is
// an entry of the active profile's `trading` section.
import { ZeroHash } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { reason } from "../engine/executor-eoa.js";
import { fnName } from "../profile/interpret.js";
import type { Profile } from "../profile/schema.js";
import { encodeTemplated, refusedWith, sigName } from "../profile/trading.js";
import type { CheckResult, Failure } from "./checks.js";
import type { DesiredState } from "./desired.js";
import type { ObservedState } from "./observe.js";
import { throwawayChain, type ThrowawayChain } from "../fork/throwaway.js";
import { haltSmoke } from "./smoke-halt.js";
import { actor, SmokeRun as Run } from "./smoke-run.js";
import "../type-extensions.js";

const SMOKE_TITLES = {
  "smoke.mark-price": "updateMarkPrice by a settlement operator succeeds",
  "smoke.liquidation": "a liquidatable position is liquidated through its OrderBook and the liquidator is paid",
  "smoke.settlement": "settleMarket by a settlement operator succeeds",
  "smoke.unauthorized-refused": "callers without the role are refused",
  "smoke.old-vault-halted": "a fill from each OrderBook the plan halted is refused by the old vault",
} as const;

type SmokeName = keyof typeof SMOKE_TITLES;

export const SMOKE_CHECKS = Object.keys(SMOKE_TITLES) as SmokeName[];

type Market = DesiredState["markets"][number];
type SmokeRun = Run<SmokeName>;
type Signer = Awaited<ReturnType<SmokeRun["as"]>>;

/** 1. an authorized mark price update; returns the price the next tests trade at. */
async function markPriceSmoke(run: SmokeRun, market: Market, operator: string, keeper: Signer): Promise<bigint> {
  const { where, newVault } = run;
  const { markPrice } = run.trading;
  let price = 0n;
  try {
    price = ((await run.read(markPrice.read, [market.marketId])) as bigint) || 1_000_000_000n;
    const receipt = await run.send(keeper, newVault, markPrice.write, [market.marketId, price]);
    const event = markPrice.event;
    const after = (await run.read(markPrice.read, [market.marketId])) as bigint;
    const evented = !event || run.events(receipt, newVault, event).length > 0;
    if (evented && after === price)
      run.record(
        "smoke.mark-price",
        `${fnName(markPrice.write.signature)}(${market.symbol}, ${price}) by ${operator}: ${event ? `${sigName(event)}` : `${fnName(markPrice.read)} reads ${after}`} on ${where}`,
      );
    else
      run.fail(
        "smoke.mark-price",
        `${fnName(markPrice.write.signature)}(${market.symbol})`,
        `${event ? "its event and " : ""}the price read back`,
        `${evented ? "" : "no event in the receipt; "}${fnName(markPrice.read)} reads ${after}`,
        "check the vault's code (vault.libraries, sources)",
      );
  } catch (error) {
    run.fail(
      "smoke.mark-price",
      `${fnName(markPrice.write.signature)}(${market.symbol}) by ${operator}`,
      "succeeds",
      `refused: ${reason(error)}`,
      "check SETTLEMENT_ROLE and that the market is not settled",
    );
  }
  return price || 1_000_000_000n;
}

/** Two funded test traders open a position in `market` through its OrderBook: a resting sell, then a buy. */
async function openPosition(run: SmokeRun, market: Market, price: bigint, long: string, short: string) {
  const { order } = run.trading;
  const size = 10n ** 18n;
  const place = async (trader: string, isBuy: boolean) => {
    const id = await run.simulate(trader, market.orderBook, order.place, [isBuy, price, size]);
    await run.send(await run.as(trader), market.orderBook, order.place, [isBuy, price, size]);
    return id;
  };
  const sellId = await place(short, false);
  const buyId = await place(long, true);
  if (order.match) await run.send(await run.as(actor("liquidator")), market.orderBook, order.match, [buyId, sellId]);
}

/** 2. liquidation through the OrderBook: two funded test traders trade, the mark falls until the long is liquidatable. */
async function liquidationSmoke(
  run: SmokeRun,
  market: Market,
  funding: { creditor?: string; collateral: string },
  keeper: Signer,
  price: bigint,
): Promise<void> {
  const { where, newVault } = run;
  const { markPrice, liquidate, available } = run.trading;
  try {
    const [long, short, liquidator] = [actor("long"), actor("short"), actor("liquidator")];
    for (const trader of [long, short]) await run.fund(trader, price * 10n, funding);
    await openPosition(run, market, price, long, short);
    const liquidatable = () =>
      run.simulate(liquidator, market.orderBook, liquidate.write, [long]).then(
        () => true,
        () => false,
      );
    let mark = price;
    let ready = false;
    // lower the mark half a percent at a time until liquidating the long would go through (margin left to pay from)
    for (let step = 1; step <= 40 && !ready; step++) {
      mark = (price * BigInt(1_000 - step * 5)) / 1_000n;
      await run.send(keeper, newVault, markPrice.write, [market.marketId, mark]);
      ready = await liquidatable();
    }
    if (!ready) {
      run.fail(
        "smoke.liquidation",
        `long position in ${market.symbol}`,
        "liquidatable after the mark fell 20%",
        "still not liquidatable",
        "check the MMR params (vault.mmr-params) and the VaultAnalytics library",
      );
      return;
    }
    const before = (await run.read(available, [liquidator])) as bigint;
    const receipt = await run.send(await run.as(liquidator), market.orderBook, liquidate.write, [long]);
    const paid = ((await run.read(available, [liquidator])) as bigint) - before;
    const executed = liquidate.event ? run.events(receipt, newVault, liquidate.event)[0] : undefined;
    const eventOk =
      !liquidate.event || (executed !== undefined && paid === (executed.args.getValue("reward") as bigint));
    if (paid > 0n && eventOk) {
      const named = executed ? ` (${executed.name})` : "";
      run.record(
        "smoke.liquidation",
        `${market.symbol} long liquidatable at mark ${mark} (entry ${price}); ${fnName(liquidate.write.signature)}() through OrderBook ${market.orderBook} paid the liquidator ${paid}${named} on ${where}`,
      );
    } else {
      run.fail(
        "smoke.liquidation",
        `${fnName(liquidate.write.signature)}() in ${market.symbol}`,
        `${liquidate.event ? "its event and " : ""}a reward > 0 credited to the liquidator`,
        `${liquidate.event ? `event ${executed ? "present" : "missing"}, ` : ""}credited ${paid}`,
        "check the liquidation manager (vault.liquidation-manager)",
      );
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
  const { where, newVault } = run;
  const { settle } = run.trading;
  const fn = fnName(settle.write.signature);
  try {
    const receipt = await run.send(keeper, newVault, settle.write, [settled.marketId, price]);
    if (run.events(receipt, newVault, settle.event).length > 0)
      run.record(
        "smoke.settlement",
        `${fn}(${settled.symbol}, ${price}) by ${operator}: ${sigName(settle.event)} on ${where}`,
      );
    else
      run.fail(
        "smoke.settlement",
        `${fn}(${settled.symbol})`,
        settle.event,
        "none in the receipt",
        "check the vault's code",
      );
  } catch (error) {
    run.fail(
      "smoke.settlement",
      `${fn}(${settled.symbol}) by ${operator}`,
      "succeeds",
      `refused: ${reason(error)}`,
      "check SETTLEMENT_ROLE (roles.desired-holders)",
    );
  }
}

/** 4. callers without a role are refused, each with the error the profile expects. */
async function unauthorizedSmoke(run: SmokeRun, marketId: string): Promise<void> {
  const stranger = actor("stranger");
  const probes = run.trading.refused;
  const failures: Failure[] = [];
  for (const probe of probes) {
    const fn = fnName(probe.call);
    const data = encodeTemplated(probe.call, probe.args, [marketId, stranger, 1n, ZeroHash]);
    const expected = `refused with ${probe.refusedWith.map((e) => sigName(e)).join(" or ")}`;
    try {
      await run.env.conn.ethers.provider.call({ from: stranger, to: run.newVault, data });
      failures.push({
        subject: `${fn} by ${stranger} (no role)`,
        expected,
        found: "accepted",
        fix: `the vault's access control is not the audited one: check vault.libraries and --sources`,
      });
    } catch (error) {
      if (!refusedWith(error, probe.refusedWith))
        failures.push({
          subject: `${fn} by ${stranger} (no role)`,
          expected,
          found: `refused otherwise: ${reason(error)}`,
          fix: "check that the vault is not paused and its code is the artifact's",
        });
    }
  }
  run.record(
    "smoke.unauthorized-refused",
    `${probes.length - failures.length}/${probes.length} calls by an account without roles refused (${probes.map((p) => fnName(p.call)).join(", ")}) on ${run.where}`,
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
  profile: Profile,
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
    const run: SmokeRun = new Run(env, profile, desired.newVault, SMOKE_TITLES);
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
      if (!creditor && "credit" in profile.trading.fund)
        run.fail(
          "smoke.liquidation",
          "EXTERNAL_CREDITOR_ROLE",
          "a holder to credit test traders with",
          "none holds it",
          "grant EXTERNAL_CREDITOR_ROLE to the hub (roles.desired-holders)",
        );
      else await liquidationSmoke(run, market, { creditor, collateral: desired.collateral }, keeper, price);
      await settlementSmoke(run, healthy[1] ?? market, operator, keeper, price);
    }
    await unauthorizedSmoke(run, market?.marketId ?? desired.markets[0]?.marketId ?? ZeroHash);
    const halt = await haltSmoke(env, profile, desired);
    if (halt === "n/a")
      run.results.set("smoke.old-vault-halted", {
        name: "smoke.old-vault-halted",
        title: SMOKE_TITLES["smoke.old-vault-halted"],
        status: "n/a",
        evidence: `the plan did not halt the old vault: no fill to simulate on ${run.where}`,
        failures: [],
      });
    else run.record("smoke.old-vault-halted", halt.evidence, halt.failures);
    return SMOKE_CHECKS.map((name) => run.results.get(name)!);
  } finally {
    await env.close();
  }
}
