// The app config (contracts module, env file) is written only for networks that outlive the command, and never by
// cutover:demo: the user's .env.local and config/contracts.js are left as they were.
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import { freshSystem, tempAppConfig } from "../helpers/system.js";
import { runJson, runTask } from "../helpers/tasks.js";

const USER_ENV = "NEXT_PUBLIC_CORE_VAULT_ADDRESS=0x0000000000000000000000000000000000000001\nAPP_NAME=mine\n";

describe("app config for the user's project", function () {
  this.timeout(240_000);
  const { appConfig } = hre.config.cutover;

  it("is not written for the in-process chain by default, and verify's app-config checks say why (n/a)", async () => {
    const dir = await tempAppConfig("cutover-policy-");
    appConfig.write = "persistent";
    try {
      await writeFile(appConfig.envFile, USER_ENV);
      await freshSystem({ markets: 2, seed: "app-config-policy" });
      expect((await runJson("corevault:redeploy", {})).complete).to.equal(true);
      expect(await readFile(appConfig.envFile, "utf8")).to.equal(USER_ENV);
      expect(existsSync(path.join(dir, "contracts.js"))).to.equal(false);
      const verify = await runJson("cutover:verify", { skipSmoke: true });
      for (const name of ["app-config.contracts-module", "app-config.env-file"]) {
        const check = verify.checks.find((c: { name: string }) => c.name === name);
        expect(check.status, name).to.equal("n/a");
        expect(check.evidence).to.include("is an in-process chain");
      }
    } finally {
      appConfig.write = "always";
    }
  });

  it("is never written by cutover:demo, even with cutover.appConfig.write 'always'", async () => {
    const dir = await tempAppConfig("cutover-demo-");
    await writeFile(appConfig.envFile, USER_ENV);
    expect(appConfig.write).to.equal("always");
    const text = await runTask("cutover:demo", { markets: 2 });
    expect(text).to.include("the system after the redeploy");
    expect(await readFile(appConfig.envFile, "utf8")).to.equal(USER_ENV);
    expect(existsSync(path.join(dir, "contracts.js"))).to.equal(false);
    expect(appConfig.write, "restored after the demo").to.equal("always");
  });
});
