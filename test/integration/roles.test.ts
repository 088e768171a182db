// `corevault:roles` and `corevault:regrant-roles` driven through the tasks on the in-process chain, against the
// production-like system.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import { Contract } from "ethers";
import hre from "hardhat";
import { roleId, type VaultRole } from "../../src/corevault/observe.js";
import type { RoleAudit } from "../../src/roles/audit.js";
import type { SystemRecord } from "../../src/records/records.js";
import { contractAt } from "../helpers/contracts.js";
import { conn, freshSystem as deployFresh, nonce, tempAppConfig } from "../helpers/system.js";
import { runJson, runTask, taskError, withExitCode } from "../helpers/tasks.js";

const { ethers } = conn;
const [deployer, , , , , stranger, newOperator] = await ethers.getSigners();
const tmp = await tempAppConfig("cutover-roles-");

let system: SystemRecord;
let vault: Contract;

async function freshSystem(seed: string): Promise<void> {
  system = await deployFresh({ markets: 3, seed });
  vault = await contractAt(deployer)("CoreVault", system.contracts.CORE_VAULT);
}

async function desiredFile(graph: Partial<Record<VaultRole, string[]>>): Promise<string> {
  const file = path.join(tmp, `desired-${Date.now()}-${Math.random().toString(16).slice(2)}.json`);
  await writeFile(file, JSON.stringify(graph));
  return file;
}

async function audit(args: Record<string, unknown> = {}): Promise<{ audit: RoleAudit; exitCode: number }> {
  const { printed, exitCode } = await withExitCode("corevault:roles", { json: true, ...args });
  return { audit: JSON.parse(printed), exitCode };
}

interface RegrantJson {
  planId: string;
  complete: boolean;
  transactionsSent: number;
  results: { id: string; status: string }[];
  kept: { role: string; account: string }[];
}

async function regrant(args: Record<string, unknown>): Promise<RegrantJson> {
  return runJson("corevault:regrant-roles", args);
}

const holds = (role: VaultRole, account: string): Promise<boolean> => vault.hasRole(roleId(role), account);

describe("corevault:roles", () => {
  before(() => freshSystem("roles-audit"));

  it("prints the role x holder table of a fresh system and flags the deployer still holding DEFAULT_ADMIN_ROLE (exit code 1)", async () => {
    const { audit: result, exitCode } = await audit();
    expect(exitCode).to.equal(1);
    expect(result.vault).to.equal(system.contracts.CORE_VAULT);
    expect(result.flags.map((f) => [f.kind, f.role, f.account])).to.deep.equal([
      ["deployer-admin", "DEFAULT_ADMIN_ROLE", deployer.address],
    ]);
    const byAccount = new Map(result.holders.map((h) => [h.account, h]));
    expect(byAccount.get(deployer.address)).to.deep.include({
      name: "admin",
      hasCode: false,
      roles: ["DEFAULT_ADMIN_ROLE"],
    });
    expect(byAccount.get(system.contracts.FUTURES_MARKET_FACTORY)).to.deep.include({
      name: "FUTURES_MARKET_FACTORY",
      hasCode: true,
      roles: ["FACTORY_ROLE"],
    });
    expect(byAccount.get(system.contracts.COLLATERAL_HUB)?.roles).to.deep.equal(["EXTERNAL_CREDITOR_ROLE"]);
    for (const operator of system.settlementOperators as string[])
      expect(byAccount.get(operator)?.roles).to.deep.equal(["SETTLEMENT_ROLE"]);
    for (const market of system.markets)
      expect(byAccount.get(market.orderBook)).to.deep.include({
        name: `OrderBook ${market.symbol}`,
        roles: ["ORDERBOOK_ROLE"],
      });
    expect(result.admins.ORDERBOOK_ROLE).to.equal("FACTORY_ROLE");

    const { printed: text } = await withExitCode("corevault:roles", {});
    expect(text).to.match(
      /holder\s+name\s+code\s+DEFAULT_ADMIN\s+FACTORY\s+SETTLEMENT\s+EXTERNAL_CREDITOR\s+ORDERBOOK\s+flags/,
    );
    expect(text).to.match(new RegExp(`${deployer.address}\\s+admin\\s+EOA\\s+x\\s+deployer-admin`));
    expect(text).to.include("1 flag(s):");
    expect(text).to.include("the deployer still holds DEFAULT_ADMIN_ROLE");
  });

  it("flags an EOA holding FACTORY_ROLE (and unknown to the records); --block reads the table before the grant", async () => {
    const before = await ethers.provider.getBlockNumber();
    await (await vault.grantRole(roleId("FACTORY_ROLE"), stranger.address)).wait();
    const { audit: result, exitCode } = await audit();
    expect(exitCode).to.equal(1);
    const strangerFlags = result.flags.filter((f) => f.account === stranger.address);
    expect(strangerFlags.map((f) => [f.kind, f.role])).to.deep.equal([
      ["unknown-holder", "FACTORY_ROLE"],
      ["eoa-holder", "FACTORY_ROLE"],
    ]);
    expect(strangerFlags[1].message).to.equal(
      "an EOA holds FACTORY_ROLE, which only contracts (factory, hub, OrderBooks) should hold",
    );

    const earlier = await audit({ block: String(before) });
    expect(earlier.audit.block).to.equal(before);
    expect(earlier.audit.holders.map((h) => h.account)).to.not.include(stranger.address);

    // With another deployer, holding DEFAULT_ADMIN_ROLE is not flagged.
    const other = await audit({ block: String(before), deployer: stranger.address });
    expect(other.audit.flags).to.deep.equal([]);
    expect(other.exitCode).to.equal(0);
  });

  it("refuses a block in the future or a malformed --vault", async () => {
    const error = await taskError("corevault:roles", { block: "99999999", json: true });
    expect(error.message).to.match(/Invalid --block: "99999999"\. Fix: give a block number from 0 to \d+/);
    const bad = await taskError("corevault:roles", { vault: system.contracts.USDC, json: true });
    expect(bad.message).to.match(/there is no CoreVault at that address/);
  });
});

describe("corevault:regrant-roles", () => {
  beforeEach(function () {
    return freshSystem(`regrant-${this.currentTest?.title.slice(0, 12)}`);
  });

  it("adds a settlement operator and, with --revoke-extra, revokes one not in the desired file; a second run sends nothing", async () => {
    const [keep, drop] = system.settlementOperators as string[];
    const desired = await desiredFile({ SETTLEMENT_ROLE: [keep, newOperator.address] });

    // --plan-only sends nothing; without --revoke-extra the extra operator is kept and reported.
    const before = await nonce();
    const planned = JSON.parse(await runTask("corevault:regrant-roles", { desired, planOnly: true, json: true }));
    expect(await nonce()).to.equal(before);
    expect(planned.plan.steps.map((s: { id: string }) => s.id)).to.deep.equal(["grant:1"]);
    expect(planned.kept).to.deep.equal([{ role: "SETTLEMENT_ROLE", account: drop }]);
    expect(planned.plan.notes[0]).to.equal(
      `extra, kept: SETTLEMENT_ROLE held by ${drop}, not in the desired graph (pass --revoke-extra to revoke)`,
    );
    const text = await runTask("corevault:regrant-roles", {
      desired,
      planOnly: true,
      revokeExtra: true,
      verbose: true,
    });
    expect(text).to.match(/grant SETTLEMENT_ROLE .*grantRole\(SETTLEMENT_ROLE, 0x[0-9a-fA-F]{40}\)/);
    expect(text).to.match(/revoke SETTLEMENT_ROLE .*revokeRole\(SETTLEMENT_ROLE, 0x[0-9a-fA-F]{40}\)/);
    expect(text).to.include("plan only: nothing sent");
    expect(await nonce()).to.equal(before);

    const outcome = await regrant({ desired, revokeExtra: true });
    expect(outcome.complete).to.equal(true);
    expect(outcome.results.map((r) => [r.id, r.status])).to.deep.equal([
      ["grant:1", "done"],
      ["revoke:1", "done"],
    ]);
    expect((await nonce()) - before).to.equal(2);
    expect(await holds("SETTLEMENT_ROLE", newOperator.address)).to.equal(true);
    expect(await holds("SETTLEMENT_ROLE", keep)).to.equal(true);
    expect(await holds("SETTLEMENT_ROLE", drop)).to.equal(false);
    expect(await holds("DEFAULT_ADMIN_ROLE", deployer.address)).to.equal(true);

    const again = await nonce();
    const second = await regrant({ desired, revokeExtra: true });
    expect(second.complete).to.equal(true);
    expect(second.transactionsSent).to.equal(0);
    expect(second.planId).to.equal(outcome.planId);
    expect(await nonce()).to.equal(again);
    // Recomputed from the chain as it is now, the plan is empty.
    const replanned = JSON.parse(
      await runTask("corevault:regrant-roles", {
        desired,
        revokeExtra: true,
        replan: true,
        planOnly: true,
        json: true,
      }),
    );
    expect(replanned.plan.steps).to.deep.equal([]);
  });

  it("revokes ORDERBOOK_ROLE through a temporary FACTORY_ROLE, renounced at the end; a rerun sends nothing", async () => {
    const [first, second, third] = system.markets.map((m) => m.orderBook);
    const desired = await desiredFile({ ORDERBOOK_ROLE: [first, second] });
    const before = await nonce();
    const outcome = await regrant({ desired, revokeExtra: true });
    expect(outcome.complete).to.equal(true);
    expect(outcome.results.map((r) => [r.id, r.status])).to.deep.equal([
      ["grant:temporary:FACTORY_ROLE", "done"],
      ["revoke:1", "done"],
      ["renounce:1", "done"],
    ]);
    expect((await nonce()) - before).to.equal(3);
    expect(await holds("ORDERBOOK_ROLE", third)).to.equal(false);
    expect(await holds("ORDERBOOK_ROLE", first)).to.equal(true);
    expect(await holds("FACTORY_ROLE", deployer.address)).to.equal(false);

    // "done" from the journal's receipts; the temporary grant is not sent again once the work it enabled is done.
    const again = await regrant({ desired, revokeExtra: true });
    expect(again.transactionsSent).to.equal(0);
    expect(again.results.map((r) => [r.id, r.status])).to.deep.equal([
      ["grant:temporary:FACTORY_ROLE", "not needed"],
      ["revoke:1", "done"],
      ["renounce:1", "done"],
    ]);
    expect((await nonce()) - before).to.equal(3);
  });

  it("without --desired takes the desired graph from cutover.redeploy.roles", async () => {
    const configured = hre.config.cutover.redeploy.roles;
    hre.config.cutover.redeploy.roles = { SETTLEMENT_ROLE: [newOperator.address] };
    try {
      const before = await nonce();
      const planned = JSON.parse(await runTask("corevault:regrant-roles", { planOnly: true, json: true }));
      expect(planned.plan.steps).to.have.length(1);
      expect(planned.plan.steps[0].actions[0].call.args[1]).to.equal(newOperator.address);
      expect(planned.kept.map((k: { account: string }) => k.account)).to.deep.equal(
        [...(system.settlementOperators as string[])].sort(),
      );
      expect(await nonce()).to.equal(before);
    } finally {
      hre.config.cutover.redeploy.roles = configured;
    }
  });

  describe("refuses with nothing sent", () => {
    it("removing the last DEFAULT_ADMIN_ROLE holder", async () => {
      const desired = await desiredFile({ DEFAULT_ADMIN_ROLE: [] });
      const before = await nonce();
      const error = await taskError("corevault:regrant-roles", { desired, revokeExtra: true, json: true });
      expect(error.message).to.include(`Refused to apply the desired roles from ${desired}; nothing was sent:`);
      expect(error.message).to.include(
        `DEFAULT_ADMIN_ROLE: DEFAULT_ADMIN_ROLE would be left without a holder (the desired graph revokes ${deployer.address}`,
      );
      expect(await nonce()).to.equal(before);
      expect(await holds("DEFAULT_ADMIN_ROLE", deployer.address)).to.equal(true);
    });

    it("a signer that holds no admin role", async () => {
      const desired = await desiredFile({ SETTLEMENT_ROLE: [newOperator.address] });
      const before = await ethers.provider.getTransactionCount(stranger.address);
      const error = await taskError("corevault:regrant-roles", { desired, signer: stranger.address, json: true });
      expect(error.message).to.include(`cannot grant or revoke SETTLEMENT_ROLE: it does not hold DEFAULT_ADMIN_ROLE`);
      expect(await ethers.provider.getTransactionCount(stranger.address)).to.equal(before);
    });

    it("a signer that lost its admin role after the plan was made: drift on a fact the plan writes, reported before anything is sent", async () => {
      await (await vault.grantRole(roleId("DEFAULT_ADMIN_ROLE"), stranger.address)).wait();
      const desired = await desiredFile({
        DEFAULT_ADMIN_ROLE: [deployer.address, stranger.address, newOperator.address],
      });
      const args = { desired, signer: stranger.address, allowEoa: true, json: true };
      await runTask("corevault:regrant-roles", { ...args, planOnly: true });
      await (await vault.revokeRole(roleId("DEFAULT_ADMIN_ROLE"), stranger.address)).wait();
      const before = await ethers.provider.getTransactionCount(stranger.address);
      const error = await taskError("corevault:regrant-roles", args);
      // The plan expected DEFAULT_ADMIN_ROLE's holders as observed (none of its steps has run): someone else changed them.
      expect(error.message).to.match(
        new RegExp(`vault\\.role\\.DEFAULT_ADMIN_ROLE\\.holders: planned .*${stranger.address.toLowerCase()}.*, now `),
      );
      expect(error.message).to.include("--replan");
      expect(await ethers.provider.getTransactionCount(stranger.address)).to.equal(before);
    });

    it("a desired file with an unknown role or a bad address", async () => {
      const unknownRole = await desiredFile({ MINTER_ROLE: [newOperator.address] } as never);
      expect((await taskError("corevault:regrant-roles", { desired: unknownRole })).message).to.match(
        /Invalid --desired: ".*"\. Fix: "MINTER_ROLE" is not a vault role; use DEFAULT_ADMIN_ROLE, /,
      );
      const badAddress = await desiredFile({ SETTLEMENT_ROLE: ["0x1234"] });
      expect((await taskError("corevault:regrant-roles", { desired: badAddress })).message).to.match(
        /SETTLEMENT_ROLE lists "0x1234", which is not an address/,
      );
    });
  });
});
