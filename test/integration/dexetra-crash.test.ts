// Crash/resume on the production shape: `corevault:redeploy --rewire --halt-old` through the dexetra-v5 profile runs
// as a real Hardhat CLI child (`--config hardhat.dexetra.config.ts`) against a local `hardhat node` mining on an
// interval, is killed with SIGKILL part-way, and is run again: it converges with exactly as many transactions as its
// plan has steps (one call per transaction: nothing sent twice), checked with raw reads.
import { expect } from "chai";
import { AbiCoder, getAddress, Interface, id } from "ethers";
import hre from "hardhat";
import { readDexetraRecord } from "../../src/records/dexetra-records.js";
import { ORDERBOOK_SLOT } from "../helpers/dexetra.js";
import { crashNode, DEXETRA_CONFIG, killAndRerun, nodeRuntime, rerunSendsNothing, setUp } from "../helpers/crash.js";
import { journalPath, type LocalNode } from "../helpers/node.js";
import { nonce } from "../helpers/system.js";

const MARKETS = 12;
const REDEPLOY = ["corevault:redeploy", "--rewire", "--halt-old", "--json"];
const raw = new Interface(["function hasRole(bytes32, address) view returns (bool)"]);

describe("dexetra-v5: corevault:redeploy --rewire --halt-old survives SIGKILL and converges without sending anything twice", function () {
  let node: LocalNode;
  before(async () => {
    node = await crashNode();
  });

  const REDEPLOY_CLI = [...DEXETRA_CONFIG, "--network", "localhost", ...REDEPLOY];

  async function hasRole(vault: string, role: string, account: string): Promise<boolean> {
    const data = raw.encodeFunctionData("hasRole", [id(role), account]);
    const result = await node.conn.provider.request({ method: "eth_call", params: [{ to: vault, data }, "latest"] });
    return raw.decodeFunctionResult("hasRole", result as string)[0] as boolean;
  }

  for (const k of [3, 40]) {
    it(`killed once ${k} transactions are broadcast, then run again`, async () => {
      await node.mining();
      const runtime = await nodeRuntime(node, "dexetra-v5");
      await setUp(runtime, "mocks:deploy-system", { profile: "dexetra-v5", markets: MARKETS, users: 0 });
      const record = await readDexetraRecord(hre.config.paths.root, "localhost");
      const oldVault = getAddress(record.contracts.CORE_VAULT);
      const deployer = record.deployer;
      const plan = await setUp(runtime, "corevault:redeploy", { rewire: true, haltOld: true, planOnly: true });
      // steps already on chain (VaultSlotInit at its CREATE2 address, from an earlier test on this node) are not sent
      const steps = (plan.plan.steps.length - plan.alreadyDone.length) as number;
      expect(steps).to.be.greaterThan(k);

      const before = await nonce(deployer, node.conn);
      const journal = journalPath("localhost", `corevault-redeploy-${oldVault.toLowerCase()}`);
      const { journaled, out: result } = await killAndRerun(node, { args: REDEPLOY_CLI, journal, killAfterSent: k });
      const sentBeforeKill = journaled.filter((e) => e.type === "sent").length;
      await node.mining();
      expect((await nonce(deployer, node.conn)) - before, `${sentBeforeKill} sent before the kill`).to.equal(steps);

      // raw reads: every OrderBook's stored vault is the new one, halted on the old vault, trading on the new
      const newVault = getAddress(result.deployed.CoreVault);
      const books = (result.orderBooks as { orderBook: string }[]).map((b) => b.orderBook);
      expect(books).to.have.length(MARKETS);
      for (const book of books) {
        const word = await node.conn.ethers.provider.getStorage(book, ORDERBOOK_SLOT);
        expect(getAddress(AbiCoder.defaultAbiCoder().decode(["address"], word)[0]), book).to.equal(newVault);
        expect(await hasRole(oldVault, "ORDERBOOK_ROLE", book), `${book} halted`).to.equal(false);
        expect(await hasRole(newVault, "ORDERBOOK_ROLE", book)).to.equal(true);
      }
      await rerunSendsNothing(node, REDEPLOY_CLI);
      expect(await nonce(deployer, node.conn)).to.equal(before + steps);
    });
  }
});
