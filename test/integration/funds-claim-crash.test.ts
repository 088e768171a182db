// corevault:migrate-funds --mode claim --payout credit killed with SIGKILL at several points (a real child process, a
// node mining on an interval), then run again: one claim contract, granted and funded once; the signer sent exactly
// the plan's three transactions; its claim files let a user claim.
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { Contract, parseUnits } from "ethers";
import hre from "hardhat";
import { loadArtifact } from "../../src/artifacts.js";
import { mockWallet } from "../../src/mocks/deploy-system.js";
import { claimsAt } from "../helpers/claims.js";
import { deposit } from "../helpers/funds.js";
import { finished, hardhat, journalEntries, journalPath, startNode, type LocalNode } from "../helpers/node.js";
import { freshSystem, nonce } from "../helpers/system.js";

const DEPOSITORS = 6;

describe("corevault:migrate-funds --mode claim survives SIGKILL: one claim contract, funded once", function () {
  let node: LocalNode;
  before(async () => {
    node = await startNode();
  });
  after(() => node?.stop());

  const scenario = async (name: string, fault: string) => {
    const { conn, url } = node;
    const base = { LOCAL_RPC_URL: url };
    await node.mining();
    const system = await freshSystem({ markets: 2, seed: `claim-crash-${name}` }, conn);
    const [admin] = await conn.ethers.getSigners();
    const usdc = new Contract(system.contracts.USDC, (await loadArtifact(hre, "MockUSDC")).abi, admin);
    const f = { profile: "reference" as const, vault: system.contracts.CORE_VAULT, usdc };
    const wallets = Array.from({ length: DEPOSITORS }, (_, i) => mockWallet(`claim-${name}`, "depositor", i, conn));
    for (const [i, w] of wallets.entries()) await deposit(f, w, parseUnits(String(100 + i), 6), conn);
    await conn.provider.request({ method: "evm_mine", params: [] });
    const snap = await finished(hardhat(["corevault:snapshot", "--network", "localhost", "--json"], base));
    expect(snap.code, snap.stderr).to.equal(0);
    const snapshotFile = JSON.parse(snap.stdout).files.json as string;
    const snapshot = JSON.parse(readFileSync(path.join(hre.config.paths.root, snapshotFile), "utf8"));
    expect(snapshot.totals.migratedUsers).to.equal(DEPOSITORS);
    const redeploy = await finished(hardhat(["corevault:redeploy", "--network", "localhost", "--json"], base));
    expect(redeploy.code, redeploy.stderr).to.equal(0);
    const newVault = JSON.parse(redeploy.stdout).deployed.CoreVault as string;
    const total = BigInt(snapshot.totals.migrate);
    await (await usdc.mint(admin.address, total)).wait();
    const runKey = `funds-migrate-${newVault.toLowerCase()}-claim-credit-${snapshot.merkle.root.slice(2, 18)}`;

    await node.mining(150);
    const [before, tokensBefore] = [await nonce(admin.address, conn), await usdc.balanceOf(admin.address)];
    const args = ["corevault:migrate-funds", "--network", "localhost", "--snapshot", snapshotFile];
    const claimArgs = [...args, "--mode", "claim", "--payout", "credit", "--json"];
    const killed = await finished(hardhat(claimArgs, { ...base, CUTOVER_FAULT: fault }));
    expect(killed.signal, killed.stderr).to.equal("SIGKILL");
    expect(journalEntries(journalPath("localhost", runKey)).length).to.be.greaterThan(0);

    await node.mining();
    const second = await finished(hardhat(claimArgs, base));
    expect(second.code, second.stderr + second.stdout).to.equal(0);
    const out = JSON.parse(second.stdout);
    expect(out.complete).to.equal(true);
    expect(out.claims.funded).to.equal(true);
    // deploy + grant + fund, each sent once; the tokens moved once
    expect((await nonce(admin.address, conn)) - before, name).to.equal(3);
    expect(await usdc.balanceOf(admin.address)).to.equal(tokensBefore - total);
    const contract = out.deployed.MigrationClaims as string;
    expect(await usdc.balanceOf(contract)).to.equal(total);

    // a third run sends nothing; a user claims with the claim file the run wrote
    const third = await finished(hardhat(claimArgs, base));
    expect(JSON.parse(third.stdout)).to.include({ complete: true, transactionsSent: 0 });
    const file = JSON.parse(
      readFileSync(path.join(hre.config.paths.root, out.claims.claimFiles, `${wallets[0].address}.json`), "utf8"),
    );
    await (await (await claimsAt(contract, wallets[0])).claim(file.address, file.amount, file.proof)).wait();
    expect(await (await claimsAt(contract, admin)).claimedTotal()).to.equal(parseUnits("100", 6));
  };

  for (const fault of ["kill-after-broadcast:1", "kill-after-journal:3", "kill-after-broadcast:3"])
    it(`${fault}, then re-run`, async () => {
      await scenario(fault.replace(/[^a-z0-9]/g, "-"), fault);
    });
});
