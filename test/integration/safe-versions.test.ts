// The Safe executor with a real Safe v1.3.0 (Safe's own npm artifacts): its batches go through v1.3.0's
// MultiSendCallOnly, chosen by the Safe's VERSION() and checked by code hash; the proposal's safeTxHash is the Safe's
// own, and once two owners executed it, running the same command again finishes the redeploy.
import { expect } from "chai";
import { ZeroAddress } from "ethers";
import type { SafeProposal } from "../../src/engine/proposal.js";
import { MULTISEND_CALL_ONLY, OPERATION } from "../../src/safe/safe-tx.js";
import { createSafe, execute, owners } from "../helpers/safe.js";
import { conn, freshSystem, handAdminTo, nonce, tempAppConfig } from "../helpers/system.js";
import { withExitCode } from "../helpers/tasks.js";

const { ethers } = conn;
const [deployer, relayer] = await ethers.getSigners();
await tempAppConfig("cutover-safe-versions-");

async function redeploy(args: Record<string, unknown>) {
  const { printed, exitCode } = await withExitCode("corevault:redeploy", { json: true, ...args });
  return {
    out: JSON.parse(printed) as { complete: boolean; transactionsSent: number; proposals: SafeProposal[] },
    exitCode,
  };
}

describe("Safe versions", () => {
  afterEach(() => {
    process.exitCode = 0;
  });

  it("proposes through Safe v1.3.0's MultiSendCallOnly (by VERSION and code hash); after the owners execute, a rerun completes", async () => {
    const system = await freshSystem({ markets: 2, seed: "safe-v130" });
    const keys = owners(3, "v130");
    const safe = await createSafe(
      conn,
      deployer,
      keys.map((k) => k.address),
      2,
      13n,
      "1.3.0",
    );
    const safeAddress = await safe.getAddress();
    expect(await safe.VERSION()).to.equal("1.3.0");
    await handAdminTo(system, safeAddress, deployer);

    const { out: first, exitCode } = await redeploy({ pauseOld: true, executor: "safe", safe: safeAddress });
    expect(exitCode).to.equal(2);
    const batch = first.proposals.find((p) => p.calls > 1)!;
    expect(batch.safeTx).to.include({ to: MULTISEND_CALL_ONLY["1.3.0"][0].address, operation: OPERATION.DELEGATECALL });
    for (const proposal of first.proposals) {
      const { to, value, data, operation } = proposal.safeTx;
      expect(
        await safe.getTransactionHash(to, value, data, operation, 0, 0, 0, ZeroAddress, ZeroAddress, proposal.nonce),
      ).to.equal(proposal.id);
      await (await execute(safe, proposal.safeTx, proposal.id, [keys[0], keys[2]], relayer)).wait();
    }
    const before = await nonce();
    const { out: last } = await redeploy({ pauseOld: true, executor: "safe", safe: safeAddress });
    expect(last.complete).to.equal(true);
    expect((await nonce()) - before).to.equal(last.transactionsSent);
  });

  it("refuses a batch for a Safe whose MultiSendCallOnly is not the published contract, naming the address and the hashes", async () => {
    const system = await freshSystem({ markets: 2, seed: "safe-v130-missing" });
    const safe = await createSafe(
      conn,
      deployer,
      owners(3, "v130b").map((k) => k.address),
      2,
      14n,
      "1.3.0",
    );
    const safeAddress = await safe.getAddress();
    await handAdminTo(system, safeAddress, deployer);
    const canonical = MULTISEND_CALL_ONLY["1.3.0"][0].address;
    const code = await ethers.provider.getCode(canonical);
    await conn.provider.request({ method: "hardhat_setCode", params: [canonical, "0x6000"] });
    try {
      const { printed, exitCode } = await withExitCode("corevault:redeploy", {
        pauseOld: true,
        executor: "safe",
        safe: safeAddress,
        json: true,
      });
      expect(exitCode).to.equal(1);
      expect(printed)
        .to.include(`no Safe v1.3.0 MultiSendCallOnly with the published code hash`)
        .and.to.include(canonical);
    } finally {
      await conn.provider.request({ method: "hardhat_setCode", params: [canonical, code] });
    }
  });
});
