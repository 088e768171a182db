// Our records read by the real hardhat-deploy v2 (rocketh 0.17.15, @rocketh/node 0.17.18, @rocketh/deploy 0.17.9) on
// the in-process chain: its idempotent `deploy(<Name>, same artifact, args, libraries)` must report every contract
// we deployed as reused (no transaction, record untouched), for both records layouts and for what a run deployed.
import { readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import { deploy } from "@rocketh/deploy";
import { loadEnvironmentFromFiles } from "@rocketh/node";
import { loadArtifact } from "../../src/artifacts.js";
import { conn, nonce, redeployAndRewire, tempAppConfig } from "../helpers/system.js";
import { runTask } from "../helpers/tasks.js";

const root = hre.config.paths.root;
const folder = () => path.join(root, "deployments", conn.networkName);

async function rocketh() {
  return loadEnvironmentFromFiles({
    provider: conn.provider as never,
    environment: conn.networkName,
    saveDeployments: true,
    config: { deployments: path.join(root, "deployments"), accounts: { deployer: 0 } } as never,
  });
}

async function recordFiles(): Promise<Record<string, string>> {
  const names = (await readdir(folder())).filter((f) => f.endsWith(".json"));
  return Object.fromEntries(
    await Promise.all(names.map(async (f) => [f, await readFile(path.join(folder(), f), "utf8")])),
  );
}

/** Runs hardhat-deploy's deploy() for every record with the record's own artifact, args and libraries. */
async function redeployEveryRecord(): Promise<{ name: string; newlyDeployed: boolean; address: string }[]> {
  const env = await rocketh();
  const run = deploy(env as never);
  const deployer = (env as unknown as { namedAccounts: { deployer: `0x${string}` } }).namedAccounts.deployer;
  const results = [];
  for (const file of Object.keys(await recordFiles())) {
    const name = file.slice(0, -".json".length);
    const record = JSON.parse(await readFile(path.join(folder(), file), "utf8"));
    const artifact = await loadArtifact(hre, record.contractName);
    const result = await run(
      name,
      { account: deployer, artifact: artifact as never, args: record.args } as never,
      { libraries: record.libraries } as never,
    );
    results.push({ name, newlyDeployed: result.newlyDeployed, address: result.address });
  }
  return results;
}

async function expectAllReused(): Promise<number> {
  const before = await recordFiles();
  const chainFile = await readFile(path.join(folder(), ".chain"), "utf8");
  const sent = await nonce();
  const results = await redeployEveryRecord();
  expect(results.filter((r) => r.newlyDeployed).map((r) => r.name)).to.deep.equal([]);
  expect(await nonce()).to.equal(sent);
  expect(await recordFiles()).to.deep.equal(before);
  expect(await readFile(path.join(folder(), ".chain"), "utf8")).to.equal(chainFile);
  expect(await readFile(path.join(folder(), ".chainId"), "utf8")).to.equal("31337");
  return results.length;
}

describe("records round-trip with hardhat-deploy v2", () => {
  before(async () => {
    await tempAppConfig();
  });

  // leave the shared chain's records as a system deploy writes them (these tests delete and rewrite some)
  after(() => runTask("mocks:deploy-system", { markets: 1, users: 0, seed: "hd-after", json: true }));

  it("reference layout, plus a redeploy and a rewire: every record is reused, nothing sent, no file rewritten", async () => {
    await runTask("mocks:deploy-system", { markets: 2, users: 0, seed: "hd-roundtrip", json: true });
    await redeployAndRewire({ redeploy: { json: true }, rewire: { json: true } });
    const chain = JSON.parse(await readFile(path.join(folder(), ".chain"), "utf8"));
    expect(chain).to.deep.equal({ chainId: "31337", genesisHash: (await conn.ethers.provider.getBlock(0))!.hash });
    const vault = JSON.parse(await readFile(path.join(folder(), "CoreVault.json"), "utf8"));
    expect(vault).to.include.keys([
      "argsData",
      "bytecode",
      "deployedBytecode",
      "linkReferences",
      "metadata",
      "transaction",
    ]);
    expect(vault.transaction.origin).to.equal((await conn.ethers.getSigners())[0].address);
    const count = await expectAllReused();
    expect(count).to.be.at.least(15);
  });

  it("dexetra-v5 layout: every record, OrderBooks included, is reused", async () => {
    await runTask("mocks:deploy-system", {
      profile: "dexetra-v5",
      markets: 2,
      users: 0,
      seed: "hd-dexetra",
      json: true,
    });
    const book = (await readdir(folder())).find((f) => f.startsWith("OrderBook_"))!;
    expect(JSON.parse(await readFile(path.join(folder(), book), "utf8")).contractName).to.equal("DexetraDiamond");
    expect(await expectAllReused()).to.be.greaterThan(10);
  });

  it("without records of ours, hardhat-deploy's files are the starting point: the vault, its OrderBooks found on chain", async () => {
    await runTask("mocks:deploy-system", { markets: 3, users: 0, seed: "hd-start", json: true });
    await rm(path.join(root, "deployments", `${conn.networkName}-deployment.json`));
    const vault = JSON.parse(await readFile(path.join(folder(), "CoreVault.json"), "utf8")).address;
    const sent = await nonce();
    const printed = JSON.parse(await runTask("corevault:redeploy", { planOnly: true, json: true, replan: true }));
    expect(await nonce()).to.equal(sent);
    expect(printed.plan.facts["oldVault.address"]).to.equal(vault.toLowerCase());
    expect(printed.plan.facts["oldVault.orderBooks"].split(",")).to.have.length(3);
    const markets = Object.keys(printed.plan.facts).filter((k) => k.startsWith("oldVault.market."));
    expect(markets).to.have.length(3);
    const deployVault = printed.plan.steps.find((s: { id: string }) => s.id === "deploy:CoreVault");
    const usdc = JSON.parse(await readFile(path.join(folder(), "USDC.json"), "utf8")).address;
    expect(deployVault.args[0]).to.equal(usdc);
  });

  it("a deploy with other arguments is not reused: hardhat-deploy sends it and rewrites the record", async () => {
    const env = await rocketh();
    const deployer = (env as unknown as { namedAccounts: { deployer: `0x${string}` } }).namedAccounts.deployer;
    const record = JSON.parse(await readFile(path.join(folder(), "CollateralHub.json"), "utf8"));
    const artifact = await loadArtifact(hre, record.contractName);
    const sent = await nonce();
    const result = await deploy(env as never)("CollateralHub", {
      account: deployer,
      artifact: artifact as never,
      args: [...record.args.slice(0, -1), "0x000000000000000000000000000000000000dEaD"],
    } as never);
    expect(result.newlyDeployed).to.equal(true);
    expect(await nonce()).to.equal(sent + 1);
    expect(JSON.parse(await readFile(path.join(folder(), "CollateralHub.json"), "utf8")).address).to.not.equal(
      record.address,
    );
  });
});
