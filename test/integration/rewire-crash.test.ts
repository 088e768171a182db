// `orderbook:rewire` killed with SIGKILL mid-fleet (a real child process, a node mining on an interval), then run
// again: every diamond ends on the new vault with exactly one DiamondCut, counted from the chain's events.
import { expect } from "chai";
import { id } from "ethers";
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

const MARKETS = 30;
const DIAMOND_CUT_TOPIC = id("DiamondCut((address,uint8,bytes4[])[],address,bytes)");

describe("orderbook:rewire survives SIGKILL mid-fleet with no duplicate cut", function () {
  let node: LocalNode;

  before(async () => {
    node = await startNode();
  });

  after(() => node?.stop());

  for (const k of [2, 12]) {
    it(`killed once ${k} transactions are broadcast, then re-run`, async () => {
      const { conn, url } = node;
      const env = { LOCAL_RPC_URL: url };
      await node.mining();
      const system = await freshSystem({ markets: MARKETS, seed: `rewire-crash-${k}` }, conn);
      const redeploy = await finished(hardhat(["corevault:redeploy", "--network", "localhost", "--json"], env));
      expect(redeploy.code, redeploy.stderr).to.equal(0);
      const newVault = JSON.parse(redeploy.stdout).deployed.CoreVault as string;
      const journal = journalPath("localhost", `orderbook-rewire-${newVault.toLowerCase()}`);

      await node.mining(150);
      const from = (await conn.ethers.provider.getBlockNumber()) + 1;
      const nonceBefore = await nonce(system.admin as string, conn);
      const first = hardhat(["orderbook:rewire", "--network", "localhost", "--json"], env);
      const firstDone = finished(first);
      await killAfterSent(first, journal, k);
      expect((await firstDone).signal).to.equal("SIGKILL");
      const sentBeforeKill = journalEntries(journal).filter((e) => e.type === "sent").length;
      expect(sentBeforeKill).to.be.greaterThanOrEqual(k);

      const second = await finished(hardhat(["orderbook:rewire", "--network", "localhost", "--json"], env));
      expect(second.code, second.stderr).to.equal(0);
      const out = JSON.parse(second.stdout);
      expect(out.complete).to.equal(true);
      await node.mining();

      const cuts = await conn.ethers.provider.getLogs({
        topics: [DIAMOND_CUT_TOPIC],
        fromBlock: from,
        toBlock: "latest",
      });
      for (const market of system.markets) {
        const perDiamond = cuts.filter((log) => log.address.toLowerCase() === market.orderBook.toLowerCase()).length;
        expect(perDiamond, `${market.symbol}: DiamondCut events`).to.equal(1);
      }
      // 30 cuts, plus the facet unless an earlier test on this chain deployed it already
      const sent = (await nonce(system.admin as string, conn)) - nonceBefore;
      expect(sent).to.be.oneOf([MARKETS, MARKETS + 1]);
      expect(cuts).to.have.length(MARKETS);
    });
  }
});
