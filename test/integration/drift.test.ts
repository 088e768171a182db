// Drift on what the plan itself writes: a pointer someone else moves before the plan's step ran, or an effect of a
// step this run confirmed that someone undid between runs, is reported before anything is sent (never silently
// overwritten or sent again); --replan computes a new plan from the chain as it is.
import { expect } from "chai";
import type { Contract } from "ethers";
import { contractAt } from "../helpers/contracts.js";
import { conn, freshSystem, nonce, tempAppConfig } from "../helpers/system.js";
import { runJson, taskError } from "../helpers/tasks.js";

await tempAppConfig();
const at = contractAt(conn.ethers.provider);
const [admin, , , , , , , outsider] = await conn.ethers.getSigners();

describe("drift on facts the plan writes", () => {
  it("a vault pointer moved by someone else before the plan's setVault ran is reported; --replan goes on", async () => {
    const old = await freshSystem({ markets: 2, seed: "drift-written" });
    const vault = old.contracts.CORE_VAULT;
    await runJson("corevault:redeploy", { planOnly: true });
    const hub = (await at("CollateralHub", old.contracts.COLLATERAL_HUB)).connect(admin) as Contract;
    await (await hub.setVault(outsider.address)).wait();
    const before = await nonce();
    const error = await taskError("corevault:redeploy", { oldVault: vault });
    expect(error.message).to.include(
      `hub.vault: planned ${vault.toLowerCase()}, now ${outsider.address.toLowerCase()}`,
    );
    expect(error.message).to.include("--replan");
    expect(await nonce()).to.equal(before);
    const replanned = await runJson("corevault:redeploy", { oldVault: vault, replan: true });
    expect(replanned.complete).to.equal(true);
    expect(await hub.vault()).to.equal(replanned.deployed.CoreVault);
  });

  it("a step this run confirmed whose effect someone undid (the old vault unpaused) is reported, not sent again", async () => {
    const old = await freshSystem({ markets: 2, seed: "drift-undone" });
    const vault = old.contracts.CORE_VAULT;
    const first = await runJson("corevault:redeploy", { pauseOld: true });
    expect(first.complete).to.equal(true);
    const oldVault = (await at("CoreVault", vault)).connect(admin) as Contract;
    await (await oldVault.unpause()).wait();
    const before = await nonce();
    const error = await taskError("corevault:redeploy", { oldVault: vault, pauseOld: true });
    expect(error.message).to.match(/step pause-old-vault \(pause the old vault\): done by 0x[0-9a-f]{64} in block \d+/);
    expect(error.message).to.include("no longer on chain");
    expect(await nonce()).to.equal(before);
    expect(await oldVault.paused()).to.equal(false);
  });
});
