import { expect } from "chai";
import { parseRunKey, runAimsAt, runKeys } from "../../src/engine/run-key.js";
import type { Plan } from "../../src/engine/types.js";
import {
  combinedSplit,
  parseMarketSelection,
  planSplit,
  splitMarkets,
  splitScope,
  type MarketRef,
} from "../../src/orderbook/market-split.js";

const VAULT = "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9";
const market = (n: number, symbol: string): MarketRef => ({
  marketId: `0x${String(n).repeat(64)}`,
  orderBook: `0x${String(n).repeat(40)}`,
  symbol,
});
const [btc, eth, sol] = [market(1, "BTC-USD"), market(2, "ETH-USD"), market(3, "SOL-USD")];
const plan = (scope?: Plan["scope"]) => ({ scope }) as Plan;

describe("market split (dual-vault period)", () => {
  it("parses --markets / --except-markets, refusing both at once and an empty list", () => {
    expect(parseMarketSelection("", "")).to.equal(undefined);
    expect(parseMarketSelection(" BTC-USD , eth-usd ", "")).to.deep.equal({
      input: "--markets",
      values: ["BTC-USD", "eth-usd"],
    });
    expect(parseMarketSelection(undefined, "SOL-USD")).to.deep.equal({
      input: "--except-markets",
      values: ["SOL-USD"],
    });
    expect(() => parseMarketSelection("BTC-USD", "SOL-USD")).to.throw("give one of them");
    expect(() => parseMarketSelection(" , ", "")).to.throw('Invalid --markets: " , "');
  });

  it("resolves ids, symbols (any case) and OrderBooks; an unknown name is an input error naming it", () => {
    const universe = [btc, eth, sol];
    const split = splitMarkets(universe, { input: "--markets", values: [btc.marketId, "eth-usd"] }, VAULT);
    expect(split.moved).to.deep.equal([btc, eth]);
    expect(split.kept).to.deep.equal([sol]);
    expect(splitMarkets(universe, { input: "--except-markets", values: [sol.orderBook] }, VAULT)).to.deep.equal(split);
    expect(() => splitMarkets(universe, { input: "--except-markets", values: ["DOGE"] }, VAULT)).to.throw(
      /Invalid --except-markets: "DOGE".*BTC-USD, ETH-USD, SOL-USD.*cutover:status/,
    );
  });

  it("combines the runs' splits: the redeploy's kept markets less those later runs moved", () => {
    const first = splitScope(splitMarkets([btc, eth, sol], { input: "--markets", values: ["BTC-USD"] }, VAULT));
    const later = splitScope({ oldVault: "", moved: [sol], kept: [] });
    expect(planSplit(plan())).to.equal(undefined);
    expect(combinedSplit([plan(), plan()])).to.equal(undefined);
    expect(combinedSplit([plan(first), plan(), plan(later)])).to.deep.equal({
      oldVault: VAULT,
      moved: [btc, sol],
      kept: [eth],
    });
  });

  it("gives a rewire of some markets its own run key, still aimed at the vault", () => {
    const digest = runKeys.marketsDigest("--markets", ["SOL-USD", "BTC-USD"]);
    expect(digest)
      .to.equal(runKeys.marketsDigest("--markets", ["btc-usd", "sol-usd"]))
      .and.match(/^[0-9a-f]{16}$/);
    expect(digest).to.not.equal(runKeys.marketsDigest("--except-markets", ["SOL-USD", "BTC-USD"]));
    const key = runKeys.orderbookRewire("cut", VAULT, digest);
    expect(key).to.equal(`orderbook-rewire-${VAULT.toLowerCase()}-${digest}`);
    expect(parseRunKey(key)).to.deep.equal({ kind: "orderbook-rewire", subject: VAULT.toLowerCase(), digest });
    expect(runAimsAt(key, VAULT)).to.equal(true);
  });
});
