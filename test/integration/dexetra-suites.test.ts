// More of the integration suites on the production shape: the Dexetra v5 stand-in through the dexetra-v5 profile
// (no multicall, no enumerators, every role admin DEFAULT_ADMIN_ROLE), checked with raw reads.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import { Contract, getAddress, id, ZeroHash } from "ethers";
import type { ProtocolUserConfig } from "../../src/profile/schema.js";
import { dexetraFixture, standInProtocol } from "../helpers/dexetra.js";
import { conn, nonce, tempAppConfig } from "../helpers/system.js";
import { execute } from "../helpers/safe.js";
import { runJson, runTask } from "../helpers/tasks.js";
import { runWithProtocol, withProtocol, withUpdatableFactory } from "../helpers/protocol.js";
import { deployTimelock, twoOfThreeSafe } from "../helpers/authorities.js";

const tmp = await tempAppConfig("cutover-dexetra-suites-");

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
      runTask("corevault:regrant-roles", { desired, planOnly: true, revokeExtra: true, verbose: true }),
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

describe("dexetra-v5: --executor safe with the later factory's single admin (updateVault, no role to read)", () => {
  afterEach(() => {
    process.exitCode = 0;
  });

  it("the Safe that is the factory's admin repoints it (found by simulating updateVault from it); the signer sends the rest", async () => {
    const f = await dexetraFixture(conn, { markets: 2, seed: "dexetra-safe-factory", factory: "updatable" });
    const protocol = withUpdatableFactory(standInProtocol(f.admin.address));
    const { keys, safe, address: safeAddress } = await twoOfThreeSafe(conn, f.admin, "dexetra-safe-factory", 41n);
    await (await f.factory.updateAdmin(safeAddress)).wait();
    const run = () => runWithProtocol(protocol, "corevault:redeploy", { executor: "safe", safe: safeAddress });

    const first = await run();
    expect(first.exitCode, JSON.stringify(first.out.results)).to.equal(2);
    expect(first.out.awaiting).to.equal(true);
    expect(first.out.proposals).to.have.length(1);
    const proposal = first.out.proposals[0];
    expect(proposal.stepIds).to.deep.equal(["align:factory"]);
    // everything else (deploy, roles, registrations, the hub) went from the signer: the vault's admin
    const sentByOthers = first.out.results.filter((r: { id: string; status: string }) => r.id !== "align:factory");
    expect(sentByOthers.every((r: { status: string }) => r.status === "done")).to.equal(true);
    await (await execute(safe, proposal.safeTx, proposal.id, [keys[0], keys[2]], f.alice)).wait();

    const second = await run();
    expect(second.exitCode, JSON.stringify(second.out.results)).to.equal(0);
    expect(second.out.complete).to.equal(true);
    expect(second.out.transactionsSent).to.equal(0);
    const newVault = getAddress(second.out.deployed.CoreVault);
    const factory = new Contract(
      String(f.factory.target),
      ["function vault() view returns (address)"],
      conn.ethers.provider,
    );
    expect(getAddress(await factory.vault())).to.equal(newVault);
  });
});

/** The stand-in's profile with a hub variant without a vault getter: its repoint has no done check. */
function hubWithoutGetter(admin: string, oldVault: string): ProtocolUserConfig {
  return {
    ...standInProtocol(admin),
    hub: {
      vault: {
        read: { value: oldVault },
        write: {
          signature: "function setCoreVaultParams(address coreVault, address operator)",
          args: ["$0", "$keep.operator"],
        },
      },
    },
  };
}

describe("a setter without a getter sent through a Safe or a timelock is recognised as done from its execution", () => {
  afterEach(() => {
    process.exitCode = 0;
  });

  it("the hub's repoint (no vault getter in this variant) proposed to the Safe, executed, then done: the rerun proposes nothing", async () => {
    const f = await dexetraFixture(conn, { markets: 2, seed: "dexetra-safe-hub" });
    const oldVault = getAddress(String(f.vault.target));
    const protocol = hubWithoutGetter(f.admin.address, oldVault);
    const { keys, safe, address: safeAddress } = await twoOfThreeSafe(conn, f.admin, "dexetra-safe-hub", 42n);
    await (await f.hub.grantRole(ZeroHash, safeAddress)).wait();
    const run = () => runWithProtocol(protocol, "corevault:redeploy", { executor: "safe", safe: safeAddress });

    const first = await run();
    expect(first.exitCode, JSON.stringify(first.out.results)).to.equal(2);
    const proposal = first.out.proposals[0];
    expect(proposal.stepIds).to.deep.equal(["repoint:hub"]);
    const step = first.out.plan?.steps?.find((s: { id: string }) => s.id === "repoint:hub");
    if (step) expect(step.actions[0].done).to.deep.equal([]);
    await (await execute(safe, proposal.safeTx, proposal.id, [keys[1], keys[2]], f.alice)).wait();
    const newVault = getAddress(first.out.deployed.CoreVault);
    expect(getAddress(await f.hub.coreVault())).to.equal(newVault);

    // no getter says it is done: the Safe's ExecutionSuccess for the journaled proposal does
    const second = await run();
    expect(second.exitCode, JSON.stringify(second.out.results)).to.equal(0);
    expect(second.out).to.include({ complete: true, transactionsSent: 0 });
    expect(second.out.proposals).to.deep.equal([]);
    const third = await run();
    expect(third.exitCode).to.equal(0);
    expect(third.out.proposals).to.deep.equal([]);
  });
});

describe("a setter without a getter scheduled on a timelock", () => {
  afterEach(() => {
    process.exitCode = 0;
  });

  it("the hub's repoint is scheduled, executed by a later run after the delay, then done by isOperationDone: the next run sends nothing", async () => {
    const f = await dexetraFixture(conn, { markets: 2, seed: "dexetra-timelock-hub" });
    const protocol = hubWithoutGetter(f.admin.address, getAddress(String(f.vault.target)));
    const delay = 3600;
    const timelock = getAddress(await (await deployTimelock(f.admin, delay)).getAddress());
    await (await f.hub.grantRole(ZeroHash, timelock)).wait();
    const run = () => runWithProtocol(protocol, "corevault:redeploy", { executor: "timelock", timelock });

    const first = await run();
    expect(first.exitCode, JSON.stringify(first.out.results)).to.equal(2);
    expect(first.out.proposals.map((p: { stepIds: string[] }) => p.stepIds)).to.deep.equal([["repoint:hub"]]);
    await conn.networkHelpers.time.increase(delay + 1);
    const second = await run();
    expect(second.exitCode, JSON.stringify(second.out.results)).to.equal(0);
    expect(second.out.complete).to.equal(true);
    expect(second.out.transactionsSent, "one executeBatch").to.equal(1);
    expect(getAddress(await f.hub.coreVault())).to.equal(getAddress(first.out.deployed.CoreVault));
    const before = await nonce();
    const third = await run();
    expect(third.exitCode).to.equal(0);
    expect(third.out).to.include({ complete: true, transactionsSent: 0 });
    expect(third.out.proposals).to.deep.equal([]);
    expect(await nonce()).to.equal(before);
  });
});
