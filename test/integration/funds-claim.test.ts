// corevault:migrate-funds --mode claim through the tasks on both profiles (in-process chain), on the shared system of
// 200 users with open positions plus depositors (test/helpers/funds-shared.ts): the claim contract holds the
// snapshot's root; an unfunded run says who must send what, verify says unfunded until then; users claim once (token
// payout, and credit payout on the new vault); reruns send nothing; a second migration of the same snapshot is
// refused; verify fails on a planted wrong root.
import { expect } from "chai";
import {
  Contract,
  ContractFactory,
  formatUnits,
  id,
  parseUnits,
  ZeroAddress,
  type InterfaceAbi,
  type Wallet,
} from "ethers";
import hre from "hardhat";
import { loadArtifact } from "../../src/artifacts.js";
import { mockWallet } from "../../src/mocks/deploy-system.js";
import { claim, claimFiles, claimsAt, fundsChecks, readJsonFile } from "../helpers/claims.js";
import { deposit, type FundsSystem, type ProfileName } from "../helpers/funds.js";
import { sharedFundsSystem } from "../helpers/funds-shared.js";
import { conn, nonce, tempAppConfig } from "../helpers/system.js";
import { runJson, taskError } from "../helpers/tasks.js";

await tempAppConfig("cutover-funds-claim-");
const signers = await conn.ethers.getSigners();
const [admin, relayer] = signers;
const unfundedSigner = signers[7];

/** A snapshot of `f`'s vault and a redeployed new vault. */
async function snapshotAndRedeploy(f: FundsSystem) {
  const include = f.profile === "dexetra-v5" ? admin.address : "";
  const snap = await runJson("corevault:snapshot", { include });
  const snapshot = await readJsonFile(snap.files.json);
  const redeploy = await runJson("corevault:redeploy", {});
  expect(redeploy.complete).to.equal(true);
  return { file: snap.files.json as string, snapshot, newVault: redeploy.deployed.CoreVault as string };
}

const depositorFile = (files: Map<string, any>, wallet: Wallet) => files.get(wallet.address.toLowerCase())!;

describe("corevault:migrate-funds --payout: bad input refused before anything is read or sent", () => {
  it("names the input, the value and the fix", async () => {
    const bogus = await taskError("corevault:migrate-funds", { mode: "claim", payout: "bogus", snapshot: "x.json" });
    expect(bogus.message).to.include("--payout").and.to.include("bogus").and.to.include("--payout token");
    const credit = await taskError("corevault:migrate-funds", { payout: "credit", snapshot: "x.json" });
    expect(credit.message).to.include("--payout").and.to.include("use it with --mode claim");
  });
});

for (const profile of ["reference", "dexetra-v5"] as ProfileName[]) {
  describe(`corevault:migrate-funds --mode claim (${profile} profile, in-process chain)`, function () {
    this.timeout(900_000);
    const previous = hre.config.cutover.protocol;
    after(() => {
      hre.config.cutover.protocol = previous;
      process.exitCode = 0;
    });

    it("token payout: unfunded until the treasury sends the total; users claim once, to their own address; verify", async () => {
      const f = await sharedFundsSystem(profile);
      // one more depositor, whose deposit is the chain's last transaction: the default snapshot block misses it, so a
      // later snapshot of the same users has another root
      await deposit(f, mockWallet(`claim-${profile}`, "late depositor", 0, conn), parseUnits("999", 6));
      const { file, snapshot } = await snapshotAndRedeploy(f);
      const total = BigInt(snapshot.totals.migrate);
      expect(snapshot.totals.leftUsers).to.be.greaterThan(100);
      expect(await f.usdc.balanceOf(unfundedSigner.address)).to.be.lessThan(total);
      const args = { snapshot: file, mode: "claim", signer: unfundedSigner.address };

      const planOnly = await runJson("corevault:migrate-funds", { ...args, planOnly: true });
      expect(planOnly.plan.steps.map((s: any) => s.id)).to.deep.equal(["deploy:MigrationClaims"]);
      const notes = planOnly.plan.notes.join("\n");
      expect(notes).to.include(`${formatUnits(total, 6)} USDC (${total} units)`);
      expect(notes).to.match(/NOT FUNDED by this plan .* the treasury must send/);
      expect(notes).to.include(`${snapshot.totals.leftUsers} users with open positions`);

      const run = await runJson("corevault:migrate-funds", args);
      expect(run.complete, JSON.stringify(run.results)).to.equal(true);
      expect(run.transactionsSent).to.equal(1);
      const contract = run.deployed.MigrationClaims as string;
      expect(run.claims).to.include({ contract, funded: false, balance: "0", needed: String(total) });
      const claims = await claimsAt(contract, admin);
      expect(await claims.merkleRoot()).to.equal(snapshot.merkle.root);
      expect(await claims.vault()).to.equal(ZeroAddress);

      // one claim file per migrated user, with what a claim needs
      const files = await claimFiles(run.claims.claimFiles);
      expect(files.size).to.equal(snapshot.totals.migratedUsers);
      const first = depositorFile(files, f.depositors[0]);
      const inSnapshot = snapshot.users.find((u: any) => u.address === f.depositors[0].address);
      expect(first).to.deep.include({ contract, amount: inSnapshot.migrate, proof: inSnapshot.proof, chainId: 31337 });

      let checks = await fundsChecks(file);
      expect(checks["funds-claim-root"].status, JSON.stringify(checks)).to.equal("pass");
      expect(checks["funds-claim-total"].status).to.equal("pass");
      expect(checks["funds-claim-funded"].status).to.equal("fail");
      expect(checks["funds-claim-funded"].failures[0].fix).to.equal(
        `send the claim contract ${total} of ${snapshot.collateralToken}`,
      );
      expect(checks).to.not.have.property("funds-credited-once");
      await claim(first, relayer).then(
        () => expect.fail("an unfunded claim contract paid"),
        (error: Error) => expect(error.message).to.match(/ERC20InsufficientBalance|reverted/),
      );

      // the treasury funds it; a rerun sends nothing
      await (await f.usdc.mint(admin.address, total)).wait();
      await (await f.usdc.transfer(contract, total)).wait();
      const [before, beforeAdmin] = [await nonce(unfundedSigner.address), await nonce()];
      const rerun = await runJson("corevault:migrate-funds", args);
      expect(rerun).to.include({ complete: true, transactionsSent: 0 });
      expect(rerun.claims.funded).to.equal(true);
      expect([await nonce(unfundedSigner.address), await nonce()]).to.deep.equal([before, beforeAdmin]);

      // a user claims; a relayer claims for another: the money goes to the leaf's address
      const [alice, bob] = f.depositors as Wallet[];
      const bobFile = depositorFile(files, bob);
      const [aliceBefore, bobBefore, relayerBefore] = await Promise.all(
        [alice.address, bob.address, relayer.address].map((a) => f.usdc.balanceOf(a)),
      );
      await (await claim(first, alice)).wait();
      await (await claim(bobFile, relayer)).wait();
      expect(await f.usdc.balanceOf(alice.address)).to.equal(aliceBefore + BigInt(first.amount));
      expect(await f.usdc.balanceOf(bob.address)).to.equal(bobBefore + BigInt(bobFile.amount));
      expect(await f.usdc.balanceOf(relayer.address)).to.equal(relayerBefore);
      // a second claim, and a claim of another amount, are refused on chain
      await expectRevert(claim(first, alice), "AlreadyClaimed");
      await expectRevert(claim(bobFile, relayer), "AlreadyClaimed");
      const carol = depositorFile(files, f.depositors[2] as Wallet);
      await expectRevert(claim({ ...carol, amount: String(BigInt(carol.amount) + 1n) }, relayer), "InvalidProof");

      checks = await fundsChecks(file);
      for (const name of ["funds-claim-root", "funds-claim-total", "funds-claim-funded", "funds-claimed-once"])
        expect(checks[name].status, `${name}: ${JSON.stringify(checks[name])}`).to.equal("pass");
      expect(checks["funds-claimed-once"].evidence).to.match(
        new RegExp(`^2 of ${snapshot.totals.migratedUsers} users`),
      );

      // a second migration of the same snapshot (another payout) is refused before sending
      const refused = await taskError("corevault:migrate-funds", { ...args, payout: "credit", json: true });
      expect(refused.message).to.match(/already migrates this snapshot: a second migration would pay its users twice/);
      const credit = await taskError("corevault:migrate-funds", {
        snapshot: file,
        signer: unfundedSigner.address,
        json: true,
      });
      expect(credit.message).to.match(/already migrates this snapshot/);
      // a later snapshot (another root) of the same users: refused, naming a user who can already claim
      const include = profile === "dexetra-v5" ? admin.address : "";
      const later = await runJson("corevault:snapshot", { include, vault: f.vault });
      expect(later.merkleRoot).to.not.equal(snapshot.merkle.root);
      const overlap = await taskError("corevault:migrate-funds", { ...args, snapshot: later.files.json, json: true });
      expect(overlap.message).to.match(/0x[0-9a-fA-F]{40} is already paid by run funds-migrate-.*-claim-token-/);
      expect(await nonce(unfundedSigner.address)).to.equal(before);
      expect(await nonce(unfundedSigner.address)).to.equal(before);

      // a planted wrong root (another claim contract's code at this address): verify fails on its own check
      const artifact = await loadArtifact(hre, "MigrationClaims");
      const wrong = await new ContractFactory(artifact.abi as InterfaceAbi, artifact.bytecode, admin).deploy(
        snapshot.collateralToken,
        id("not the snapshot's root"),
        total,
        ZeroAddress,
        "0x00000000",
      );
      const code = await conn.ethers.provider.getCode(await wrong.getAddress());
      await conn.provider.request({ method: "hardhat_setCode", params: [contract, code] });
      checks = await fundsChecks(file);
      expect(checks["funds-claim-root"].status).to.equal("fail");
      expect(checks["funds-claim-root"].failures.map((x: any) => x.subject)).to.deep.equal([`${contract} merkleRoot`]);
      expect(checks["funds-claim-total"].status).to.equal("pass");
    });

    it("credit payout: the sender holds the tokens and funds it; a claim credits the user on the new vault, backed by tokens", async () => {
      const f = await sharedFundsSystem(profile);
      const { file, snapshot, newVault } = await snapshotAndRedeploy(f);
      const total = BigInt(snapshot.totals.migrate);
      await (await f.usdc.mint(admin.address, total)).wait();
      const args = { snapshot: file, mode: "claim", payout: "credit" };

      const planOnly = await runJson("corevault:migrate-funds", { ...args, planOnly: true });
      expect(planOnly.plan.steps.map((s: any) => s.id)).to.deep.equal([
        "deploy:MigrationClaims",
        "grant-claims-creditor",
        "fund-claims",
      ]);
      expect(planOnly.plan.notes.join("\n")).to.include(`funding: ${admin.address} sends the claim contract`);

      const adminTokens = await f.usdc.balanceOf(admin.address);
      const run = await runJson("corevault:migrate-funds", args);
      expect(run.complete, JSON.stringify(run.results)).to.equal(true);
      expect(run.transactionsSent).to.equal(3);
      const contract = run.deployed.MigrationClaims as string;
      expect(run.claims.funded).to.equal(true);
      expect(await f.usdc.balanceOf(admin.address)).to.equal(adminTokens - total);
      const vault = f.vaultContract.attach(newVault) as Contract;
      expect(await vault.hasRole(await vault.EXTERNAL_CREDITOR_ROLE(), contract)).to.equal(true);
      const before = await nonce();
      expect(await runJson("corevault:migrate-funds", args)).to.include({ complete: true, transactionsSent: 0 });
      expect(await nonce()).to.equal(before);

      const files = await claimFiles(run.claims.claimFiles);
      const [alice, bob] = f.depositors as Wallet[];
      const free = profile === "reference" ? "availableCollateral" : "getAvailableCollateral";
      const vaultTokens = await f.usdc.balanceOf(newVault);
      for (const user of [alice, bob]) {
        const file = depositorFile(files, user);
        expect(await vault.getFunction(free)(user.address)).to.equal(0n);
        await (await claim(file, relayer)).wait();
        expect(await vault.getFunction(free)(user.address)).to.equal(BigInt(file.amount));
        await expectRevert(claim(file, user), "AlreadyClaimed");
      }
      const paid = BigInt(depositorFile(files, alice).amount) + BigInt(depositorFile(files, bob).amount);
      expect(await f.usdc.balanceOf(newVault)).to.equal(vaultTokens + paid);

      const checks = await fundsChecks(file);
      for (const name of ["funds-claim-root", "funds-claim-total", "funds-claim-funded", "funds-claimed-once"])
        expect(checks[name].status, `${name}: ${JSON.stringify(checks[name])}`).to.equal("pass");
      expect(checks["funds-solvency"].status, JSON.stringify(checks["funds-solvency"])).to.equal("pass");
    });
  });
}

async function expectRevert(sent: Promise<unknown>, error: string) {
  await sent.then(
    () => expect.fail(`expected ${error}`),
    (e: Error) => expect(e.message).to.include(error),
  );
}
