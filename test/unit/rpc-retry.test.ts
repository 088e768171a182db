import { expect } from "chai";
import { isTransient, retryReads, withRetries } from "../../src/engine/rpc-retry.js";
import { RpcUnavailableError } from "../../src/errors.js";

const fast = { attempts: 4, baseDelayMs: 1, maxDelayMs: 2 };
const transportError = () => Object.assign(new Error("other side closed"), { code: -1 });
const revert = () => Object.assign(new Error("execution reverted"), { code: 3, data: "0x08c379a0" });

describe("rpc-retry", () => {
  it("classifies transport failures as transient and the node's answers (reverts, rejected sends) as not", () => {
    expect(isTransient(transportError())).to.equal(true);
    expect(isTransient(Object.assign(new Error("rate limited"), { code: -32005 }))).to.equal(true);
    expect(isTransient(new Error("Request timed out"))).to.equal(true);
    expect(isTransient(revert())).to.equal(false);
    expect(isTransient(Object.assign(new Error("nonce too low, 500 wei"), { code: -32000 }))).to.equal(false);
  });

  it("retries a transient failure until it succeeds, and never retries a revert", async () => {
    let calls = 0;
    expect(
      await withRetries(async () => (++calls < 3 ? Promise.reject(transportError()) : "0x1"), "x", "rpc", fast),
    ).to.equal("0x1");
    expect(calls).to.equal(3);
    calls = 0;
    const error = await withRetries(() => (calls++, Promise.reject(revert())), "x", "rpc", fast).catch((e) => e);
    expect(error.message).to.equal("execution reverted");
    expect(calls).to.equal(1);
  });

  it("gives up after the bounded attempts with an error naming what was read and the RPC", async () => {
    const error = await withRetries(
      () => Promise.reject(transportError()),
      "eth_call to 0xabc",
      "http://127.0.0.1:9",
      fast,
    ).catch((e) => e);
    expect(error).to.be.instanceOf(RpcUnavailableError);
    expect(error.message).to.match(
      /^Could not read eth_call to 0xabc from http:\/\/127\.0\.0\.1:9 \(4 attempts; last error: other side closed\)/,
    );
  });

  it("wraps a provider's reads once, and leaves sends alone (the executor resolves those by hash and nonce)", async () => {
    const seen: string[] = [];
    let failNext = true;
    let failing = false;
    const provider = {
      request: async ({ method }: { method: string }) => {
        seen.push(method);
        if (failing) throw transportError();
        if (failNext) {
          failNext = false;
          throw transportError();
        }
        return "ok";
      },
    };
    retryReads(provider, "rpc", fast);
    retryReads(provider, "rpc", fast);
    expect(await provider.request({ method: "eth_blockNumber" })).to.equal("ok");
    expect(seen).to.deep.equal(["eth_blockNumber", "eth_blockNumber"]);
    // wrapped once: a read that keeps failing is asked exactly `attempts` times, not attempts²
    failing = true;
    await provider.request({ method: "eth_chainId" }).catch(() => undefined);
    expect(seen.filter((m) => m === "eth_chainId")).to.have.length(4);
    failing = false;
    failNext = true;
    const error = await provider.request({ method: "eth_sendTransaction" }).catch((e) => e);
    expect(error.message).to.equal("other side closed");
    expect(seen.filter((m) => m === "eth_sendTransaction")).to.have.length(1);
  });
});
