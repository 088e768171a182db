// The app config is keyed by network: a cutover on this network updates its own entry of the contracts module and its
// own env keys, and leaves another network's (here "sepolia") as they were; verify reads this network's entry only.
import { readFile, writeFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { expect } from "chai";
import { Wallet } from "ethers";
import hre from "hardhat";
import { envNetwork, writeContractsModule } from "../../src/records/app-config.js";
import type { VerifyReport } from "../../src/verify/report.js";
import { conn, freshSystem, redeployAndRewire, tempAppConfig } from "../helpers/system.js";
import { withExitCode } from "../helpers/tasks.js";

const SEPOLIA_VAULT = Wallet.createRandom().address;
const SEPOLIA_ENV = `NEXT_PUBLIC_SEPOLIA_CORE_VAULT_ADDRESS=${SEPOLIA_VAULT}`;

async function appChecks() {
  const { printed } = await withExitCode("cutover:verify", { json: true, skipSmoke: true });
  const report = JSON.parse(printed) as VerifyReport;
  return Object.fromEntries(
    report.checks.filter((c) => c.name.startsWith("app-config.")).map((c) => [c.name, c]),
  ) as Record<string, VerifyReport["checks"][number]>;
}

describe("app config keyed by network", function () {
  this.timeout(240_000);
  const { appConfig } = hre.config.cutover;
  const here = conn.networkName;
  const envKey = `NEXT_PUBLIC_${envNetwork(here)}_CORE_VAULT_ADDRESS`;
  let oldVault: string;
  let newVault: string;

  before(async () => {
    await tempAppConfig("cutover-networks-");
    await writeContractsModule(
      appConfig.contractsModule,
      { CORE_VAULT: SEPOLIA_VAULT },
      {
        network: "sepolia",
        chainId: 11155111,
        runId: "sepolia-run",
      },
    );
    await writeFile(appConfig.envFile, `APP_NAME=mine\n${SEPOLIA_ENV}\n`);
    oldVault = (await freshSystem({ markets: 2, seed: "app-config-networks" })).contracts.CORE_VAULT;
    ({ newVault } = await redeployAndRewire({ redeploy: { allowEoa: true } }));
  });

  it("a cutover writes this network's entry and keys and leaves sepolia's as they were", async () => {
    const module = await import(`${pathToFileURL(appConfig.contractsModule).href}?t=${Date.now()}`);
    expect(module.NETWORKS.sepolia).to.deep.equal({
      chainId: 11155111,
      runId: "sepolia-run",
      contracts: { CORE_VAULT: SEPOLIA_VAULT },
    });
    expect(module.CONTRACTS[here].CORE_VAULT).to.equal(newVault);
    expect(module.CONTRACTS_BY_CHAIN_ID[Number((await conn.ethers.provider.getNetwork()).chainId)].CORE_VAULT).to.equal(
      newVault,
    );
    const env = (await readFile(appConfig.envFile, "utf8")).split("\n");
    expect(env.slice(0, 2)).to.deep.equal(["APP_NAME=mine", SEPOLIA_ENV]);
    expect(env).to.include(`${envKey}=${newVault}`);
  });

  it("verify reads this network's entry: another network holding this network's old vault is not stale", async () => {
    // With CREATE2 the same address can be live on one network and replaced on another.
    await writeContractsModule(
      appConfig.contractsModule,
      { CORE_VAULT: oldVault },
      {
        network: "sepolia",
        chainId: 11155111,
      },
    );
    const envText = await readFile(appConfig.envFile, "utf8");
    await writeFile(
      appConfig.envFile,
      envText.replace(SEPOLIA_ENV, `NEXT_PUBLIC_SEPOLIA_CORE_VAULT_ADDRESS=${oldVault}`),
    );
    const checks = await appChecks();
    expect(checks["app-config.contracts-module"].status).to.equal("pass");
    expect(checks["app-config.contracts-module"].evidence).to.include(`${here} addresses checked`);
    expect(checks["app-config.env-file"].status).to.equal("pass");
    expect(checks["app-config.env-file"].evidence).to.include(`NEXT_PUBLIC_${envNetwork(here)}_*_ADDRESS keys`);
  });

  it("verify fails when this network's entry or key is stale, naming the network", async () => {
    const envText = await readFile(appConfig.envFile, "utf8");
    await writeFile(appConfig.envFile, envText.replace(`${envKey}=${newVault}`, `${envKey}=${oldVault}`));
    await writeContractsModule(
      appConfig.contractsModule,
      { CORE_VAULT: SEPOLIA_VAULT },
      {
        network: here,
        chainId: Number((await conn.ethers.provider.getNetwork()).chainId),
      },
    );
    const checks = await appChecks();
    expect(checks["app-config.env-file"].status).to.equal("fail");
    expect(checks["app-config.env-file"].failures[0]).to.include({
      subject: `${envKey} in ${appConfig.envFile}`,
      found: oldVault,
    });
    expect(checks["app-config.contracts-module"].status).to.equal("fail");
    const vault = checks["app-config.contracts-module"].failures.find((f) => f.subject.startsWith("CORE_VAULT "));
    expect(vault).to.include({
      subject: `CORE_VAULT (${here}) in ${appConfig.contractsModule}`,
      expected: newVault,
      found: SEPOLIA_VAULT,
    });
  });
});
