// `cutover:verify` fails on a wrong library, through the task, on the reference mock and on the dexetra-v5 stand-in:
// the links read from the new vault's runtime code are compared with the records, and the code at each linked
// address with the library artifact's. The chain is altered the way a wrong deployment leaves it (hardhat_setCode),
// then restored from a snapshot.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import { Contract, getAddress } from "ethers";
import hre from "hardhat";
import { loadArtifact } from "../../src/artifacts.js";
import { resolveProfile } from "../../src/profile/resolve.js";
import type { ProtocolUserConfig } from "../../src/profile/schema.js";
import { standInProtocol } from "../helpers/dexetra.js";
import { conn, freshSystem, redeployAndRewire, tempAppConfig } from "../helpers/system.js";
import { runJson, runTask, withExitCode } from "../helpers/tasks.js";

const tmp = await tempAppConfig("cutover-verify-libraries-");
const provider = conn.provider;

interface Failure {
  subject: string;
  expected: string;
  found: string;
  fix: string;
}
interface Report {
  checks: { name: string; status: string; evidence: string; failures: Failure[] }[];
}

async function verify(): Promise<{ report: Report; exitCode: number }> {
  const { printed, exitCode } = await withExitCode("cutover:verify", {
    json: true,
    skipSmoke: true,
    reportDir: path.join(tmp, "report"),
  });
  return { report: JSON.parse(printed) as Report, exitCode };
}

const check = (report: Report, name: string) => report.checks.find((c) => c.name === name)!;
const failing = (report: Report) => report.checks.filter((c) => c.status === "fail").map((c) => c.name);

/** `code` with each library's link references pointing at `links[name]`. */
async function relinked(code: string, artifactName: string, links: Record<string, string>): Promise<string> {
  const refs = (await loadArtifact(hre, artifactName)).deployedLinkReferences ?? {};
  let out = code.toLowerCase();
  for (const libs of Object.values(refs))
    for (const [name, ranges] of Object.entries(libs))
      for (const { start, length } of ranges) {
        const from = 2 + start * 2;
        out = out.slice(0, from) + links[name].toLowerCase().slice(2) + out.slice(from + length * 2);
      }
  return out;
}

/** A library's runtime code deployed at `at`: the artifact's, with the call guard (PUSH20 <address>) set to `at`. */
async function libraryCodeAt(name: string, at: string): Promise<string> {
  const code = (await loadArtifact(hre, name)).deployedBytecode.toLowerCase();
  return `0x73${at.toLowerCase().slice(2)}${code.slice(44)}`;
}

const setCode = (address: string, code: string) =>
  provider.request({ method: "hardhat_setCode", params: [address, code] });

/** The wrong-library cases, for a vault artifact and its two libraries (VaultAnalytics, PositionManager roles). */
function wrongLibraryCases(
  setup: () => Promise<{ newVault: string; libraries: [string, string]; addresses: [string, string] }>,
  vaultArtifact: string,
  protocol?: () => ProtocolUserConfig,
) {
  let newVault: string;
  let names: [string, string];
  let addresses: [string, string];
  let snapshot: string;
  const run = async () => {
    const active = hre.config.cutover.protocol;
    if (protocol) hre.config.cutover.protocol = resolveProfile(protocol());
    try {
      return await verify();
    } finally {
      hre.config.cutover.protocol = active;
    }
  };

  before(async () => {
    ({ newVault, libraries: names, addresses } = await setup());
  });
  beforeEach(async () => {
    snapshot = (await provider.request({ method: "evm_snapshot" })) as string;
  });
  afterEach(async () => {
    process.exitCode = 0;
    await provider.request({ method: "evm_revert", params: [snapshot] });
  });

  it("passes after a clean cutover", async () => {
    const { report, exitCode } = await run();
    expect(failing(report)).to.deep.equal([]);
    expect(exitCode).to.equal(0);
    const library = check(report, "vault.library-code");
    expect(library.status).to.equal("pass");
    expect(library.evidence).to.include(`${names[0]}=${addresses[0].slice(0, 6)}`);
  });

  it("swapped libraries in the vault's code: each named, with the address found and the recorded one", async () => {
    const code = (await provider.request({ method: "eth_getCode", params: [newVault, "latest"] })) as string;
    await setCode(
      newVault,
      await relinked(code, vaultArtifact, { [names[0]]: addresses[1], [names[1]]: addresses[0] }),
    );
    const { report, exitCode } = await run();
    expect(exitCode).to.equal(1);
    expect(failing(report)).to.include("vault.library-code");
    const failures = check(report, "vault.library-code").failures;
    const linked = failures.find((f) => f.subject === `library ${names[0]} linked into the new vault`);
    expect(linked).to.include({ expected: `${addresses[0]} (the records' VAULT_ANALYTICS)`, found: addresses[1] });
    expect(linked!.fix).to.include(`linking the deployed ${names[0]} (corevault:redeploy --libraries)`);
    expect(failures.find((f) => f.subject === `library ${names[0]} at ${addresses[1]}`)).to.include({
      found: `the ${names[1]} library's code`,
    });
    expect(failures.find((f) => f.subject === `library ${names[1]} linked into the new vault`)).to.include({
      expected: `${addresses[1]} (the records' POSITION_MANAGER)`,
      found: addresses[0],
    });
    expect(failures).to.have.length(4);
  });

  it("a library with the wrong code at the linked, recorded address", async () => {
    await setCode(addresses[0], await libraryCodeAt(names[1], addresses[0]));
    const { report, exitCode } = await run();
    expect(exitCode).to.equal(1);
    expect(failing(report)).to.deep.equal(["vault.library-code"]);
    const [failure] = check(report, "vault.library-code").failures;
    expect(failure.subject).to.equal(`library ${names[0]} at ${addresses[0]}`);
    expect(failure.expected).to.match(new RegExp(`^the ${names[0]} artifact's runtime code \\(\\d+ bytes\\)$`));
    expect(failure.found).to.equal(`the ${names[1]} library's code`);
  });

  it("a linked library without code", async () => {
    await setCode(addresses[1], "0x");
    const { report } = await run();
    expect(failing(report)).to.deep.equal(["vault.library-code"]);
    expect(check(report, "vault.library-code").failures[0]).to.include({
      subject: `library ${names[1]} at ${addresses[1]}`,
      found: "no code there",
    });
  });
}

describe("cutover:verify fails on a wrong library", () => {
  describe("reference mock", () => {
    wrongLibraryCases(async () => {
      const system = await freshSystem({ markets: 2, seed: "verify-libraries" });
      const admin = (await conn.ethers.getSigners())[5].address;
      const { newVault } = await redeployAndRewire({ redeploy: { admin, allowEoa: true } });
      return {
        newVault,
        libraries: ["VaultAnalytics", "PositionManager"],
        addresses: [getAddress(system.contracts.VAULT_ANALYTICS), getAddress(system.contracts.POSITION_MANAGER)],
      };
    }, "CoreVault");
  });

  it("a redeploy linking newly deployed libraries (--libraries): the records name them and verify passes", async () => {
    const system = await freshSystem({ markets: 2, seed: "verify-libraries-new" });
    const deployed = await Promise.all(
      ["VaultAnalytics", "PositionManager"].map(async (name) => (await conn.ethers.deployContract(name)).getAddress()),
    );
    const admin = (await conn.ethers.getSigners())[5].address;
    await redeployAndRewire({
      redeploy: { admin, allowEoa: true, libraries: `VaultAnalytics=${deployed[0]},PositionManager=${deployed[1]}` },
    });
    const records = JSON.parse(
      await readFile(path.join(hre.config.paths.root, "deployments", `${conn.networkName}-deployment.json`), "utf8"),
    );
    expect([records.contracts.VAULT_ANALYTICS, records.contracts.POSITION_MANAGER]).to.deep.equal(deployed);
    expect(
      records.superseded.filter((e: Record<string, string>) => e.VAULT_ANALYTICS === system.contracts.VAULT_ANALYTICS),
    ).to.have.length(1);
    const { report, exitCode } = await verify();
    expect(failing(report)).to.deep.equal([]);
    expect(exitCode).to.equal(0);
    expect(check(report, "vault.library-code").evidence).to.include(`VaultAnalytics=${deployed[0].slice(0, 6)}`);
  });

  describe("dexetra-v5 stand-in", () => {
    let protocol: ProtocolUserConfig;
    wrongLibraryCases(
      async () => {
        await runTask("mocks:deploy-system", {
          profile: "dexetra-v5",
          markets: 2,
          users: 0,
          seed: "verify-libraries-dexetra",
          json: true,
        });
        const signers = await conn.ethers.getSigners();
        protocol = standInProtocol(signers[0].address);
        const records = await import("../../src/records/dexetra-records.js").then((m) =>
          m.readDexetraRecord(hre.config.paths.root, conn.networkName),
        );
        const active = hre.config.cutover.protocol;
        const redeployConfig = hre.config.cutover.redeploy as Record<string, unknown>;
        hre.config.cutover.protocol = resolveProfile(protocol);
        // the profile's own six-value setter, within the bounds it declares: sent as given (verify checks them too)
        redeployConfig.mmrParams = [500, 200, 3000, 50, 12, 9];
        try {
          const outcome = await runJson("corevault:redeploy", {
            rewire: true,
            haltOld: true,
            admin: signers[5].address,
            allowEoa: true,
          });
          expect(outcome.complete).to.equal(true);
          const vault = new Contract(
            outcome.deployed.CoreVault,
            [
              "function mmrLiquidityDepthLevels() view returns (uint256)",
              "function priceGapSlopeBps() view returns (uint256)",
            ],
            conn.ethers.provider,
          );
          expect([await vault.mmrLiquidityDepthLevels(), await vault.priceGapSlopeBps()]).to.deep.equal([12n, 9n]);
          return {
            newVault: getAddress(outcome.deployed.CoreVault),
            libraries: ["DexetraVaultAnalytics", "DexetraPositionManager"],
            addresses: [getAddress(records.contracts.VAULT_ANALYTICS), getAddress(records.contracts.POSITION_MANAGER)],
          };
        } finally {
          hre.config.cutover.protocol = active;
          delete redeployConfig.mmrParams;
        }
      },
      "DexetraCoreVault",
      () => protocol,
    );
  });
});
