// corevault:migrate-funds --mode withdraw-only through the task on both profiles (in-process chain, 200 traders with
// open positions): nothing is moved; trading on the old vault is refused afterwards, a withdrawal goes through, and
// cutover:status --funds-snapshot shows the old vault draining, its numbers matching raw eth_call reads.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import { Contract, id, Interface, parseUnits, type Wallet } from "ethers";
import hre from "hardhat";
import { loadArtifact } from "../../src/artifacts.js";
import { orderBookAbi } from "../helpers/dexetra.js";
import type { FundsSystem, ProfileName } from "../helpers/funds.js";
import { sharedFundsSystem } from "../helpers/funds-shared.js";
import { conn, nonce, tempAppConfig } from "../helpers/system.js";
import { runJson, runTask, withExitCode } from "../helpers/tasks.js";

await tempAppConfig("cutover-funds-withdraw-");
const ORDERBOOK_ROLE = id("ORDERBOOK_ROLE");

/** A raw eth_call of `signature` on `to` (not through the plugin's reader). */
async function rawCall(to: string, signature: string, args: unknown[] = []): Promise<unknown> {
  const iface = new Interface([signature]);
  const fn = iface.getFunction(signature.split(" ")[1].split("(")[0])!;
  const data = await conn.ethers.provider.call({ to, data: iface.encodeFunctionData(fn, args) });
  return iface.decodeFunctionResult(fn, data)[0];
}

/** The OrderBooks on the old vault, read raw: the reference vault lists them; on dexetra-v5 the markets name them. */
async function orderBooksOf(f: FundsSystem, markets: string[]): Promise<string[]> {
  if (f.profile === "reference")
    return [...((await rawCall(f.vault, "function getRegisteredOrderBooks() view returns (address[])")) as string[])];
  const books = await Promise.all(
    markets.map((m) => rawCall(f.vault, "function marketToOrderBook(bytes32) view returns (address)", [m])),
  );
  return books as string[];
}

/** A depositor's order on an OrderBook of the old vault (it reserves or locks margin there). */
async function placeOrder(profile: ProfileName, book: string, wallet: Wallet): Promise<unknown> {
  const price = 100_000_000n;
  const size = 10n ** 17n;
  if (profile === "reference") {
    const abi = (await loadArtifact(hre, "OrderBookTradingFacet")).abi;
    return (await new Contract(book, abi, wallet).placeOrder(true, price, size)).wait();
  }
  return (await new Contract(book, await orderBookAbi(), wallet).placeLimitOrder(price, size, true)).wait();
}

for (const profile of ["reference", "dexetra-v5"] as ProfileName[]) {
  describe(`corevault:migrate-funds --mode withdraw-only (${profile} profile, in-process chain)`, function () {
    this.timeout(600_000);
    const previous = hre.config.cutover.protocol;
    after(() => {
      hre.config.cutover.protocol = previous;
      process.exitCode = 0;
    });

    it("halts trading and opens withdrawals on the old vault; a trade is refused, a withdrawal drains it; status matches raw reads", async () => {
      const [admin] = await conn.ethers.getSigners();
      const f = await sharedFundsSystem(profile);
      const redeploy = await runJson("corevault:redeploy", { pauseOld: true });
      expect(redeploy.complete).to.equal(true);
      expect(await f.vaultContract.paused()).to.equal(true);

      const include = profile === "dexetra-v5" ? admin.address : "";
      const snap = await runJson("corevault:snapshot", { include, vault: f.vault });
      const snapshot = JSON.parse(await readFile(path.join(hre.config.paths.root, snap.files.json), "utf8"));
      expect(snapshot.totals.users).to.be.greaterThan(200);
      const books = await orderBooksOf(f, Object.keys(snapshot.totals.perMarket));
      expect(books.length).to.be.greaterThan(0);
      for (const book of books) expect(await f.vaultContract.hasRole(ORDERBOOK_ROLE, book)).to.equal(true);

      const planOnly = await runJson("corevault:migrate-funds", {
        snapshot: snap.files.json,
        mode: "withdraw-only",
        planOnly: true,
      });
      const notes = planOnly.plan.notes.join("\n");
      expect(notes).to.include("nothing is moved").and.include("Users withdraw their own money");
      expect(notes).to.include(`${snapshot.totals.leftUsers} users with open positions`);
      const stepIds = planOnly.plan.steps.map((s: { id: string }) => s.id);
      expect(stepIds.at(-1)).to.equal("unpause-old-vault");
      expect(stepIds.filter((s: string) => s.startsWith("halt-old-vault"))).to.have.length.greaterThan(0);

      const run = await runJson("corevault:migrate-funds", { snapshot: snap.files.json, mode: "withdraw-only" });
      expect(run.complete, JSON.stringify({ ...run, plan: undefined }).slice(0, 3000)).to.equal(true);
      expect(run.checks.map((c: any) => [c.name, c.status])).to.deep.equal([
        ["funds-old-vault-halted", "pass"],
        ["funds-withdrawals-open", "pass"],
        ["funds-old-vault-solvent", "pass"],
      ]);
      // raw reads: no OrderBook trades on the old vault, and it is unpaused
      for (const book of books) expect(await f.vaultContract.hasRole(ORDERBOOK_ROLE, book)).to.equal(false);
      expect(await f.vaultContract.paused()).to.equal(false);

      const balanceOf = "function balanceOf(address) view returns (uint256)";
      const status = async () => (await runJson("cutover:status", { fundsSnapshot: snap.files.json })).draining;
      const before = await status();
      expect(before.tokenBalance).to.equal(String(await rawCall(String(f.usdc.target), balanceOf, [f.vault])));
      expect(before.owed).to.equal(snapshot.totals.total);
      expect(before.usersLeft).to.equal(snapshot.users.filter((u: any) => u.total !== "0").length);
      expect(before.paused).to.equal(false);

      // a trade on the old vault is refused (its OrderBook lacks ORDERBOOK_ROLE there); a withdrawal goes through
      const [trader, leaver] = f.depositors as Wallet[];
      const refused = await placeOrder(profile, books[0], trader).then(
        () => undefined,
        (error: Error) => error,
      );
      expect(refused?.message).to.match(/UnauthorizedOrderBook|AccessControlUnauthorizedAccount|reverted/);
      const amount = BigInt(snapshot.users.find((u: any) => u.address === leaver.address).free);
      expect(amount).to.equal(parseUnits("1001", 6));
      const withdraw = profile === "reference" ? "withdraw" : "withdrawCollateral";
      await (await (f.vaultContract.connect(leaver) as Contract).getFunction(withdraw)(amount)).wait();
      expect(await rawCall(String(f.usdc.target), balanceOf, [leaver.address])).to.equal(amount);

      const after = await status();
      expect(BigInt(after.tokenBalance)).to.equal(BigInt(before.tokenBalance) - amount);
      expect(after.tokenBalance).to.equal(String(await rawCall(String(f.usdc.target), balanceOf, [f.vault])));
      expect(BigInt(after.owed)).to.equal(BigInt(before.owed) - amount);
      expect(after.usersLeft).to.equal(before.usersLeft - 1);
      const text = await runTask("cutover:status", { fundsSnapshot: snap.files.json });
      expect(text).to.include(`users left with a balance:     ${after.usersLeft} of ${snapshot.totals.users}`);
      expect(text).to.include(`collateral-token balance left: ${after.tokenBalance}`);

      // a rerun sends nothing
      const sent = await nonce();
      const rerun = await runJson("corevault:migrate-funds", { snapshot: snap.files.json, mode: "withdraw-only" });
      expect(rerun.complete).to.equal(true);
      expect(await nonce()).to.equal(sent);

      // cutover:verify --funds-snapshot checks the money of the withdraw-only run: it passes, then fails on an OrderBook
      // given ORDERBOOK_ROLE back by hand, naming it
      const verify = async () => {
        const out = await withExitCode("cutover:verify", {
          skipSmoke: true,
          json: true,
          fundsSnapshot: snap.files.json,
        });
        return JSON.parse(out.printed).checks.filter((c: any) => c.name.startsWith("funds-"));
      };
      expect((await verify()).map((c: any) => [c.name, c.status])).to.deep.equal([
        ["funds-old-vault-halted", "pass"],
        ["funds-withdrawals-open", "pass"],
        ["funds-old-vault-solvent", "pass"],
      ]);
      const roleAdmin = await f.vaultContract.getRoleAdmin(ORDERBOOK_ROLE);
      if (!(await f.vaultContract.hasRole(roleAdmin, admin.address)))
        await (await f.vaultContract.grantRole(roleAdmin, admin.address)).wait();
      await (await f.vaultContract.grantRole(ORDERBOOK_ROLE, books[0])).wait();
      const halted = (await verify()).find((c: any) => c.name === "funds-old-vault-halted");
      expect(halted.status).to.equal("fail");
      expect(halted.failures.map((x: any) => x.subject)).to.deep.equal([books[0]]);
    });
  });
}
