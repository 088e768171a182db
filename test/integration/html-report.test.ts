// The HTML reports, opened in a real headless Chromium (Debian's `chromium`, driven by playwright-core): a verify
// report with one OrderBook left on the old vault shows the failure first, that market's tile red and the others
// green, and the wiring diagram with the OrderBooks split between the vaults; a rehearsal report shows its steps.
// Without Chromium this test fails (CI installs it: .ci/run).
import { existsSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { expect } from "chai";
import hre from "hardhat";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { freshSystem, tempAppConfig } from "../helpers/system.js";
import { decodePng } from "../helpers/png.js";
import { runJson } from "../helpers/tasks.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const MARKETS = 8;
await tempAppConfig();

async function openInChromium(file: string, work: (page: Page) => Promise<void>): Promise<void> {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install chromium) or set CHROMIUM_PATH`);
  const profile = await mkdtemp(path.join(tmpdir(), "cutover-chromium-"));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1200, height: 900 },
  });
  try {
    const page = await context.newPage();
    await page.goto(pathToFileURL(file).href);
    await work(page);
  } finally {
    await context.close();
  }
}

/** The colour at the bottom middle of an element's own screenshot (its padding: no text there). */
async function colourOf(page: Page, selector: string): Promise<[number, number, number]> {
  const image = decodePng(await page.locator(selector).first().screenshot());
  return image.pixel(Math.floor(image.width / 2), image.height - 3);
}

const isRed = ([r, g, b]: number[]) => r > 180 && g < 80 && b < 80;
const isGreen = ([r, g, b]: number[]) => g > 130 && r < 80 && b < 110;

describe("HTML reports in headless Chromium", function () {
  this.timeout(240_000);

  it("verify: the failure first, the stale market's tile red and the rest green, the wiring split between vaults", async () => {
    const system = await freshSystem({ markets: MARKETS, seed: "html-report" });
    expect((await runJson("corevault:redeploy", {})).complete).to.equal(true);
    const [stale, ...rewired] = system.markets;
    const rewire = await runJson("orderbook:rewire", { orderbooks: rewired.map((m) => m.orderBook).join(",") });
    expect(rewire.complete).to.equal(true);
    const verify = await runJson("cutover:verify", { skipSmoke: true });
    expect(verify.failed).to.be.greaterThan(0);
    expect(verify.htmlFile.endsWith(path.join("verify", "report.html"))).to.equal(true);

    await openInChromium(verify.htmlFile, async (page) => {
      const shot = path.join(await mkdtemp(path.join(tmpdir(), "cutover-shot-")), "verify.png");
      const image = decodePng(await page.screenshot({ path: shot, fullPage: true }));
      expect(image.width).to.equal(1200);
      expect(await page.locator("[data-verdict]").textContent()).to.equal("FAIL");
      // Failures come first: above the fleet grid, and naming the stale OrderBook with its fix.
      const failures = await page.locator("#failures").boundingBox();
      const fleet = await page.locator("#fleet").boundingBox();
      expect(failures!.y).to.be.lessThan(fleet!.y);
      expect(await page.locator('.failure[data-check="orderbooks.vault"]').textContent()).to.include(
        `orderbook:rewire --orderbooks ${stale.orderBook}`,
      );
      // The grid: one tile per market, the stale one first and red, the rewired ones green.
      const tiles = page.locator("#fleet .tile");
      expect(await tiles.count()).to.equal(MARKETS);
      expect(await tiles.first().textContent()).to.include(stale.symbol);
      expect(isRed(await colourOf(page, "#fleet .tile.bad")), "stale tile is red").to.equal(true);
      expect(isGreen(await colourOf(page, "#fleet .tile.ok")), "rewired tile is green").to.equal(true);
      expect(await page.locator("#fleet .tile.ok").count()).to.equal(MARKETS - 1);
      // The wiring: OrderBooks on the new vault and one on the old, drawn and visible.
      expect(await page.locator('#wiring [data-node="books-new"]').textContent()).to.include(
        `${MARKETS - 1} OrderBooks`,
      );
      expect(await page.locator('#wiring [data-node="books-old"]').getAttribute("data-tone")).to.equal("bad");
      expect(await page.locator("#wiring").isVisible()).to.equal(true);
    });
  });

  it("rehearsal: the verdict and every step as a tile, written next to the markdown and JSON", async () => {
    await freshSystem({ markets: 3, seed: "html-rehearsal" });
    const rehearsed = await runJson("corevault:redeploy", { rehearse: true, rewire: true });
    expect(rehearsed.passed).to.equal(true);
    const html = path.join(hre.config.paths.root, rehearsed.files.html);
    expect(path.isAbsolute(rehearsed.files.html), "paths relative to the project").to.equal(false);
    expect(path.dirname(html)).to.equal(path.dirname(path.join(hre.config.paths.root, rehearsed.files.md)));
    await openInChromium(html, async (page) => {
      expect(await page.locator("[data-verdict]").textContent()).to.equal("PASSED");
      const steps = rehearsed.phases.reduce((n: number, p: { results: unknown[] }) => n + p.results.length, 0);
      expect(await page.locator("#fleet .tile").count()).to.equal(steps);
      expect(await page.locator("#fleet .tile.bad").count()).to.equal(0);
      expect(isGreen(await colourOf(page, "#fleet .tile.ok"))).to.equal(true);
      await writeFile(path.join(tmpdir(), "cutover-rehearsal.png"), await page.screenshot({ fullPage: true }));
    });
  });
});
