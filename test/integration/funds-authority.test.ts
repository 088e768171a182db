// corevault:migrate-funds through a Safe (2-of-3, v1.4.1) and a TimelockController that administer the new vault, in
// credit and claim mode, on both profiles (in-process chain): the authority's steps are proposed / scheduled, run once
// executed; a rerun sends and proposes nothing; nobody is credited twice (counted from the vault's events).
import { expect } from "chai";
import { Contract, ZeroHash, type Wallet } from "ethers";
import hre from "hardhat";
import type { Proposal, SafeProposal } from "../../src/engine/proposal.js";
import { resolveProfile } from "../../src/profile/resolve.js";
import { claim, claimFiles, fundsChecks, readJsonFile } from "../helpers/claims.js";
import { standInProtocol } from "../helpers/dexetra.js";
import { creditsByUser as creditsOnVault, fundsSystem, type ProfileName } from "../helpers/funds.js";
import { execute } from "../helpers/safe.js";
import { conn, nonce, tempAppConfig } from "../helpers/system.js";
import { runJson, taskError, withExitCode } from "../helpers/tasks.js";
import { deployTimelock, twoOfThreeSafe } from "../helpers/authorities.js";

await tempAppConfig("cutover-funds-authority-");
const [deployer, relayer] = await conn.ethers.getSigners();
const DELAY = 3600;

interface Authority {
  kind: "safe" | "timelock";
  address: string;
  /** Has the authority act on what a run left awaiting (the Safe's owners sign, or the timelock's delay passes). */
  act(proposals: Proposal[]): Promise<void>;
}

async function safeAuthority(label: string, saltNonce: bigint): Promise<Authority> {
  const { keys, safe, address } = await twoOfThreeSafe(conn, deployer, label, saltNonce);
  const executed = new Set<string>();
  return {
    kind: "safe",
    address,
    async act(proposals) {
      for (const p of proposals as SafeProposal[]) {
        if (executed.has(p.id)) continue;
        await (await execute(safe, p.safeTx, p.id, [keys[1], keys[0]], relayer)).wait();
        executed.add(p.id);
      }
    },
  };
}

async function timelockAuthority(): Promise<Authority> {
  const timelock = await deployTimelock(deployer, DELAY);
  return {
    kind: "timelock",
    address: await timelock.getAddress(),
    act: async () => void (await conn.networkHelpers.time.increase(DELAY + 1)),
  };
}

/** A small system, its snapshot, a new vault administered by `authority` alone. */
async function systemFor(profile: ProfileName, authority: Authority, seed: string) {
  const f = await fundsSystem(profile, { traders: 4, depositors: 6, seed });
  const snap = await runJson("corevault:snapshot", { include: profile === "dexetra-v5" ? deployer.address : "" });
  const redeploy = await runJson("corevault:redeploy", {});
  const newVault = redeploy.deployed.CoreVault as string;
  const vault = f.vaultContract.attach(newVault) as Contract;
  await (await vault.grantRole(ZeroHash, authority.address)).wait();
  await (await vault.renounceRole(ZeroHash, deployer.address)).wait();
  return { f, file: snap.files.json as string, snapshot: await readJsonFile(snap.files.json), vault, newVault };
}

/** Runs the task until it completes, the authority acting on what each run leaves awaiting; the last output. */
async function runThrough(authority: Authority, args: Record<string, unknown>) {
  const full = { ...args, executor: authority.kind, [authority.kind]: authority.address, json: true };
  for (let round = 0; round < 5; round++) {
    const { printed, exitCode } = await withExitCode("corevault:migrate-funds", full);
    const out = JSON.parse(printed);
    if (exitCode === 0 && out.complete) return { out, full, rounds: round + 1 };
    expect(exitCode, JSON.stringify(out.results)).to.equal(2);
    expect(out.awaiting).to.equal(true);
    await authority.act(out.proposals);
  }
  throw new Error("the run did not complete in 5 rounds");
}

/** Credits per user on `vault` (raw logs), and the account each credit's transaction was sent to. */
const creditsByUser = (profile: ProfileName, vault: string, sentTo = new Set<string>()) =>
  creditsOnVault(conn, profile, vault, 0, sentTo);

/** The rerun of a completed run: nothing sent by anyone, nothing new proposed or scheduled. */
async function expectRerunIdle(full: Record<string, unknown>) {
  const before = await nonce();
  const { printed, exitCode } = await withExitCode("corevault:migrate-funds", full);
  const out = JSON.parse(printed);
  expect(exitCode).to.equal(0);
  expect(out).to.include({ complete: true, awaiting: false, transactionsSent: 0 });
  expect(out.proposals).to.deep.equal([]);
  expect(await nonce()).to.equal(before);
}

for (const profile of ["reference", "dexetra-v5"] as ProfileName[])
  describe(`corevault:migrate-funds through a Safe or a timelock (${profile} profile, in-process chain)`, function () {
    this.timeout(600_000);
    const previous = hre.config.cutover.protocol;
    before(() => {
      hre.config.cutover.protocol = resolveProfile(
        profile === "reference" ? { profile } : standInProtocol(deployer.address),
      );
    });
    after(() => {
      hre.config.cutover.protocol = previous;
      process.exitCode = 0;
    });

    for (const kind of ["safe", "timelock"] as const) {
      it(`--executor ${kind}, --mode credit: the ${kind} grants itself the creditor role, credits, renounces; each user credited once`, async () => {
        const authority = kind === "safe" ? await safeAuthority(`credit-${profile}`, 11n) : await timelockAuthority();
        const { f, file, snapshot, vault, newVault } = await systemFor(profile, authority, `authority-credit-${kind}`);
        const { out, full, rounds } = await runThrough(authority, { snapshot: file });
        expect(rounds).to.be.greaterThan(1);
        expect(out.credits).to.deep.include({ doubled: [], missing: [], total: snapshot.totals.migrate });
        const sentTo = new Set<string>();
        const credits = await creditsByUser(profile, newVault, sentTo);
        expect([...sentTo], `every credit executed by the ${kind}`).to.deep.equal([authority.address]);
        const migrating = snapshot.users.filter((u: any) => u.migrate !== "0");
        // the depositors but the last (the snapshot's default block, latest − 1, is before its deposit)
        expect(migrating.length).to.equal(snapshot.totals.migratedUsers).and.to.be.at.least(5);
        for (const user of migrating)
          expect(credits.get(user.address), user.address).to.deep.equal([BigInt(user.migrate)]);
        const role = await vault.EXTERNAL_CREDITOR_ROLE();
        expect(await vault.hasRole(role, authority.address), "renounced after crediting").to.equal(false);
        await expectRerunIdle(full);
        expect((await creditsByUser(profile, newVault)).size).to.equal(migrating.length);
        // a later snapshot of the same users in claim mode: refused, they are credited by this run
        const later = await runJson("corevault:snapshot", {
          include: profile === "dexetra-v5" ? deployer.address : "",
          vault: f.vault,
        });
        const refused = await taskError("corevault:migrate-funds", {
          snapshot: later.files.json,
          mode: "claim",
          json: true,
        });
        expect(refused.message).to.match(/is already paid by run funds-migrate-.*-credit-/);
        const checks = await fundsChecks(file);
        expect(checks["funds-credited-once"].status, JSON.stringify(checks["funds-credited-once"])).to.equal("pass");
      });

      it(`--executor ${kind}, --mode claim --payout credit: the ${kind} grants the claim contract the creditor role and funds it from its own tokens`, async () => {
        const authority = kind === "safe" ? await safeAuthority(`claim-${profile}`, 12n) : await timelockAuthority();
        const { f, file, snapshot, vault, newVault } = await systemFor(profile, authority, `authority-claim-${kind}`);
        const total = BigInt(snapshot.totals.migrate);
        await (await f.usdc.mint(authority.address, total)).wait();
        const { out, full, rounds } = await runThrough(authority, { snapshot: file, mode: "claim", payout: "credit" });
        expect(rounds, "the grant and the funding wait for the authority").to.equal(2);
        const contract = out.deployed.MigrationClaims as string;
        expect(out.claims.funded).to.equal(true);
        expect(await f.usdc.balanceOf(authority.address)).to.equal(0n);
        expect(await vault.hasRole(await vault.EXTERNAL_CREDITOR_ROLE(), contract)).to.equal(true);
        await expectRerunIdle(full);

        const files = await claimFiles(out.claims.claimFiles);
        const alice = f.depositors[0] as Wallet;
        const aliceFile = files.get(alice.address.toLowerCase())!;
        await (await claim(aliceFile, alice)).wait();
        await claim(aliceFile, relayer).then(
          () => expect.fail("claimed twice"),
          (e: Error) => expect(e.message).to.include("AlreadyClaimed"),
        );
        expect((await creditsByUser(profile, newVault)).get(alice.address)).to.deep.equal([BigInt(aliceFile.amount)]);
        const checks = await fundsChecks(file);
        for (const name of ["funds-claim-root", "funds-claim-total", "funds-claim-funded", "funds-claimed-once"])
          expect(checks[name].status, `${name}: ${JSON.stringify(checks[name])}`).to.equal("pass");
      });
    }
  });
