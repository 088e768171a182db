// Local signing and batched broadcast: the `localSigned` network holds the node's accounts' keys (Hardhat's public
// test mnemonic), so the engine signs each transaction itself, journals its hash with it (one fsync) before the wave
// goes out, and broadcasts the wave raw in JSON-RPC batches. Real child processes against a local `hardhat node`
// mining on an interval, straight, killed in each window, and through the hostile proxy.
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { HDNodeWallet, id } from "ethers";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import type { JournalEntry } from "../../src/engine/journal.js";
import { HOSTILE, NO_FAULTS, startFaultProxy, type FaultRates } from "../helpers/fault-proxy.js";
import { nodeRuntime, setUp } from "../helpers/crash.js";
import { finished, hardhat, journalEntries, journalPath, startNode, type LocalNode } from "../helpers/node.js";
import { freshSystem, nonce } from "../helpers/system.js";

const MARKETS = 30;
const MNEMONIC = "test test test test test test test test test test test junk";
const DIAMOND_CUT_TOPIC = id("DiamondCut((address,uint8,bytes4[])[],address,bytes)");

describe("local signing and batched raw broadcast (a network that holds its accounts' keys)", function () {
  let node: LocalNode;
  let signed: NetworkConnection;

  before(async () => {
    node = await startNode();
    signed = (await network.create({ network: "localSigned", override: { url: node.url } })) as NetworkConnection;
  });

  after(() => node?.stop());

  /** A fresh system with its vault redeployed (both on `localSigned`), then its rewire through a proxy with `rates`. */
  async function rewireThrough(seed: string, rates: FaultRates, fault?: string) {
    await node.mining();
    const system = await freshSystem({ markets: MARKETS, seed }, signed);
    const redeploy = await setUp(await nodeRuntime(node, "reference", "localSigned"), "corevault:redeploy");
    const vault = redeploy.deployed.CoreVault as string;
    const journal = journalPath("localSigned", `orderbook-rewire-${vault.toLowerCase()}`);
    await node.mining(200);
    const from = (await node.conn.ethers.provider.getBlockNumber()) + 1;
    const before = await nonce(system.admin as string, node.conn);
    const proxy = await startFaultProxy(node.url, rates, 7);
    const command = ["orderbook:rewire", "--network", "localSigned", "--json"];
    try {
      const env = { LOCAL_RPC_URL: proxy.url };
      const run = await finished(hardhat(command, fault ? { ...env, CUTOVER_FAULT: fault } : env));
      const killedJournal = journalEntries(journal);
      const rerun = fault ? await finished(hardhat(command, env)) : undefined;
      await node.mining();
      const cuts = await node.conn.ethers.provider.getLogs({ topics: [DIAMOND_CUT_TOPIC], fromBlock: from });
      for (const market of system.markets)
        expect(cuts.filter((l) => l.address.toLowerCase() === market.orderBook.toLowerCase())).to.have.length(1);
      const sent = (await nonce(system.admin as string, node.conn)) - before;
      return { run, rerun, journal, killedJournal, sent, stats: proxy.stats };
    } finally {
      await proxy.close();
    }
  }

  const hashes = (entries: JournalEntry[], type: "sent" | "receipt") =>
    new Map(entries.flatMap((e) => (e.type === type ? [[e.stepId, e.hash] as const] : [])));

  it("signs here and sends the wave raw in one batch; the hashes journaled before it are the ones mined; no key written", async () => {
    const { run, journal, sent, stats } = await rewireThrough("local-signing", NO_FAULTS);
    expect(run.code, run.stderr).to.equal(0);
    expect(JSON.parse(run.stdout).complete).to.equal(true);
    expect(sent).to.be.oneOf([MARKETS, MARKETS + 1]); // the facet, unless an earlier test on this node deployed it
    expect(stats.calls.eth_sendRawTransaction).to.equal(sent);
    expect(stats.calls.eth_sendTransaction ?? 0).to.equal(0);
    // the facet alone, then the 30 cuts in one JSON-RPC batch
    expect(stats.byMethod.eth_sendRawTransaction).to.be.at.most(2);
    const entries = journalEntries(journal);
    const receipts = hashes(entries, "receipt");
    expect(receipts.size).to.equal(sent);
    for (const [stepId, hash] of hashes(entries, "sent")) expect(receipts.get(stepId), stepId).to.equal(hash);
    // Each transaction's hash is in the journal in the same fsynced write as its fields: next to its send entry.
    const firstSend = entries.findIndex((e) => e.type === "send" && e.stepId.startsWith("rewire:"));
    const wave = entries.slice(firstSend, firstSend + 2 * MARKETS);
    expect(wave.filter((e) => e.type === "send")).to.have.length(MARKETS);
    expect(wave.filter((e) => e.type === "sent")).to.have.length(MARKETS);
    const key = HDNodeWallet.fromPhrase(MNEMONIC, "", "m/44'/60'/0'/0/0").privateKey;
    const runDir = path.dirname(journal);
    for (const text of [
      run.stdout,
      run.stderr,
      readFileSync(journal, "utf8"),
      readFileSync(path.join(runDir, "plan.json"), "utf8"),
    ]) {
      expect(text).to.not.include(key.slice(2));
      expect(text).to.not.include("test test test");
    }
  });

  for (const window of ["journal:3", "broadcast:5"]) {
    it(`killed after ${window.replace(":", " #")}: the rerun resolves the journaled hashes, no new nonce, one cut each`, async () => {
      const { run, rerun, journal, killedJournal, sent } = await rewireThrough(
        `local-signing-${window}`,
        NO_FAULTS,
        `kill-after-${window}`,
      );
      expect(run.signal, run.stderr).to.equal("SIGKILL");
      expect(rerun?.code, rerun?.stderr).to.equal(0);
      expect(JSON.parse(rerun!.stdout).complete).to.equal(true);
      expect(sent).to.be.oneOf([MARKETS, MARKETS + 1]);
      // What the killed run journaled (hash before broadcast) is what was mined: the same signed transactions.
      const before = hashes(killedJournal, "sent");
      expect(before.size).to.be.greaterThanOrEqual(MARKETS);
      const mined = hashes(journalEntries(journal), "receipt");
      for (const [stepId, hash] of before) expect(mined.get(stepId), stepId).to.equal(hash);
    });
  }

  it("through the hostile proxy (batches cut, errored after acceptance): exactly one cut per OrderBook", async () => {
    const { run, sent, stats } = await rewireThrough("local-signing-hostile", HOSTILE);
    expect(run.code, `stderr: ${run.stderr}`).to.equal(0);
    expect(JSON.parse(run.stdout).complete).to.equal(true);
    expect(sent).to.be.oneOf([MARKETS, MARKETS + 1]);
    expect(stats.dropped + stats.serverErrors + stats.tooMany + stats.sendsAcceptedThenErrored).to.be.greaterThan(0);
  });
});
