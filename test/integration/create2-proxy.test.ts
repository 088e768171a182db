// CREATE2 through the standard deterministic-deployment proxy 0x4e59b44847b379578588920ca78fbf26c0b4956c: installed by
// a plan step from its pre-signed transaction on a chain without it (a local `hardhat node` over HTTP, driven through
// the task's CLI), used where it is (the in-process chain), and the same facet address on both chains.
import { expect } from "chai";
import hre from "hardhat";
import {
  create2Address,
  DETERMINISTIC_DEPLOYER,
  DETERMINISTIC_DEPLOYER_CODE,
  DETERMINISTIC_DEPLOYER_SIGNER,
  facetSalt,
  INSTALL_PROXY_STEP,
} from "../../src/engine/create2.js";
import { deploySystem } from "../../src/mocks/deploy-system.js";
import { finished, hardhat, startNode, type LocalNode } from "../helpers/node.js";
import { conn, freshSystem, nonce, redeployAndRewire, tempAppConfig } from "../helpers/system.js";

describe("CREATE2 through the deterministic-deployment proxy", () => {
  let node: LocalNode;
  let env: Record<string, string>;
  const cli = async (args: string[]) => finished(hardhat([...args, "--network", "localhost"], env));
  const expected = async () =>
    create2Address(
      DETERMINISTIC_DEPLOYER,
      facetSalt("VaultAdminFacet"),
      (await hre.artifacts.readArtifact("VaultAdminFacet")).bytecode,
    );

  before(async () => {
    await tempAppConfig();
    node = await startNode();
    env = { LOCAL_RPC_URL: node.url };
    // a chain without the proxy: the mock system left as it is
    await deploySystem(hre, node.conn, {
      markets: 2,
      users: 0,
      factory: "updatable",
      seed: "create2-node",
      withoutCreate2Proxy: true,
    });
  });

  after(() => node?.stop());

  it("on a chain without it, the plan installs it first (funding its one-time deployer, then its raw transaction)", async () => {
    expect(await node.conn.ethers.provider.getCode(DETERMINISTIC_DEPLOYER)).to.equal("0x");
    const planned = await cli(["corevault:redeploy", "--rewire", "--plan-only", "--verbose"]);
    expect(planned.code, planned.stderr).to.equal(0);
    expect(planned.stdout).to.include("install the standard CREATE2 proxy (absent on this chain)");
    expect(planned.stdout).to.include(
      `top up its one-time deployer ${DETERMINISTIC_DEPLOYER_SIGNER} to 10000000000000000 wei, then send its pre-signed deployment of ${DETERMINISTIC_DEPLOYER}`,
    );

    const run = await cli(["corevault:redeploy", "--rewire", "--json"]);
    expect(run.code, run.stderr).to.equal(0);
    const result = JSON.parse(run.stdout);
    expect(result.complete).to.equal(true);
    const install = result.results.find((r: { id: string }) => r.id === INSTALL_PROXY_STEP);
    expect(install.status).to.equal("done");
    const provider = node.conn.ethers.provider;
    expect((await provider.getCode(DETERMINISTIC_DEPLOYER)).toLowerCase()).to.equal(DETERMINISTIC_DEPLOYER_CODE);
    expect(await provider.getTransactionCount(DETERMINISTIC_DEPLOYER_SIGNER)).to.equal(1);
    const receipt = await provider.getTransactionReceipt(install.txHash);
    expect(receipt?.from).to.equal(DETERMINISTIC_DEPLOYER_SIGNER);
    expect(receipt?.contractAddress).to.equal(DETERMINISTIC_DEPLOYER);
    expect(result.deployed.VaultAdminFacet).to.equal(await expected());
  });

  it("a rerun sends nothing: the proxy is there, the facet too", async () => {
    const [sender] = await node.conn.ethers.getSigners();
    const sent = await nonce(sender.address, node.conn);
    const run = await cli(["corevault:redeploy", "--rewire", "--json"]);
    expect(run.code, run.stderr).to.equal(0);
    expect(JSON.parse(run.stdout).transactionsSent ?? 0).to.equal(0);
    expect(await nonce(sender.address, node.conn)).to.equal(sent);
    expect(await node.conn.ethers.provider.getTransactionCount(DETERMINISTIC_DEPLOYER_SIGNER)).to.equal(1);
  });

  it("where the proxy is (the in-process chain), no install step, and the facet gets the same address", async () => {
    await freshSystem({ seed: "create2-inprocess", markets: 2 });
    expect((await conn.ethers.provider.getCode(DETERMINISTIC_DEPLOYER)).toLowerCase()).to.equal(
      DETERMINISTIC_DEPLOYER_CODE,
    );
    await redeployAndRewire({ redeploy: { json: true }, rewire: { json: true } });
    expect((await conn.ethers.provider.getCode(await expected())).length).to.be.greaterThan(2);
    expect(await node.conn.ethers.provider.getCode(await expected())).to.equal(
      await conn.ethers.provider.getCode(await expected()),
    );
  });
});
