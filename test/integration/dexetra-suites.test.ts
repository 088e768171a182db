// More of the integration suites on the production shape: the Dexetra v5 stand-in through the dexetra-v5 profile
// (no multicall, no enumerators, every role admin DEFAULT_ADMIN_ROLE), checked with raw reads.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import { id } from "ethers";
import hre from "hardhat";
import { resolveProfile } from "../../src/profile/resolve.js";
import type { ProtocolUserConfig } from "../../src/profile/schema.js";
import { dexetraFixture, standInProtocol } from "../helpers/dexetra.js";
import { conn, nonce, tempAppConfig } from "../helpers/system.js";
import { runJson, runTask } from "../helpers/tasks.js";

const tmp = await tempAppConfig("cutover-dexetra-suites-");

async function withProtocol<T>(protocol: ProtocolUserConfig, work: () => Promise<T>): Promise<T> {
  const active = hre.config.cutover.protocol;
  hre.config.cutover.protocol = resolveProfile(protocol);
  try {
    return await work();
  } finally {
    hre.config.cutover.protocol = active;
  }
}

describe("dexetra-v5: corevault:regrant-roles", () => {
  afterEach(() => {
    process.exitCode = 0;
  });

  it("grants a settlement operator and, with --revoke-extra, revokes one not in the desired file, one call a transaction; a rerun sends nothing", async () => {
    const f = await dexetraFixture(conn, { markets: 2, seed: "dexetra-regrant" });
    const protocol = standInProtocol(f.admin.address);
    const factory = String(f.factory.target);
    const desired = path.join(tmp, "desired.json");
    await writeFile(desired, JSON.stringify({ SETTLEMENT_ROLE: [factory, f.stranger.address] }));

    const text = await withProtocol(protocol, () =>
      runTask("corevault:regrant-roles", { desired, planOnly: true, revokeExtra: true }),
    );
    // no multicall on this protocol: each change is its own grantRole / revokeRole
    expect(text).to.match(/grantRole\(SETTLEMENT_ROLE, 0x[0-9a-fA-F]{40}\)/);
    expect(text).to.match(/revokeRole\(SETTLEMENT_ROLE, 0x[0-9a-fA-F]{40}\)/);
    expect(text).to.not.include("multicall");

    const planned = await withProtocol(protocol, () =>
      runJson("corevault:regrant-roles", { desired, planOnly: true, revokeExtra: true }),
    );
    const steps = planned.plan.steps as { id: string; actions: { call: { fn: string; args: string[] } }[] }[];
    const revoked = steps.filter((s) => s.id.startsWith("revoke:")).map((s) => s.actions[0].call.args[1]);
    expect(revoked).to.include(f.settler.address);
    expect(steps.every((s) => s.actions.length === 1)).to.equal(true);

    const before = await nonce();
    const outcome = await withProtocol(protocol, () =>
      runJson("corevault:regrant-roles", { desired, revokeExtra: true }),
    );
    expect(outcome.complete).to.equal(true);
    expect(outcome.transactionsSent).to.equal(1 + revoked.length);
    expect((await nonce()) - before).to.equal(1 + revoked.length);
    const settlement = id("SETTLEMENT_ROLE");
    expect(await f.vault.hasRole(settlement, f.stranger.address)).to.equal(true);
    expect(await f.vault.hasRole(settlement, factory)).to.equal(true);
    for (const account of revoked) expect(await f.vault.hasRole(settlement, account)).to.equal(false);

    const again = await nonce();
    const rerun = await withProtocol(protocol, () =>
      runJson("corevault:regrant-roles", { desired, revokeExtra: true }),
    );
    expect(rerun.complete).to.equal(true);
    expect(rerun.transactionsSent).to.equal(0);
    expect(await nonce()).to.equal(again);
  });
});
