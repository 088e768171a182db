// On the in-process chain, a throwaway copy is the chain itself between evm_snapshot and evm_revert. The accounts a
// run impersonated there (a rehearsal's Safe owners, the simulation's senders) must not stay able to send after the
// revert: impersonation is the node's setting, not chain state, so the copy stops it itself.
import { expect } from "chai";
import hre from "hardhat";
import { Wallet } from "ethers";
import { throwawayChain } from "../../src/fork/throwaway.js";
import { createSafe, owners } from "../helpers/safe.js";
import { conn, freshSystem, handAdminTo } from "../helpers/system.js";
import { runJson } from "../helpers/tasks.js";

const [deployer] = await conn.ethers.getSigners();

/** Whether the in-process chain accepts eth_sendTransaction from `from` (it holds no key for it). */
async function canSend(from: string): Promise<boolean> {
  // gas money for accounts that have none; the node's own accounts keep their balance (later tests fund from them)
  if ((await conn.ethers.provider.getBalance(from)) === 0n)
    await conn.provider.request({ method: "hardhat_setBalance", params: [from, "0x56bc75e2d63100000"] });
  return conn.provider.request({ method: "eth_sendTransaction", params: [{ from, to: deployer.address }] }).then(
    () => true,
    () => false,
  );
}

describe("throwaway copies of the in-process chain leave no impersonation behind", function () {
  it("an account impersonated inside evm_snapshot/evm_revert cannot send after the copy is closed", async () => {
    const stranger = Wallet.createRandom().address;
    expect(await canSend(stranger)).to.equal(false);
    const chain = await throwawayChain(hre, conn, await conn.ethers.provider.getBlockNumber());
    await chain.conn.provider.request({ method: "hardhat_impersonateAccount", params: [stranger] });
    expect(await canSend(stranger), "impersonated on the copy").to.equal(true);
    await chain.close();
    expect(await canSend(stranger), "after the revert").to.equal(false);
    // the node's own accounts still send (impersonating one and stopping does not lock it)
    expect(await canSend(deployer.address)).to.equal(true);
  });

  it("after a --rehearse through a 2-of-3 Safe, the owners it impersonated cannot send", async () => {
    const system = await freshSystem({ markets: 1, seed: "throwaway-impersonation" });
    const keys = owners(3, "throwaway-impersonation").map((k) => k.address);
    const safe = await createSafe(conn, deployer, keys, 2, 11n);
    await handAdminTo(system, await safe.getAddress(), deployer);
    const rehearsed = await runJson("corevault:redeploy", {
      pauseOld: true,
      executor: "safe",
      safe: await safe.getAddress(),
      rehearse: true,
    });
    expect(rehearsed.passed, JSON.stringify(rehearsed.phases)).to.equal(true);
    // two of them approved and executed on the copy as impersonated accounts; none can send now
    for (const owner of keys) expect(await canSend(owner), owner).to.equal(false);
  });
});
