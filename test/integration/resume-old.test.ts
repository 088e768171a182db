// corevault:redeploy --resume-old: the inverse of --halt-old / --pause-old on the old vault, through the profile, as its
// own run: trading refused after the halt goes through again after the resume; a rerun sends nothing; verify agrees.
import path from "node:path";
import { expect } from "chai";
import { getAddress, id } from "ethers";
import hre from "hardhat";
import { RunStore } from "../../src/engine/run-store.js";
import { runKeys } from "../../src/engine/run-key.js";
import { dexetraFixture, standInProtocol, trade } from "../helpers/dexetra.js";
import { contractAt } from "../helpers/contracts.js";
import { conn, freshSystem, nonce, tempAppConfig } from "../helpers/system.js";
import { runJson, taskError, withExitCode } from "../helpers/tasks.js";
import { withProtocol } from "../helpers/protocol.js";

const tmp = await tempAppConfig("cutover-resume-old-");
const ORDERBOOK_ROLE = id("ORDERBOOK_ROLE");
const at = contractAt(conn.ethers.provider);

const ids = (outcome: { results: { id: string }[] }) => outcome.results.map((r) => r.id);

describe("corevault:redeploy --resume-old", () => {
  afterEach(() => {
    process.exitCode = 0;
  });

  it("dexetra-v5: trading halted by --halt-old goes through again after --resume-old; a rerun sends nothing; verify agrees", async () => {
    const f = await dexetraFixture(conn, { markets: 2, seed: "resume-old" });
    const protocol = standInProtocol(f.admin.address);
    const oldVault = getAddress(String(f.vault.target));
    const price = 100_000_000n;
    const size = 10n ** 18n;
    await (await trade(f, 0, price, size)).wait();

    const halt = await withProtocol(protocol, () => runJson("corevault:redeploy", { haltOld: true, pauseOld: true }));
    expect(halt.complete).to.equal(true);
    for (const { book } of f.books) expect(await f.vault.hasRole(ORDERBOOK_ROLE, book.target)).to.equal(false);
    const refused = await trade(f, 1, price, size).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(refused?.message).to.match(/AccessControlUnauthorizedAccount|reverted/);

    const resume = await withProtocol(protocol, () => runJson("corevault:redeploy", { resumeOld: true }));
    expect(resume.complete).to.equal(true);
    expect(ids(resume)).to.deep.equal(["resume-old-vault:1", "resume-old-vault:2", "unpause-old-vault"]);
    expect(resume.transactionsSent).to.equal(3);
    // raw reads: the role is back, the vault unpaused, and a trade through an OrderBook moves margin on the old vault
    for (const { book } of f.books) expect(await f.vault.hasRole(ORDERBOOK_ROLE, book.target)).to.equal(true);
    expect(await f.vault.paused()).to.equal(false);
    await (await trade(f, 1, price, size)).wait();
    const positions = (await f.vault.getUserPositions(f.alice.address)) as { marketId: string }[];
    expect(positions.map((p) => p.marketId)).to.include(f.books[1].marketId);

    // its own run: a plan and a journal with each transaction's hash and receipt
    const store = new RunStore(hre.config.paths.root, conn.networkName, runKeys.resumeOld(oldVault));
    expect(store.loadPlan()!.task).to.equal("corevault:redeploy --resume-old");
    expect([...store.confirmedReceipts().keys()]).to.have.members(ids(resume));

    const before = await nonce();
    const rerun = await withProtocol(protocol, () => runJson("corevault:redeploy", { resumeOld: true }));
    expect(rerun.complete).to.equal(true);
    expect(rerun.transactionsSent ?? 0).to.equal(0);
    expect(await nonce()).to.equal(before);

    // verify reads the resume run: the halt and the pause are undone on purpose, not drift
    const { printed } = await withProtocol(protocol, () =>
      withExitCode("cutover:verify", { json: true, skipSmoke: true, oldVault, reportDir: path.join(tmp, "dexetra") }),
    );
    const report = JSON.parse(printed) as { checks: { name: string; status: string }[] };
    const status = (name: string) => report.checks.find((c) => c.name === name)?.status;
    expect([status("old-vault.halted"), status("old-vault.paused")]).to.deep.equal(["n/a", "n/a"]);
  });

  it("reference: --resume-old after --pause-old unpauses the old vault; OrderBooks still holding the role get nothing", async () => {
    const system = await freshSystem({ seed: "resume-old-reference", markets: 2 });
    const oldVault = await at("CoreVault", system.contracts.CORE_VAULT);
    const paused = await withProtocol(undefined, () => runJson("corevault:redeploy", { pauseOld: true }));
    expect(paused.complete).to.equal(true);
    expect(await oldVault.paused()).to.equal(true);

    const resume = await withProtocol(undefined, () =>
      runJson("corevault:redeploy", { resumeOld: true, oldVault: system.contracts.CORE_VAULT }),
    );
    expect(resume.complete).to.equal(true);
    expect(ids(resume)).to.deep.equal(["unpause-old-vault"]);
    expect(resume.transactionsSent).to.equal(1);
    expect(await oldVault.paused()).to.equal(false);
  });

  it("refuses to be combined with the redeploy's own flags, before anything is sent", async () => {
    const before = await nonce();
    const error = await taskError("corevault:redeploy", { resumeOld: true, rewire: true, haltOld: true });
    expect(error.message).to.include("--resume-old").and.include("--halt-old, --rewire");
    expect(await nonce()).to.equal(before);
  });
});
