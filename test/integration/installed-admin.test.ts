// corevault:roles and cutover:verify agree on who is expected: the admin a redeploy installed (--admin) is in the
// records, so roles does not flag it as an unknown holder, and verify passes its admin checks.
import { expect } from "chai";
import { readSystemRecord } from "../../src/records/records.js";
import hre from "hardhat";
import { conn, freshSystem, tempAppConfig } from "../helpers/system.js";
import { runJson } from "../helpers/tasks.js";

await tempAppConfig();
const admin = (await conn.ethers.getSigners())[5].address;

describe("the admin a redeploy installed", function () {
  this.timeout(180_000);

  it("is in the records, expected by corevault:roles and by cutover:verify", async () => {
    await freshSystem({ markets: 3, seed: "installed-admin" });
    const redeploy = await runJson("corevault:redeploy", { admin, allowEoa: true, rewire: true });
    expect(redeploy.complete).to.equal(true);
    const records = await readSystemRecord(hre.config.paths.root, conn.networkName);
    expect(records.admin).to.equal(admin);

    const roles = await runJson("corevault:roles");
    const row = roles.holders.find((h: { account: string }) => h.account.toLowerCase() === admin.toLowerCase());
    expect(row.roles).to.deep.equal(["DEFAULT_ADMIN_ROLE"]);
    expect(row.name).to.equal("admin");
    expect(
      roles.flags.filter((f: { account: string }) => f.account.toLowerCase() === admin.toLowerCase()),
    ).to.deep.equal([]);

    const verify = await runJson("cutover:verify", { skipSmoke: true });
    const adminChecks = verify.checks.filter((c: { name: string }) => c.name.startsWith("roles."));
    expect(adminChecks.map((c: { status: string }) => c.status)).to.not.include("fail");
  });
});
