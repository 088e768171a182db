// corevault:migrate-funds --mode claim --payout credit killed with SIGKILL at several points (a real child process, a
// node mining on an interval), then run again: one claim contract, granted and funded once; the signer sent exactly
// the plan's three transactions; its claim files let a user claim.
import { expect } from "chai";
import { parseUnits } from "ethers";
import { claimsAt } from "../helpers/claims.js";
import { crashNode, killAndRerun, readRootJson, rerunSendsNothing } from "../helpers/crash.js";
import { fundsOnNode } from "../helpers/funds-crash.js";
import { journalPath, type LocalNode } from "../helpers/node.js";
import { nonce } from "../helpers/system.js";

const DEPOSITORS = 6;

describe("corevault:migrate-funds --mode claim survives SIGKILL: one claim contract, funded once", function () {
  let node: LocalNode;
  before(async () => {
    node = await crashNode();
  });

  const scenario = async (name: string, fault: string) => {
    const { conn } = node;
    const { f, admin, wallets, snapshot, newVault, migrateArgs } = await fundsOnNode(
      node,
      "reference",
      `claim-crash-${name}`,
      DEPOSITORS,
    );
    const total = BigInt(snapshot.totals.migrate);
    await (await f.usdc.mint(admin, total)).wait();
    const runKey = `funds-migrate-${newVault.toLowerCase()}-claim-credit-${snapshot.merkle.root.slice(2, 18)}`;

    const [before, tokensBefore] = [await nonce(admin, conn), await f.usdc.balanceOf(admin)];
    const claimArgs = migrateArgs("--mode", "claim", "--payout", "credit", "--json");
    const { out } = await killAndRerun(node, {
      args: claimArgs,
      journal: journalPath("localhost", runKey),
      fault,
      between: () => node.mining(),
    });
    expect(out.claims.funded).to.equal(true);
    // deploy + grant + fund, each sent once; the tokens moved once
    expect((await nonce(admin, conn)) - before, name).to.equal(3);
    expect(await f.usdc.balanceOf(admin)).to.equal(tokensBefore - total);
    const contract = out.deployed.MigrationClaims as string;
    expect(await f.usdc.balanceOf(contract)).to.equal(total);

    // a third run sends nothing; a user claims with the claim file the run wrote
    await rerunSendsNothing(node, claimArgs);
    const file = readRootJson(`${out.claims.claimFiles}/${wallets[0].address}.json`);
    await (await (await claimsAt(contract, wallets[0])).claim(file.address, file.amount, file.proof)).wait();
    const [signer] = await conn.ethers.getSigners();
    expect(await (await claimsAt(contract, signer)).claimedTotal()).to.equal(parseUnits("100", 6));
  };

  for (const fault of ["kill-after-broadcast:1", "kill-after-journal:3", "kill-after-broadcast:3"])
    it(`${fault}, then re-run`, async () => {
      await scenario(fault.replace(/[^a-z0-9]/g, "-"), fault);
    });
});
