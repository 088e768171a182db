// `orderbook:rewire --strategy redeploy` on the Dexetra v5 stand-in (and the reference mock), killed with SIGKILL
// mid-run (a real child process, a node mining on an interval), then run again: every market ends with exactly one new
// OrderBook, and the signer sent exactly as many transactions as an uninterrupted run.
import { expect } from "chai";
import { getAddress, Interface } from "ethers";
import hre from "hardhat";
import { deployDexetraSystem } from "../../src/mocks/deploy-dexetra.js";
import { readDexetraRecord } from "../../src/records/dexetra-records.js";
import {
  finished,
  hardhat,
  journalEntries,
  journalPath,
  killAfterSent,
  startNode,
  type LocalNode,
} from "../helpers/node.js";
import { freshSystem, nonce } from "../helpers/system.js";

const MARKETS = 3;
/** 3 deploys, 3 × (register, assign, grant, revoke, deregister), the temporary FACTORY_ROLE granted and renounced. */
const UNINTERRUPTED = MARKETS + MARKETS * 5 + 2;
const CONFIG = ["--config", "hardhat.dexetra.config.ts"];
const raw = new Interface([
  "function marketToOrderBook(bytes32) view returns (address)",
  "function registeredOrderBooks(address) view returns (bool)",
  "function marketStatic() view returns (address vault, bytes32 marketId, bool useVWAP, uint256 vwapWindow)",
]);

describe("orderbook:rewire --strategy redeploy (dexetra-v5, reference) survives SIGKILL with nothing sent twice", function () {
  let node: LocalNode;

  before(async () => {
    node = await startNode();
  });

  after(() => node?.stop());

  async function call(to: string, name: string, args: unknown[] = []) {
    const data = raw.encodeFunctionData(name, args);
    const result = await node.conn.ethers.provider.call({ to, data });
    return raw.decodeFunctionResult(name, result);
  }

  for (const kill of [{ sent: 2 }, { sent: 9 }, { fault: "kill-after-complete:1" }]) {
    const name = kill.sent ? `killed once ${kill.sent} transactions are broadcast` : `killed by ${kill.fault}`;
    it(`${name}, then re-run`, async () => {
      const { conn, url } = node;
      const env = { LOCAL_RPC_URL: url };
      await node.mining();
      const system = await deployDexetraSystem(hre, conn, {
        markets: MARKETS,
        users: 0,
        factory: "immutable",
        seed: `rewire-redeploy-crash-${name}`,
      });
      const redeploy = await finished(
        hardhat([...CONFIG, "corevault:redeploy", "--network", "localhost", "--json"], env),
      );
      expect(redeploy.code, redeploy.stderr).to.equal(0);
      const newVault = getAddress(JSON.parse(redeploy.stdout).deployed.CoreVault);
      const signer = system.record.deployer;
      await crashAndResume(CONFIG, newVault, signer, kill, UNINTERRUPTED);

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
    const env = { LOCAL_RPC_URL: node.url };
    const redeploy = await finished(hardhat(["corevault:redeploy", "--network", "localhost", "--json"], env));
    expect(redeploy.code, redeploy.stderr).to.equal(0);
    const newVault = getAddress(JSON.parse(redeploy.stdout).deployed.CoreVault);
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
    const { conn, url } = node;
    const env = { LOCAL_RPC_URL: url };
    const journal = journalPath("localhost", `orderbook-redeploy-${newVault.toLowerCase()}`);
    const args = [...config, "orderbook:rewire", "--strategy", "redeploy", "--network", "localhost", "--json"];
    await node.mining(150);
    const before = await nonce(signer, conn);
    const first = hardhat(args, kill.fault ? { ...env, CUTOVER_FAULT: kill.fault } : env);
    const firstDone = finished(first);
    if (kill.sent) await killAfterSent(first, journal, kill.sent);
    expect((await firstDone).signal).to.equal("SIGKILL");
    if (kill.sent)
      expect(journalEntries(journal).filter((e) => e.type === "sent").length).to.be.greaterThanOrEqual(kill.sent);
    const second = await finished(hardhat(args, env));
    expect(second.code, second.stderr).to.equal(0);
    expect(JSON.parse(second.stdout).complete).to.equal(true);
    await node.mining();
    expect((await nonce(signer, conn)) - before).to.equal(uninterrupted);
  }
});
