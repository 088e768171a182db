// `orderbook:rewire --strategy redeploy` on the Dexetra v5 stand-in (and the reference mock), killed with SIGKILL
// mid-run (a real child process, a node mining on an interval), then run again: every market ends with exactly one new
// OrderBook, and the signer sent exactly as many transactions as an uninterrupted run.
import { expect } from "chai";
import { getAddress, Interface } from "ethers";
import hre from "hardhat";
import { deployDexetraSystem } from "../../src/mocks/deploy-dexetra.js";
import { readDexetraRecord } from "../../src/records/dexetra-records.js";
import { crashNode, DEXETRA_CONFIG, killAndRerun, nodeRuntime, setUp } from "../helpers/crash.js";
import { journalPath, type LocalNode } from "../helpers/node.js";
import { freshSystem, nonce } from "../helpers/system.js";

const MARKETS = 3;
/** 3 deploys, 3 × (register, assign, grant, revoke, deregister), the temporary FACTORY_ROLE granted and renounced. */
const UNINTERRUPTED = MARKETS + MARKETS * 5 + 2;
const raw = new Interface([
  "function marketToOrderBook(bytes32) view returns (address)",
  "function registeredOrderBooks(address) view returns (bool)",
  "function marketStatic() view returns (address vault, bytes32 marketId, bool useVWAP, uint256 vwapWindow)",
]);

describe("orderbook:rewire --strategy redeploy (dexetra-v5, reference) survives SIGKILL with nothing sent twice", function () {
  let node: LocalNode;

  before(async () => {
    node = await crashNode();
  });

  async function call(to: string, name: string, args: unknown[] = []) {
    const data = raw.encodeFunctionData(name, args);
    const result = await node.conn.ethers.provider.call({ to, data });
    return raw.decodeFunctionResult(name, result);
  }

  for (const kill of [{ sent: 2 }, { sent: 9 }, { fault: "kill-after-complete:1" }]) {
    const name = kill.sent ? `killed once ${kill.sent} transactions are broadcast` : `killed by ${kill.fault}`;
    it(`${name}, then re-run`, async () => {
      await node.mining();
      const system = await deployDexetraSystem(hre, node.conn, {
        markets: MARKETS,
        users: 0,
        factory: "immutable",
        seed: `rewire-redeploy-crash-${name}`,
      });
      const redeploy = await setUp(await nodeRuntime(node, "dexetra-v5"), "corevault:redeploy");
      const newVault = getAddress(redeploy.deployed.CoreVault);
      const signer = system.record.deployer;
      await crashAndResume(DEXETRA_CONFIG, newVault, signer, kill, UNINTERRUPTED);

      for (const market of system.markets) {
        const [fresh] = await call(newVault, "marketToOrderBook", [market.marketId]);
        expect(fresh).to.not.equal(market.orderBook);
        const [vault, marketId] = await call(fresh, "marketStatic");
        expect([vault, marketId]).to.deep.equal([newVault, market.marketId]);
        expect((await call(newVault, "registeredOrderBooks", [market.orderBook]))[0]).to.equal(false);
      }
      // the records were written by the run that completed, whichever it was
      const record = await readDexetraRecord(hre.config.paths.root, "localhost");
      const [alu] = await call(newVault, "marketToOrderBook", [system.markets[0].marketId]);
      expect(record.contracts.ALUMINUM_ORDERBOOK).to.equal(alu);
    });
  }

  it("on reference (one multicall per market): killed once 3 transactions are broadcast, then re-run", async () => {
    await node.mining();
    const system = await freshSystem({ markets: MARKETS, seed: "rewire-redeploy-crash-reference" }, node.conn);
    const redeploy = await setUp(await nodeRuntime(node, "reference"), "corevault:redeploy");
    const newVault = getAddress(redeploy.deployed.CoreVault);
    // 3 deploys, 3 multicalls, the temporary FACTORY_ROLE granted and renounced
    await crashAndResume([], newVault, system.admin as string, { sent: 3 }, MARKETS * 2 + 2);
    const vault = new Interface(["function marketToOrderBook(bytes32) view returns (address)"]);
    const view = new Interface([
      "function vault() view returns (address)",
      "function marketId() view returns (bytes32)",
    ]);
    const provider = node.conn.ethers.provider;
    for (const market of system.markets) {
      const data = vault.encodeFunctionData("marketToOrderBook", [market.marketId]);
      const [fresh] = vault.decodeFunctionResult("marketToOrderBook", await provider.call({ to: newVault, data }));
      expect(fresh).to.not.equal(market.orderBook);
      const read = async (fn: string) =>
        view.decodeFunctionResult(fn, await provider.call({ to: fresh, data: view.encodeFunctionData(fn) }))[0];
      expect([await read("vault"), await read("marketId")]).to.deep.equal([newVault, market.marketId]);
    }
  });

  /** The rewire killed as told, then run again: it completes and the signer sent exactly `uninterrupted` transactions. */
  async function crashAndResume(
    config: string[],
    newVault: string,
    signer: string,
    kill: { sent?: number; fault?: string },
    uninterrupted: number,
  ): Promise<void> {
    const journal = journalPath("localhost", `orderbook-redeploy-${newVault.toLowerCase()}`);
    const args = [...config, "orderbook:rewire", "--strategy", "redeploy", "--network", "localhost", "--json"];
    const before = await nonce(signer, node.conn);
    await killAndRerun(node, { args, journal, killAfterSent: kill.sent, fault: kill.fault });
    await node.mining();
    expect((await nonce(signer, node.conn)) - before).to.equal(uninterrupted);
  }
});
