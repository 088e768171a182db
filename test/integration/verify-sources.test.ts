// `cutover:verify --sources` through the task, on a `hardhat node` whose chain id is 4242 (hardhat-verify refuses
// 31337 and 1337), against a block explorer on 127.0.0.1 that speaks the Etherscan API. The Hardhat runtime here is
// created for that network with the explorer in its chain descriptors, as a user's config would have it.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { AbiCoder } from "ethers";
import hre from "hardhat";
import { createHardhatRuntimeEnvironment } from "hardhat/hre";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import userConfig from "../../hardhat.config.js";
import type { VerifyReport } from "../../src/verify/report.js";
import { startExplorer, type LocalExplorer } from "../helpers/explorer.js";
import { freePort, hardhat, waitForRpc } from "../helpers/node.js";
import { redeployAndRewire } from "../helpers/system.js";
import { withExitCode } from "../helpers/tasks.js";

const CHAIN_ID = 4242;
const NETWORK = "verifysources";
const API_KEY = "cutover-test-key";

const run = (runtime: HardhatRuntimeEnvironment, name: string, args: Record<string, unknown>) =>
  withExitCode(name, args, runtime);

describe("cutover:verify --sources", () => {
  const root = hre.config.paths.root;
  let node: ReturnType<typeof hardhat>;
  let explorer: LocalExplorer;
  let runtime: HardhatRuntimeEnvironment;
  let conn: NetworkConnection;
  let tmp: string;

  before(async () => {
    const port = await freePort();
    node = hardhat(["node", "--hostname", "127.0.0.1", "--port", String(port), "--chain-id", String(CHAIN_ID)]);
    explorer = await startExplorer(API_KEY);
    process.env.ETHERSCAN_API_KEY = API_KEY;
    tmp = await mkdtemp(path.join(tmpdir(), "cutover-sources-"));
    const url = `http://127.0.0.1:${port}`;
    runtime = await createHardhatRuntimeEnvironment(
      {
        ...userConfig,
        networks: { ...userConfig.networks, [NETWORK]: { type: "http", chainType: "l1", url } },
        chainDescriptors: {
          ...userConfig.chainDescriptors,
          [CHAIN_ID]: {
            name: "cutover test chain",
            hardforkHistory: { prague: { blockNumber: 0 } },
            blockExplorers: { etherscan: { name: "local explorer", url: explorer.url, apiUrl: explorer.apiUrl } },
          },
        },
        cutover: {
          appConfig: { contractsModule: path.join(tmp, "contracts.js"), envFile: path.join(tmp, ".env.local") },
        },
      },
      { network: NETWORK },
      root,
    );
    conn = (await runtime.network.getOrCreate()) as NetworkConnection;
    await waitForRpc(conn);
    const [, admin] = await conn.ethers.getSigners();
    await run(runtime, "mocks:deploy-system", {
      markets: 2,
      users: 0,
      factory: "immutable",
      seed: "sources",
      json: true,
    });
    await redeployAndRewire(
      { redeploy: { admin: admin.address, allowEoa: true, yes: true }, rewire: { yes: true } },
      runtime,
    );
  });

  after(async () => {
    node?.kill("SIGKILL");
    await explorer?.close();
    delete process.env.ETHERSCAN_API_KEY;
    await rm(path.join(root, "deployments", NETWORK), { recursive: true, force: true });
    await rm(path.join(root, "deployments", `${NETWORK}-deployment.json`), { force: true });
  });

  it("checks every deployed contract against its artifact, then verifies each on the explorer with its constructor arguments and libraries", async () => {
    const { printed, exitCode } = await run(runtime, "cutover:verify", {
      json: true,
      sources: true,
      skipSmoke: true,
      reportDir: tmp,
    });
    const report = JSON.parse(printed) as VerifyReport;
    expect(report.chainId).to.equal(CHAIN_ID);
    expect(report.checks.filter((c) => c.status === "fail")).to.deep.equal([]);
    expect(exitCode).to.equal(0);
    const bytecode = report.checks.find((c) => c.name === "sources.bytecode")!;
    expect(bytecode.evidence).to.equal("3/3 match: CoreVault, FuturesMarketFactory, VaultAdminFacet");
    expect(report.checks.find((c) => c.name === "sources.explorer")!.evidence).to.equal(
      "3/3 verified: CoreVault verified, FuturesMarketFactory verified, VaultAdminFacet verified",
    );

    const records = JSON.parse(await readFile(path.join(root, "deployments", `${NETWORK}-deployment.json`), "utf8"));
    const facetAddress = JSON.parse(
      await readFile(path.join(root, "deployments", NETWORK, "VaultAdminFacet.json"), "utf8"),
    ).address as string;
    const [deployer] = await conn.ethers.getSigners();
    expect(explorer.submissions.map((s) => [s.address, s.contractName, s.chainId])).to.deep.equal([
      [report.newVault.toLowerCase(), "project/contracts/vault/CoreVault.sol:CoreVault", String(CHAIN_ID)],
      [
        records.contracts.FUTURES_MARKET_FACTORY.toLowerCase(),
        "project/contracts/factory/FuturesMarketFactory.sol:FuturesMarketFactoryImmutable",
        String(CHAIN_ID),
      ],
      [
        facetAddress.toLowerCase(),
        "project/contracts/orderbook/facets/VaultAdminFacet.sol:VaultAdminFacet",
        String(CHAIN_ID),
      ],
    ]);
    const [vault, factory, facet] = explorer.submissions;
    // constructor arguments from the records: CoreVault(collateral, deployer), linked to the existing libraries
    expect(vault.constructorArguments).to.equal(
      AbiCoder.defaultAbiCoder().encode(["address", "address"], [records.contracts.USDC, deployer.address]).slice(2),
    );
    expect(vault.libraries).to.deep.equal({
      "project/contracts/vault/VaultAnalytics.sol": { VaultAnalytics: records.contracts.VAULT_ANALYTICS },
      "project/contracts/vault/PositionManager.sol": { PositionManager: records.contracts.POSITION_MANAGER },
    });
    expect(vault.compilerVersion).to.match(/^v0\.8\.30\+commit\./);
    expect(factory.constructorArguments.slice(0, 64)).to.equal(
      report.newVault.slice(2).toLowerCase().padStart(64, "0"),
    );
    expect(facet.constructorArguments).to.equal("");
    expect(explorer.verified.size).to.equal(3);

    // a second run finds them verified and submits nothing
    const again = JSON.parse(
      (await run(runtime, "cutover:verify", { json: true, sources: true, skipSmoke: true, reportDir: tmp })).printed,
    ) as VerifyReport;
    expect(again.failed).to.equal(0);
    expect(explorer.submissions).to.have.length(3);
  });

  it("refuses to submit a contract whose code is not its artifact's, and says so in both checks", async () => {
    const facet = explorer.submissions[2].address;
    const other = (await runtime.artifacts.readArtifact("OwnershipFacet")).deployedBytecode;
    await conn.provider.request({ method: "hardhat_setCode", params: [facet, other] });
    const { printed, exitCode } = await run(runtime, "cutover:verify", {
      json: true,
      sources: true,
      skipSmoke: true,
      reportDir: tmp,
    });
    const report = JSON.parse(printed) as VerifyReport;
    expect(exitCode).to.equal(1);
    expect(report.checks.filter((c) => c.status === "fail").map((c) => c.name)).to.deep.equal([
      "orderbooks.facets",
      "sources.bytecode",
      "sources.explorer",
    ]);
    const [mismatch] = report.checks.find((c) => c.name === "sources.bytecode")!.failures;
    expect(mismatch.subject).to.match(/^VaultAdminFacet 0x[0-9a-fA-F]{40} \(VaultAdminFacet\)$/);
    expect(mismatch.found).to.match(/^runtime size \d+ bytes, the artifact's is \d+$/);
    expect(report.checks.find((c) => c.name === "sources.explorer")!.failures[0].found).to.equal(
      "not submitted: its code is not the artifact's (sources.bytecode)",
    );
  });
});
