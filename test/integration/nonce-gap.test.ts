// The nonce-gap filler: when the node rejects one transaction of a wave, its nonce is left unused and the sender's
// later transactions of that wave could never be mined. The EOA executor sends a zero-value transfer to the sender
// itself at that nonce (journaled before it is broadcast); the later ones land, and a rerun sends only what is left.
import { expect } from "chai";
import { journalEntries, journalPath, finished, hardhat, startNode, type LocalNode } from "../helpers/node.js";
import { jsonRpcProxy, type RpcRequest } from "../helpers/rpc-proxy.js";
import { freshSystem, nonce } from "../helpers/system.js";

/**
 * A loopback proxy that answers every eth_sendTransaction of the plan at the sender's `nonce` with a JSON-RPC error,
 * unforwarded, alone or inside a batch (the rest of the batch is forwarded); the filler (no calldata) passes.
 */
async function rejectingProxy(target: string, rejectNonce: () => bigint | undefined) {
  const rejected: string[] = [];
  const isRejected = (request: RpcRequest) => {
    const at = rejectNonce();
    const tx = request.method === "eth_sendTransaction" ? request.params?.[0] : undefined;
    if (at === undefined || tx?.nonce === undefined || BigInt(tx.nonce) !== at || !tx.data || tx.data === "0x")
      return false;
    rejected.push(tx.nonce);
    return true;
  };
  const refusal = (request: RpcRequest) => ({
    jsonrpc: "2.0",
    id: request.id,
    error: { code: -32003, message: "transaction rejected: test policy" },
  });
  const proxy = await jsonRpcProxy(target, async (body, forward) => {
    if (!Array.isArray(body)) return isRejected(body) ? refusal(body) : forward(body);
    const refused = body.filter(isRejected);
    const rest = body.filter((r) => !refused.includes(r));
    return [...(rest.length > 0 ? ((await forward(rest)) as unknown[]) : []), ...refused.map(refusal)];
  });
  return { ...proxy, rejected };
}

describe("the nonce-gap filler (a node rejects one transaction of a wave)", function () {
  let node: LocalNode;

  before(async () => {
    node = await startNode();
  });

  after(() => node?.stop());

  it("fills the rejected nonce with a journaled self-transfer, the later ones land, and a rerun converges to N", async () => {
    const system = await freshSystem({ markets: 6, seed: "nonce-gap" }, node.conn);
    const args = ["corevault:redeploy", "--network", "localhost", "--json"];
    const planned = await finished(hardhat([...args, "--plan-only"], { LOCAL_RPC_URL: node.url }));
    expect(planned.code, planned.stderr).to.equal(0);
    const plan = JSON.parse(planned.stdout);
    const steps = plan.plan.steps.length - plan.alreadyDone.length;
    const deployer = system.admin as string;
    const before = BigInt(await nonce(deployer, node.conn));
    // The second transaction of the wave after the deployment: the deployment is `before`, the wave starts at +1.
    const proxy = await rejectingProxy(node.url, () => before + 2n);
    // interval mining: the node queues a transaction whose nonce is ahead (an automining node refuses it)
    await node.mining(250);
    try {
      const run = await finished(hardhat(args, { LOCAL_RPC_URL: proxy.url }));
      expect(proxy.rejected, run.stderr).to.not.be.empty;
      expect(run.code, run.stderr).to.equal(1);
      const first = JSON.parse(run.stdout) as {
        complete: boolean;
        results: { id: string; status: string; reason?: string }[];
      };
      expect(first.complete).to.equal(false);
      const failed = first.results.filter((r) => r.status === "failed");
      expect(failed.map((r) => r.reason)).to.deep.equal(["rejected by the node: transaction rejected: test policy"]);

      const journal = journalEntries(journalPath("localhost", plan.plan.runKey));
      const fill = journal.findIndex((e) => e.type === "send" && e.stepId.startsWith("executor:fill:"));
      expect(fill, "a filler was journaled").to.be.greaterThan(-1);
      const filler = journal[fill] as Extract<(typeof journal)[number], { type: "send" }>;
      expect(BigInt(filler.tx.nonce)).to.equal(before + 2n);
      expect(filler.tx.to?.toLowerCase()).to.equal(deployer.toLowerCase());
      expect(filler.tx.value).to.equal("0x0");
      // journaled before its hash was known: its `sent` entry comes after
      const sent = journal.findIndex((e) => e.type === "sent" && e.stepId === filler.stepId);
      expect(sent).to.be.greaterThan(fill);
      // the sender's later transactions of the wave landed (their nonces are past the filled one)
      const landed = journal.filter(
        (e) => e.type === "receipt" && !e.stepId.startsWith("executor:") && e.status === 1,
      ).length;
      expect(landed).to.be.greaterThan(2);
      expect(BigInt(await nonce(deployer, node.conn))).to.be.greaterThan(before + 3n);

      const rerun = await finished(hardhat(args, { LOCAL_RPC_URL: node.url }));
      expect(rerun.code, rerun.stderr).to.equal(0);
      expect(JSON.parse(rerun.stdout).complete).to.equal(true);
      // exactly N transactions for the plan's steps, plus the one filler
      expect(BigInt(await nonce(deployer, node.conn)) - before).to.equal(BigInt(steps) + 1n);
    } finally {
      await node.mining();
      await proxy.close();
    }
  });
});
