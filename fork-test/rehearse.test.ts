// Fork suite: `corevault:redeploy --rewire --rehearse` from the Hardhat CLI against FORK_URL (CI's local `hardhat
// node`, or any chain holding the system): the rehearsal runs on an in-process fork and the chain is left untouched.
import { readFile } from "node:fs/promises";
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import type { Rehearsal } from "../src/rehearse/report.js";
import type { SystemRecord } from "../src/records/records.js";
import { finished, hardhat } from "../test/helpers/node.js";

const forkUrl = process.env.FORK_URL!;
const system = JSON.parse(await readFile(process.env.FORK_RECORD!, "utf8")) as SystemRecord;
const upstream = new JsonRpcProvider(forkUrl, undefined, { staticNetwork: true });

describe(`rehearsal against ${forkUrl}`, () => {
  it("corevault:redeploy --rewire --rehearse --with-rollback passes on an in-process fork, verify runs there; the chain's block and the admin's nonce are unchanged", async () => {
    const admin = system.admin as string;
    const before = [await upstream.getBlockNumber(), await upstream.getTransactionCount(admin)];
    const args = [
      "corevault:redeploy",
      "--old-vault",
      system.contracts.CORE_VAULT,
      "--rewire",
      "--rehearse",
      "--with-rollback",
      "--json",
      "--network",
      "localhost",
    ];
    const run = await finished(hardhat(args, { LOCAL_RPC_URL: forkUrl }));
    expect(run.code, run.stderr).to.equal(0);
    const rehearsal = JSON.parse(run.stdout) as Rehearsal;
    expect(rehearsal.passed).to.equal(true);
    expect(rehearsal.where).to.include("in-process fork");
    expect(rehearsal.diff.events.filter((e) => e.event === "DiamondCut")).to.have.length(system.markets.length);
    // cutover:verify ran on the fork; the storage the plan wrote is listed; the rollback set the pointers back.
    expect(rehearsal.verify?.ran).to.equal(true);
    expect(rehearsal.diff.storage.length).to.be.greaterThan(0);
    expect(rehearsal.phases.map((p) => p.task)).to.deep.equal(["corevault:redeploy", "rollback of corevault:redeploy"]);
    expect(rehearsal.remaining!.changes.filter((c) => !c.contract.startsWith("<new "))).to.deep.equal([]);
    expect([await upstream.getBlockNumber(), await upstream.getTransactionCount(admin)]).to.deep.equal(before);
  });
});
