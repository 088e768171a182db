// cutover:transfer-ownership on the Dexetra v5 stand-in through the dexetra-v5 profile: AccessControl vault and hub,
// the factory's single admin (updateAdmin, no getter: done by its journaled send, recognised by a refused probe), the
// OrderBook diamonds found by the profile's discovery (the records name one of them), their owner read by the profile.
import path from "node:path";
import { expect } from "chai";
import { Contract, getAddress, id, ZeroHash } from "ethers";
import type { ProtocolUserConfig } from "../../src/profile/schema.js";
import { dexetraFixture, ROLE_NAMES, standInProtocol, type DexetraFixture } from "../helpers/dexetra.js";
import { createSafe, owners } from "../helpers/safe.js";
import { conn, nonce, tempAppConfig } from "../helpers/system.js";
import { runJson, taskError, withExitCode } from "../helpers/tasks.js";
import { withProtocol } from "../helpers/protocol.js";
import { deployTimelock, twoOfThreeSafe } from "../helpers/authorities.js";

const tmp = await tempAppConfig("cutover-ownership-dexetra-");

type Out = {
  complete: boolean;
  transactionsSent: number;
  checks: { name: string; status: string; failures: string[] }[];
  results: { id: string; status: string }[];
};

const statuses = (out: Out) => Object.fromEntries(out.checks.map((c) => [c.name, c.status]));
const ALL_PASS = { "admin-handed-over": "pass", "diamonds-owned": "pass", "deployer-holds-nothing": "pass" };

/** Raw reads, not through the plugin: `to` administers everything and the deployer holds nothing. */
async function expectHandedOver(f: DexetraFixture, to: string) {
  const deployer = f.admin.address;
  expect(await f.vault.hasRole(ZeroHash, to)).to.equal(true);
  for (const role of ["DEFAULT_ADMIN_ROLE", ...ROLE_NAMES])
    expect(await f.vault.hasRole(role === "DEFAULT_ADMIN_ROLE" ? ZeroHash : id(role), deployer), role).to.equal(false);
  expect(await f.hub.hasRole(ZeroHash, to)).to.equal(true);
  expect(await f.hub.hasRole(ZeroHash, deployer)).to.equal(false);
  expect(await f.hub.hasRole(id("BRIDGE_INBOX_ROLE"), deployer)).to.equal(false);
  // the stand-in has an admin() getter the production factory lacks: the test reads it, the plugin does not
  expect(getAddress(await f.factory.admin())).to.equal(to);
  for (const m of f.books) expect(getAddress(await m.book.owner()), m.symbol).to.equal(to);
}

async function transferAndRerun(f: DexetraFixture, protocol: ProtocolUserConfig, to: string, extra = {}) {
  const transfer = (args: Record<string, unknown> = {}) =>
    withProtocol(protocol, () => runJson<Out>("cutover:transfer-ownership", { to, ...extra, ...args }));
  const planned = await transfer({ planOnly: true });
  expect(statuses(planned)).to.deep.equal({
    "admin-handed-over": "fail",
    "diamonds-owned": "fail",
    "deployer-holds-nothing": "fail",
  });
  const failures = planned.checks.find((c) => c.name === "deployer-holds-nothing")!.failures.join("\n");
  expect(failures).to.include("is still its admin").and.to.include("still owns it");
  process.exitCode = 0; // each CLI invocation is its own process: the plan-only run's code is not the run's

  const before = await nonce();
  const out = await transfer();
  expect(process.exitCode ?? 0, JSON.stringify(out.results)).to.equal(0);
  expect(out.complete).to.equal(true);
  expect(statuses(out)).to.deep.equal(ALL_PASS);
  expect((await nonce()) - before).to.equal(out.transactionsSent);
  const factory = String(f.factory.target).toLowerCase();
  expect(out.results.map((r) => r.id)).to.include(`update-admin:${factory}`);
  // every OrderBook the vault registered, not only the one the protocol's records name
  expect(f.books.length).to.be.greaterThan(1);
  for (const m of f.books) expect(out.results.map((r) => r.id)).to.include(`transfer:${m.orderBook.toLowerCase()}`);
  await expectHandedOver(f, to);

  // the same run: the journal says it is done; a replan observes the chain (the factory's admin by its probe)
  for (const args of [{}, { replan: true }]) {
    const again = await nonce();
    const rerun = await transfer(args);
    expect(rerun.complete).to.equal(true);
    expect(rerun.transactionsSent).to.equal(0);
    expect(statuses(rerun)).to.deep.equal(ALL_PASS);
    expect(await nonce()).to.equal(again);
  }
  return out;
}

describe("dexetra-v5: cutover:transfer-ownership", () => {
  afterEach(() => {
    process.exitCode = 0;
  });

  it("to a Safe: grant-then-renounce on the vault and hub, updateAdmin on the factory, transferOwnership on every OrderBook; a rerun sends nothing; corevault:roles agrees", async () => {
    const f = await dexetraFixture(conn, { markets: 3, seed: "dexetra-transfer-safe" });
    const protocol = standInProtocol(f.admin.address);
    const { address: safeAddress } = await twoOfThreeSafe(conn, f.admin, "dexetra-transfer", 51n);
    await transferAndRerun(f, protocol, safeAddress);

    const roles = await withProtocol(protocol, () => runJson("corevault:roles", {}));
    const admins = roles.holders
      .filter((h: { roles: string[] }) => h.roles.includes("DEFAULT_ADMIN_ROLE"))
      .map((h: { account: string }) => getAddress(h.account));
    expect(admins).to.deep.equal([safeAddress]);
    expect(roles.flags.filter((flag: { kind: string }) => flag.kind === "deployer-admin")).to.deep.equal([]);
    const deployerRow = roles.holders.find((h: { account: string }) => getAddress(h.account) === f.admin.address);
    expect(deployerRow, "the deployer holds no vault role").to.equal(undefined);
  });

  it("to a timelock, with the diamonds' owner read from the diamond storage slot (no owner() in the profile)", async () => {
    const f = await dexetraFixture(conn, { markets: 2, seed: "dexetra-transfer-timelock" });
    const timelock = getAddress(await (await deployTimelock(f.admin, 3600)).getAddress());
    const protocol: ProtocolUserConfig = {
      ...standInProtocol(f.admin.address),
      ownership: {
        orderBook: {
          owner: { slot: "keccak256:diamond.standard.diamond.storage", word: 3 },
          transfer: { signature: "function transferOwnership(address newOwner)" },
        },
      },
    };
    await transferAndRerun(f, protocol, timelock);
  });

  it("to an address without code: refused without --allow-eoa before anything is sent; with it, handed over and a rerun sends nothing", async () => {
    const f = await dexetraFixture(conn, { markets: 2, seed: "dexetra-transfer-eoa" });
    const protocol = standInProtocol(f.admin.address);
    const to = f.stranger.address;
    const before = await nonce();
    const error = await withProtocol(protocol, () => taskError("cutover:transfer-ownership", { to, json: true }));
    expect(error.message).to.match(/Invalid --to.*one-step/);
    expect(await nonce()).to.equal(before);
    await transferAndRerun(f, protocol, to, { allowEoa: true });
  });

  it("a factory admin that is neither the deployer nor --to: the preflight refuses before sending, naming the call, the error and the fix", async () => {
    const f = await dexetraFixture(conn, { markets: 2, seed: "dexetra-transfer-other-admin" });
    const protocol = standInProtocol(f.admin.address);
    await (await (f.factory as Contract).updateAdmin(f.settler.address)).wait();
    const to = f.stranger.address;
    const before = await nonce();
    for (const planOnly of [true, false]) {
      const error = await withProtocol(protocol, () =>
        taskError("cutover:transfer-ownership", { to, allowEoa: true, planOnly, json: true }),
      );
      expect(error.message).to.include(`${getAddress(String(f.factory.target))}.updateAdmin(${to})`);
      expect(error.message).to.include("OnlyAdmin()").and.to.include("--executor");
    }
    expect(await nonce()).to.equal(before);
  });

  it("after a redeploy with --rewire: the transfer covers the new vault and factory, and cutover:verify still passes", async () => {
    const f = await dexetraFixture(conn, { markets: 2, seed: "dexetra-transfer-verify" });
    const protocol = standInProtocol(f.admin.address);
    const redeploy = await withProtocol(protocol, () => runJson("corevault:redeploy", { rewire: true }));
    expect(redeploy.complete).to.equal(true);
    const verify = async () => {
      const { printed } = await withProtocol(protocol, () =>
        withExitCode("cutover:verify", { json: true, skipSmoke: true, reportDir: path.join(tmp, "report") }),
      );
      const report = JSON.parse(printed) as { checks: { name: string; status: string; failures: unknown[] }[] };
      return report.checks.filter((c) => c.status === "fail");
    };
    const keys = owners(3, "dexetra-transfer-verify");
    const safe = getAddress(
      await (
        await createSafe(
          conn,
          f.admin,
          keys.map((k) => k.address),
          2,
          52n,
        )
      ).getAddress(),
    );
    const out = await withProtocol(protocol, () => runJson<Out>("cutover:transfer-ownership", { to: safe }));
    expect(out.complete).to.equal(true);
    expect(statuses(out)).to.deep.equal(ALL_PASS);
    const newVault = new Contract(redeploy.deployed.CoreVault, f.vault.interface, f.admin);
    expect(await newVault.hasRole(ZeroHash, safe)).to.equal(true);
    expect(await newVault.hasRole(ZeroHash, f.admin.address)).to.equal(false);
    expect(await verify()).to.deep.equal([]);
  });
});
