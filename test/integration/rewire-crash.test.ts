// `orderbook:rewire` killed with SIGKILL mid-fleet (a real child process, a node mining on an interval), then run
// again: every diamond ends on the new vault with exactly one DiamondCut, counted from the chain's events.
import { expect } from "chai";
import { id } from "ethers";
import { crashNode, killAndRerun, nodeRuntime, setUp } from "../helpers/crash.js";
import { journalPath, type LocalNode } from "../helpers/node.js";
import { freshSystem, nonce } from "../helpers/system.js";

const MARKETS = 30;
const DIAMOND_CUT_TOPIC = id("DiamondCut((address,uint8,bytes4[])[],address,bytes)");

describe("orderbook:rewire survives SIGKILL mid-fleet with no duplicate cut", function () {
  let node: LocalNode;

  before(async () => {
    node = await crashNode();
  });

  for (const k of [2, 12]) {
    it(`killed once ${k} transactions are broadcast, then re-run`, async () => {
      const { conn } = node;
      await node.mining();
      const system = await freshSystem({ markets: MARKETS, seed: `rewire-crash-${k}` }, conn);
      const redeploy = await setUp(await nodeRuntime(node, "reference"), "corevault:redeploy");
      const newVault = redeploy.deployed.CoreVault as string;
      const journal = journalPath("localhost", `orderbook-rewire-${newVault.toLowerCase()}`);

      const from = (await conn.ethers.provider.getBlockNumber()) + 1;
      const nonceBefore = await nonce(system.admin as string, conn);
      const args = ["orderbook:rewire", "--network", "localhost", "--json"];
      await killAndRerun(node, { args, journal, killAfterSent: k });
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
