// What the tasks print for people: the plan summarised (alike steps on one line, multicalls as counts) and fitted to
// 100 columns when stdout is not a terminal; --verbose prints every call, every step and every OrderBook.
import { expect } from "chai";
import { freshSystem, nonce, tempAppConfig } from "../helpers/system.js";
import { runTask } from "../helpers/tasks.js";

await tempAppConfig();
const MARKETS = 25;

describe("output for people", function () {
  this.timeout(240_000);

  it("summarises a fleet redeploy on one line per run of alike steps, fitted to 100 columns; --verbose prints every call", async () => {
    const system = await freshSystem({ markets: MARKETS, seed: "outputs-summary" });
    const before = await nonce();
    const summary = (await runTask("corevault:redeploy", { rewire: true, planOnly: true })).split("\n");
    const verbose = (await runTask("corevault:redeploy", { rewire: true, planOnly: true, verbose: true })).split("\n");
    expect(await nonce(), "plan only sends nothing").to.equal(before);

    // 3 calls per market in batches of 60 calls: 2 multicalls on one line; one rewire per OrderBook on one line.
    expect(summary.find((l) => /^6-7 +to send +register OrderBooks, assign markets/.test(l))).to.match(
      /2 batches of up to 60 calls, 75 in all/,
    );
    const [first, last] = [system.markets[0].symbol, system.markets[MARKETS - 1].symbol];
    expect(summary.some((l) => l.includes(`rewire ×${MARKETS} (${first} … ${last})`))).to.equal(true);
    expect(summary.join("\n")).to.not.include("registerOrderBook(");
    // Tables fit; only a file's path (the plan file) may be longer than the width.
    for (const line of summary.filter((l) => !l.includes("deployments/"))) expect(line.length, line).to.be.at.most(100);

    // --verbose: every call of every multicall and one line per rewire, nothing cut.
    expect(verbose.filter((l) => /\.registerOrderBook\(/.test(l))).to.have.length(MARKETS);
    expect(verbose.filter((l) => /\brewire /.test(l))).to.have.length(MARKETS);
    expect(verbose.length).to.be.greaterThan(summary.length + 3 * MARKETS);
  });

  it("prints the results and the fleet as a summary after sending, every step and OrderBook with --verbose", async () => {
    const system = await freshSystem({ markets: MARKETS, seed: "outputs-results" });
    const text = (await runTask("corevault:redeploy", { rewire: true })).split("\n");
    const rewired = text.find((l) => l.includes(`rewire ×${MARKETS}`) && / done /.test(l));
    expect(rewired, text.join("\n")).to.match(new RegExp(`${MARKETS} transactions +\\d+-\\d+`));
    expect(text).to.include(
      `${MARKETS} OrderBooks: ${MARKETS} rewired, 0 already done, 0 failed, 0 blocked (--verbose lists each one)`,
    );
    expect(text.join("\n")).to.not.include(system.markets[1].orderBook);
    for (const line of text.filter((l) => !l.startsWith("app config"))) expect(line.length, line).to.be.at.most(100);

    // A rerun with --verbose: every step (all already done) and every OrderBook on its own line.
    const verbose = (await runTask("corevault:redeploy", { rewire: true, verbose: true })).split("\n");
    for (const market of system.markets)
      expect(
        verbose.some((l) => l.startsWith(`${market.symbol} `) && l.includes(market.orderBook)),
        market.symbol,
      ).to.equal(true);
  });
});

describe("progress of long phases", function () {
  this.timeout(240_000);

  /** What `work` wrote to stderr (where progress goes) as a terminal would get it, one entry per rewrite. */
  async function stderrOf(work: () => Promise<unknown>): Promise<string[]> {
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    const wasTTY = process.stderr.isTTY;
    process.stderr.isTTY = true;
    process.stderr.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      await work();
    } finally {
      process.stderr.write = original;
      process.stderr.isTTY = wasTTY;
    }
    // eslint-disable-next-line no-control-regex
    return written
      .join("")
      .replace(/\x1b\[2K/g, "")
      .split(/\r|\n/)
      .filter(Boolean);
  }

  it("observation, sending and verify report their elapsed time; verify estimates from its last run", async () => {
    await freshSystem({ markets: 3, seed: "outputs-progress" });
    const redeploy = await stderrOf(() => runTask("corevault:redeploy", { rewire: true }));
    expect(
      redeploy.some((l) => /^observed and planned in \d+\.\d s$/.test(l)),
      redeploy.join("\n"),
    ).to.equal(true);
    expect(redeploy.some((l) => /^sending \d+\/\d+ \(\d+%\), \d+\.\d s elapsed/.test(l))).to.equal(true);

    const first = await stderrOf(() => runTask("cutover:verify", { skipSmoke: true }));
    expect(
      first.some((l) => /^observing and checking done in \d+\.\d s$/.test(l)),
      first.join("\n"),
    ).to.equal(true);
    const second = await stderrOf(() => runTask("cutover:verify", { skipSmoke: true }));
    expect(
      second.some((l) => /^observing and checking, \d+\.\d s elapsed, about \d+\.\d s left$/.test(l)),
      second.join("\n"),
    ).to.equal(true);
  });
});
