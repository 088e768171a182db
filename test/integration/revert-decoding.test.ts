// A revert of a call whose ABI is a profile's signature names the decoded error, also on a chain that does not know
// the contracts' sources (a production RPC): here an in-process chain whose runtime has the artifacts but no build
// infos, so the chain itself reports "an unrecognized custom error" with the raw data, as a real node does.
import { cp, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import { createHardhatRuntimeEnvironment } from "hardhat/hre";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import userConfig from "../../hardhat.config.js";
import { LOOSE_MMR_BOUNDS } from "../helpers/protocol.js";
import { freshSystem, nonce, tempAppConfig } from "../helpers/system.js";
import { runTask } from "../helpers/tasks.js";

describe("revert reasons through profile signatures, on a chain that does not know the sources", function () {
  let runtime: HardhatRuntimeEnvironment;
  let chain: NetworkConnection;

  before(async () => {
    const appDir = await tempAppConfig("cutover-revert-");
    const artifacts = await mkdtemp(path.join(tmpdir(), "cutover-no-build-info-"));
    await cp(path.join(hre.config.paths.artifacts, "contracts"), path.join(artifacts, "contracts"), {
      recursive: true,
    });
    runtime = await createHardhatRuntimeEnvironment(
      {
        ...userConfig,
        paths: { artifacts },
        networks: { ...userConfig.networks, sourceless: { type: "edr-simulated", chainType: "l1" } },
        cutover: {
          appConfig: { contractsModule: path.join(appDir, "contracts.js"), envFile: path.join(appDir, ".env.local") },
          protocol: LOOSE_MMR_BOUNDS,
          redeploy: { mmrParams: { baseMmrBps: 400, penaltyMmrBps: 150, maxMmrBps: 6000, scalingSlopeBps: 25 } },
        },
      },
      { network: "sourceless" },
      hre.config.paths.root,
    );
    chain = (await runtime.network.getOrCreate()) as NetworkConnection;
  });

  it("a whole-plan refusal names the vault artifact's custom error, decoded, with nothing sent", async () => {
    await freshSystem({ markets: 1, seed: "revert-decoding" }, chain);
    const signer = (await chain.ethers.getSigners())[0].address;
    const before = await nonce(signer, chain);
    const error = await runTask("corevault:redeploy", { json: true }, runtime).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error, "the redeploy should have been refused").to.be.instanceOf(Error);
    expect(error!.message).to.include(".setMmrParams(400, 150, 6000, 25) reverts with");
    expect(error!.message).to.include('InvalidMmrParams("maxMmrBps must be <= 5000")');
    // the chain itself could not decode it: the name comes from the CoreVault artifact the profile names
    expect(error!.message).to.not.include("unrecognized custom error");
    expect(error!.message).to.include("Nothing was sent");
    expect(await nonce(signer, chain)).to.equal(before);
  });
});
