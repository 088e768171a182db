// `cutover:demo` runs the production shape (default profile dexetra-v5): the stand-in's vault replaced with
// --rewire --halt-old --pause-old, the users' money snapshotted and credited on the new vault; checked with raw reads.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import { Contract, getAddress, id, Wallet } from "ethers";
import hre from "hardhat";
import { CREDIT_REASON } from "../../src/mocks/demo-dexetra.js";
import { readDexetraRecord } from "../../src/records/dexetra-records.js";
import { abiOf } from "../helpers/dexetra.js";
import { conn, tempAppConfig } from "../helpers/system.js";
import { withExitCode } from "../helpers/tasks.js";

describe("cutover:demo (dexetra-v5, the default)", () => {
  afterEach(() => {
    process.exitCode = 0;
  });

  it("replaces the stand-in's vault with --rewire --halt-old --pause-old, credits the users' money on the new vault, and says why", async () => {
    await tempAppConfig("cutover-demo-dexetra-");
    const protocol = hre.config.cutover.protocol;
    const { printed: text, exitCode } = await withExitCode("cutover:demo", { markets: 3 });
    expect(hre.config.cutover.protocol, "the profile is restored").to.equal(protocol);
    expect(exitCode).to.equal(0);
    for (const heading of [
      "== 1. the legacy system (profile dexetra-v5)",
      "== 2. corevault:redeploy --rewire --halt-old --pause-old",
      "== 3. users' money: corevault:snapshot of the old vault, corevault:migrate-funds --mode credit",
      "== 3b. markets with open positions settled at the mark price, then a new snapshot",
      "== 4. the system after the redeploy and the migration",
    ])
      expect(text).to.include(heading);
    expect(text).to.include(CREDIT_REASON);
    expect(text).to.include("credited twice: 0; not credited: 0");
    expect(text).to.match(/Proof: 0x[0-9a-fA-F]{40} buying .* is accepted/);

    // raw reads: the old vault halted and paused, each migrated user's snapshot amount usable on the new vault
    const root = hre.config.paths.root;
    const record = await readDexetraRecord(root, conn.networkName);
    const dir = path.join(root, "deployments", conn.networkName, "snapshots");
    type SnapshotFile = { vault: string; users: { address: string; migrate: string }[] };
    // the demo's own snapshots, as it printed them (other tests write snapshots there too)
    const files = [...text.matchAll(/wrote \S*snapshots\/(funds-\d+\.json)/g)].map((m) => m[1]);
    expect(files, "a snapshot before and one after the settlement").to.have.length(2);
    const [before, snapshot] = await Promise.all(
      files.map(async (f) => JSON.parse(await readFile(path.join(dir, f), "utf8")) as SnapshotFile),
    );
    // before the settlement, users with open positions would have stayed on the old vault; after it, nobody does
    expect(before.users.filter((u) => u.migrate === "0").length).to.be.greaterThan(0);
    const abi = await abiOf("DexetraCoreVault");
    const oldVault = new Contract(snapshot.vault, abi, conn.ethers.provider);
    const newVault = new Contract(record.contracts.CORE_VAULT, abi, conn.ethers.provider);
    expect(getAddress(snapshot.vault)).to.not.equal(getAddress(record.contracts.CORE_VAULT));
    expect(await oldVault.paused()).to.equal(true);
    const migrated = snapshot.users.filter((u) => u.migrate !== "0");
    expect(migrated.length).to.equal(snapshot.users.length);
    expect(migrated.length).to.be.greaterThan(3);
    for (const user of migrated)
      expect(await newVault.getAvailableCollateral(user.address), user.address).to.equal(BigInt(user.migrate));
    // the credit is backed: the new vault holds the collateral tokens it credited
    const credited = migrated.reduce((sum, u) => sum + BigInt(u.migrate), 0n);
    const usdc = new Contract(
      record.contracts.MOCK_USDC,
      ["function balanceOf(address) view returns (uint256)"],
      conn.ethers.provider,
    );
    expect(await usdc.balanceOf(record.contracts.CORE_VAULT)).to.equal(credited);
    const orderBookRole = id("ORDERBOOK_ROLE");
    const books = (text.match(/^[A-Z]+-USD +0x[0-9a-fA-F]{40}/gm) ?? []).map((l) => l.split(/ +/)[1]);
    expect(new Set(books).size).to.equal(3);
    for (const book of new Set(books)) {
      expect(await oldVault.hasRole(orderBookRole, book), `${book} halted on the old vault`).to.equal(false);
      expect(await newVault.hasRole(orderBookRole, book)).to.equal(true);
    }

    // the demo's proof means something: the same order from a user who has nothing on the new vault is refused
    const book = new Contract(
      books[0],
      ["function placeLimitOrder(uint256 price, uint256 amount, bool isBuy) returns (uint256)"],
      conn.ethers.provider,
    );
    const refused = await book.placeLimitOrder
      .staticCall(10n ** 6n, 10n ** 18n, true, { from: Wallet.createRandom().address })
      .then(
        () => false,
        () => true,
      );
    expect(refused, "an order without money on the new vault").to.equal(true);
  });
});
