// The relay a fork reads the target through (src/fork/relay.ts), in front of a local `hardhat node` behind the fault
// proxy: reads at a block number are asked upstream once (an account's balance, nonce and code in one batch, a slot
// seen on one contract prefetched for the next with the same code), every answer is the node's own, reads at "latest"
// and the node's errors are never kept, and a read that fails after every retry is answered as an error naming the
// read and the RPC (a fork reading through it fails at once) and remembered.
import { expect } from "chai";
import hre, { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import { retryingRelay, type Relay } from "../../src/fork/relay.js";
import { throwawayChain } from "../../src/fork/throwaway.js";
import { NO_FAULTS, startFaultProxy, type FaultProxy } from "../helpers/fault-proxy.js";
import { startNode, type LocalNode } from "../helpers/node.js";
import { freshSystem } from "../helpers/system.js";

let id = 0;
async function rpc(url: string, method: string, params: unknown[]): Promise<{ result?: unknown; error?: unknown }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }),
  });
  return (await response.json()) as { result?: unknown; error?: unknown };
}

describe("the fork's relay: reads at the fork's block asked once, in batches, failures named", function () {
  let node: LocalNode;
  let proxy: FaultProxy;
  let relay: Relay;
  let books: string[];
  let block: string;

  before(async () => {
    node = await startNode();
    const system = await freshSystem({ markets: 2, seed: "fork-relay" }, node.conn);
    books = system.markets.map((m) => m.orderBook.toLowerCase());
    block = `0x${(await node.conn.ethers.provider.getBlockNumber()).toString(16)}`;
    proxy = await startFaultProxy(node.url, NO_FAULTS);
    relay = await retryingRelay(proxy.url);
  });

  after(async () => {
    await relay?.close();
    await proxy?.close();
    node?.stop();
  });

  const upstream = (method: string) => proxy.stats.calls[method] ?? 0;

  it("answers an account's balance, nonce and code from one batch, each as the node does", async () => {
    const requests = proxy.stats.requests;
    for (const method of ["eth_getBalance", "eth_getTransactionCount", "eth_getCode", "eth_getCode"]) {
      const viaRelay = await rpc(relay.url, method, [books[0], block]);
      expect(viaRelay.result).to.equal((await rpc(node.url, method, [books[0], block])).result);
    }
    expect((await rpc(relay.url, "eth_getCode", [books[0], block])).result).to.match(/^0x[0-9a-f]{100,}$/);
    expect(proxy.stats.requests - requests).to.equal(1);
    expect([upstream("eth_getBalance"), upstream("eth_getTransactionCount"), upstream("eth_getCode")]).to.deep.equal([
      1, 1, 1,
    ]);
  });

  it("asks a slot once, and prefetches it for the next contract with the same code", async () => {
    const slot = "0x0";
    const first = await rpc(relay.url, "eth_getStorageAt", [books[0], slot, block]);
    expect(first.result).to.equal((await rpc(node.url, "eth_getStorageAt", [books[0], slot, block])).result);
    await rpc(relay.url, "eth_getStorageAt", [books[0], "0x00", block]);
    expect(upstream("eth_getStorageAt")).to.equal(1);
    // the second OrderBook: its account batch, then the slot read on the first one, fetched before it is asked
    const requests = proxy.stats.requests;
    await rpc(relay.url, "eth_getBalance", [books[1], block]);
    const second = await rpc(relay.url, "eth_getStorageAt", [books[1], slot, block]);
    expect(second.result).to.equal((await rpc(node.url, "eth_getStorageAt", [books[1], slot, block])).result);
    // two requests upstream: the account batch and the prefetch (the slot's read itself asked nothing)
    expect(proxy.stats.requests - requests).to.equal(2);
    expect(upstream("eth_getStorageAt")).to.equal(2);
  });

  it("forwards reads at 'latest' every time, and passes the node's errors on without keeping them", async () => {
    const calls = upstream("eth_getStorageAt");
    await rpc(relay.url, "eth_getStorageAt", [books[0], "0x0", "latest"]);
    await rpc(relay.url, "eth_getStorageAt", [books[0], "0x0", "latest"]);
    expect(upstream("eth_getStorageAt")).to.equal(calls + 2);
    const future = `0x${(BigInt(block) + 1_000_000n).toString(16)}`;
    const first = await rpc(relay.url, "eth_getStorageAt", [books[0], "0x1", future]);
    const direct = await rpc(node.url, "eth_getStorageAt", [books[0], "0x1", future]);
    expect(first.error, "a block that does not exist yet").to.deep.equal(direct.error);
    await rpc(relay.url, "eth_getStorageAt", [books[0], "0x1", future]);
    expect(upstream("eth_getStorageAt")).to.equal(calls + 4);
  });

  it("a read that fails after every retry is answered with 'could not read X from <rpc>', and remembered", async () => {
    proxy.setRates({ ...NO_FAULTS, drop: 1 });
    const failed = await rpc(relay.url, "eth_getStorageAt", [books[0], "0x5", block]);
    const named = new RegExp(
      `Could not read eth_getStorageAt\\(${books[0]}, 0x5, ${block}\\) from ${proxy.url} \\(10 attempts`,
    );
    // a JSON-RPC error, not a cut connection (the fork would retry a cut one for minutes)
    expect((failed.error as { message: string }).message).to.match(named);
    expect(failed.result).to.equal(undefined);
    expect(relay.failure()?.message).to.match(named);
    // not kept: once the RPC answers again, the same read is asked again and answered
    proxy.setRates(NO_FAULTS);
    const again = await rpc(relay.url, "eth_getStorageAt", [books[0], "0x5", block]);
    expect(again.result).to.equal((await rpc(node.url, "eth_getStorageAt", [books[0], "0x5", block])).result);
  });

  it("a fork reading through it fails such a read at once, and the copy names it", async () => {
    const conn = (await network.create({
      network: "localhost",
      chainType: "generic",
      override: { url: proxy.url },
    })) as NetworkConnection;
    const chain = await throwawayChain(hre, conn, Number(block));
    try {
      proxy.setRates({ ...NO_FAULTS, drop: 1 });
      const unknown = "0x1234567890123456789012345678901234567890";
      const error = await chain.conn.provider.request({ method: "eth_getBalance", params: [unknown, "latest"] }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).to.match(/Could not read .*eth_getBalance\(0x1234567890123456789012345678901234567890/);
      expect(chain.readFailure?.()?.message).to.include(`from ${proxy.url} (10 attempts`);
    } finally {
      proxy.setRates(NO_FAULTS);
      await chain.close();
      await conn.close();
    }
  });
});
