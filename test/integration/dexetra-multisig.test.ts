// The multisig suites (multisig.test.ts) on the production shape: the Dexetra v5 stand-in through the dexetra-v5
// profile, with a 2-of-3 Safe v1.4.1 or a TimelockController holding everything the deployer held (the vault's and the
// hub's DEFAULT_ADMIN_ROLE, the factory's single admin, every OrderBook diamond). The signer deploys and wires the new
// vault; the halt of the old vault, the hub's repoint, the storage rewires (and the later factory's updateVault) are
// proposed or scheduled; the same command completes once the authority executed them. Checked with raw reads.
// (cutover:transfer-ownership to a Safe and to a timelock on dexetra-v5: ownership-dexetra.test.ts.)
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import { AbiCoder, Contract, getAddress, id, ZeroHash } from "ethers";
import type { SafeProposal, TimelockProposal } from "../../src/engine/proposal.js";
import type { ProtocolUserConfig } from "../../src/profile/schema.js";
import { dexetraFixture, ORDERBOOK_SLOT, standInProtocol, type DexetraFixture } from "../helpers/dexetra.js";
import { execute } from "../helpers/safe.js";
import { conn, nonce, tempAppConfig } from "../helpers/system.js";
import { deployTimelock, twoOfThreeSafe } from "../helpers/authorities.js";
import { runWithProtocol, withUpdatableFactory } from "../helpers/protocol.js";

const tmp = await tempAppConfig("cutover-dexetra-multisig-");
const ORDERBOOK_ROLE = id("ORDERBOOK_ROLE");

interface RunJson {
  complete: boolean;
  awaiting: boolean;
  transactionsSent: number;
  deployed: Record<string, string>;
  results: { id: string; status: string; reason?: string }[];
  proposals: (SafeProposal | TimelockProposal)[];
}

const run = (protocol: ProtocolUserConfig, task: string, args: Record<string, unknown>) =>
  runWithProtocol<RunJson>(protocol, task, args);

/** Hands everything the deployer holds to `authority`: vault and hub admin (grant, then renounce), factory, diamonds. */
async function handTo(f: DexetraFixture, authority: string): Promise<void> {
  for (const contract of [f.vault, f.hub]) {
    await (await contract.grantRole(ZeroHash, authority)).wait();
    await (await contract.renounceRole(ZeroHash, f.admin.address)).wait();
  }
  await (await f.factory.updateAdmin(authority)).wait();
  for (const { book } of f.books) await (await book.transferOwnership(authority)).wait();
}

/** The vault word in an OrderBook's diamond storage, read raw. */
async function storedVault(orderBook: string): Promise<string> {
  const word = await conn.ethers.provider.getStorage(orderBook, ORDERBOOK_SLOT);
  return getAddress(AbiCoder.defaultAbiCoder().decode(["address"], word)[0]);
}

/** Raw reads: every OrderBook on the new vault and halted on the old, the hub repointed, the authority the admin. */
async function expectCutOver(f: DexetraFixture, newVault: string, authority: string) {
  const vault = new Contract(
    newVault,
    ["function hasRole(bytes32, address) view returns (bool)"],
    conn.ethers.provider,
  );
  for (const { orderBook } of f.books) {
    expect(await storedVault(orderBook), orderBook).to.equal(newVault);
    expect(await f.vault.hasRole(ORDERBOOK_ROLE, orderBook), `${orderBook} halted on the old vault`).to.equal(false);
    expect(await vault.hasRole(ORDERBOOK_ROLE, orderBook)).to.equal(true);
  }
  expect(getAddress(await f.hub.coreVault())).to.equal(newVault);
  expect(await vault.hasRole(ZeroHash, authority), "the authority administers the new vault").to.equal(true);
  expect(await vault.hasRole(ZeroHash, f.admin.address), "the deployer keeps no admin").to.equal(false);
}

async function verifyPasses(protocol: ProtocolUserConfig, reportDir: string) {
  const { out, exitCode } = await run(protocol, "cutover:verify", { skipSmoke: true, reportDir });
  const checks = (out as unknown as { checks: { name: string; status: string }[] }).checks;
  expect(checks.filter((c) => c.status === "fail")).to.deep.equal([]);
  expect(exitCode).to.equal(0);
}

describe("dexetra-v5: running with a multisig", () => {
  afterEach(() => {
    process.exitCode = 0;
  });

  it("--executor safe: redeploy --rewire --halt-old proposes the halt, the hub's repoint and the storage rewires to the 2-of-3 Safe; completes once it executed them; verify passes", async () => {
    const f = await dexetraFixture(conn, { markets: 3, seed: "dexetra-multisig-safe" });
    const protocol = standInProtocol(f.admin.address);
    const { keys, safe, address: safeAddress } = await twoOfThreeSafe(conn, f.admin, "dexetra-multisig-safe", 51n);
    await handTo(f, safeAddress);
    const args = { rewire: true, haltOld: true, executor: "safe", safe: safeAddress };

    const before = await nonce();
    const first = await run(protocol, "corevault:redeploy", args);
    expect(first.exitCode, JSON.stringify(first.out.results)).to.equal(2);
    expect(first.out).to.include({ complete: false, awaiting: true });
    expect((await nonce()) - before).to.equal(first.out.transactionsSent);
    const status = Object.fromEntries(first.out.results.map((r) => [r.id, r.status]));
    const safeSteps = [
      ...f.books.map((_, i) => `halt-old-vault:${i + 1}`),
      "repoint:hub",
      ...f.books.map((b) => `rewire:${b.orderBook.toLowerCase()}`),
    ];
    for (const stepId of safeSteps) expect(status[stepId], stepId).to.equal("awaiting");
    // the signer's own: the new vault, its configuration and roles, the replacement factory (immutable vault), the
    // init (already done when an earlier test put it at its CREATE2 address on this chain)
    for (const stepId of ["deploy:CoreVault", "deploy:FuturesMarketFactory", "handoff:admin"])
      expect(status[stepId], stepId).to.equal("done");
    expect(["done", "already done"]).to.include(status["deploy:VaultSlotInit"]);
    const proposals = first.out.proposals as SafeProposal[];
    expect(proposals.flatMap((p) => p.stepIds).sort()).to.deep.equal([...safeSteps].sort());
    expect(proposals.map((p) => p.nonce)).to.deep.equal(proposals.map((_, i) => String(i)));

    // running again before the owners act sends nothing and proposes nothing new
    const again = await nonce();
    const waiting = await run(protocol, "corevault:redeploy", args);
    expect(waiting.exitCode).to.equal(2);
    expect(waiting.out.transactionsSent).to.equal(0);
    expect(await nonce()).to.equal(again);
    expect(waiting.out.proposals.map((p) => p.id)).to.deep.equal(proposals.map((p) => p.id));

    for (const proposal of proposals)
      await (await execute(safe, proposal.safeTx, proposal.id, [keys[2], keys[0]], f.alice)).wait();
    const last = await run(protocol, "corevault:redeploy", args);
    expect(last.exitCode, JSON.stringify(last.out.results)).to.equal(0);
    expect(last.out).to.include({ complete: true, awaiting: false, transactionsSent: 0 });
    expect(last.out.proposals).to.deep.equal([]);
    await expectCutOver(f, getAddress(first.out.deployed.CoreVault), safeAddress);
    await verifyPasses(protocol, path.join(tmp, "safe"));
  });

  it("corevault:regrant-roles --executor safe: the Safe that administers the vault makes the role changes, one call each, grants before revokes", async () => {
    const f = await dexetraFixture(conn, { markets: 2, seed: "dexetra-multisig-regrant" });
    const protocol = standInProtocol(f.admin.address);
    const { keys, safe, address: safeAddress } = await twoOfThreeSafe(conn, f.admin, "dexetra-multisig-regrant", 52n);
    await handTo(f, safeAddress);
    const factory = String(f.factory.target);
    const desired = path.join(tmp, "desired-regrant.json");
    await writeFile(desired, JSON.stringify({ SETTLEMENT_ROLE: [factory, f.stranger.address] }));
    const args = { desired, revokeExtra: true, executor: "safe", safe: safeAddress };

    const before = await nonce();
    for (const kind of ["grant:", "revoke:"]) {
      const { out, exitCode } = await run(protocol, "corevault:regrant-roles", args);
      expect(exitCode, `${kind} ${JSON.stringify(out.results)}`).to.equal(2);
      expect(out).to.include({ complete: false, awaiting: true, transactionsSent: 0 });
      expect(out.proposals).to.have.length(1);
      const proposal = out.proposals[0] as SafeProposal;
      expect(proposal.stepIds.length).to.be.greaterThan(0);
      expect(
        proposal.stepIds.every((s) => s.startsWith(kind)),
        proposal.stepIds.join(),
      ).to.equal(true);
      await (await execute(safe, proposal.safeTx, proposal.id, [keys[0], keys[1]], f.alice)).wait();
    }
    const last = await run(protocol, "corevault:regrant-roles", args);
    expect(last.exitCode, JSON.stringify(last.out.results)).to.equal(0);
    expect(last.out).to.include({ complete: true, transactionsSent: 0 });
    expect(await nonce(), "the deployer sent nothing").to.equal(before);
    const settlement = id("SETTLEMENT_ROLE");
    expect(await f.vault.hasRole(settlement, f.stranger.address)).to.equal(true);
    expect(await f.vault.hasRole(settlement, factory)).to.equal(true);
    expect(await f.vault.hasRole(settlement, f.settler.address)).to.equal(false);
  });

  it("--executor timelock with the later factory (updateVault): schedules chained batches, refuses before the delay, executes them on a later run; a rerun sends nothing", async () => {
    const f = await dexetraFixture(conn, { markets: 2, seed: "dexetra-multisig-timelock", factory: "updatable" });
    const protocol = withUpdatableFactory(standInProtocol(f.admin.address));
    const delay = 48 * 3600;
    const timelock = await deployTimelock(f.admin, delay);
    const timelockAddress = getAddress(await timelock.getAddress());
    await handTo(f, timelockAddress);
    const args = { rewire: true, haltOld: true, executor: "timelock", timelock: timelockAddress };

    const first = await run(protocol, "corevault:redeploy", args);
    expect(first.exitCode, JSON.stringify(first.out.results)).to.equal(2);
    const batches = first.out.proposals as TimelockProposal[];
    const scheduled = batches.flatMap((b) => b.stepIds).sort();
    expect(scheduled).to.deep.equal(
      [
        ...f.books.map((_, i) => `halt-old-vault:${i + 1}`),
        "align:factory",
        "repoint:hub",
        ...f.books.map((b) => `rewire:${b.orderBook.toLowerCase()}`),
      ].sort(),
    );
    expect(batches[0].predecessor).to.equal(ZeroHash);
    for (let i = 1; i < batches.length; i++) expect(batches[i].predecessor).to.equal(batches[i - 1].id);
    for (const batch of batches) expect(await timelock.isOperationPending(batch.id)).to.equal(true);

    // before the delay: a run says when, and sends nothing
    await conn.networkHelpers.time.increase(3600);
    const before = await nonce();
    const waiting = await run(protocol, "corevault:redeploy", args);
    expect(await nonce()).to.equal(before);
    expect(waiting.out.awaiting).to.equal(true);
    expect(waiting.out.results.find((r) => r.id === "repoint:hub")!.reason).to.match(/executable at .*, in 4[67] h/);

    await conn.networkHelpers.time.increase(delay);
    const last = await run(protocol, "corevault:redeploy", args);
    expect(last.exitCode, JSON.stringify(last.out.results)).to.equal(0);
    expect(last.out.complete).to.equal(true);
    expect(last.out.transactionsSent, "one executeBatch per batch").to.equal(batches.length);
    for (const batch of batches) expect(await timelock.isOperationDone(batch.id)).to.equal(true);
    const newVault = getAddress(first.out.deployed.CoreVault);
    expect(first.out.deployed.FuturesMarketFactory, "the factory is repointed, not replaced").to.equal(undefined);
    expect(getAddress(await f.factory.vault())).to.equal(newVault);
    await expectCutOver(f, newVault, timelockAddress);

    const again = await nonce();
    const rerun = await run(protocol, "corevault:redeploy", args);
    expect(rerun.exitCode).to.equal(0);
    expect(rerun.out).to.include({ complete: true, transactionsSent: 0 });
    expect(rerun.out.proposals).to.deep.equal([]);
    expect(await nonce()).to.equal(again);
    await verifyPasses(protocol, path.join(tmp, "timelock"));
  });
});
