// Waves across several senders. The OrderBooks here are owned by another account than the signer, and their vault-admin
// facet (CheckedVaultAdminFacet, through hardhat.waves.config.ts) refuses a vault that has not registered the OrderBook:
// each OrderBook's rewire (sent by its owner) relies on the signer's registration without declaring it. Nothing but the
// network orders two accounts' transactions, so the engine sends a wave sender by sender, each group mined before the
// next, and the whole-plan simulation runs the steps in that same order (waves, then senders).
import { expect } from "chai";
import { id } from "ethers";
import type { Plan } from "../../src/engine/types.js";
import { sendingOrder, wavesOf } from "../../src/engine/waves.js";
import { finished, hardhat, journalEntries, journalPath, startNode, type LocalNode } from "../helpers/node.js";
import { contractAt } from "../helpers/contracts.js";
import { jsonRpcProxy, type RpcRequest } from "../helpers/rpc-proxy.js";
import { freshSystem, nonce } from "../helpers/system.js";

const REDEPLOY = ["--config", "hardhat.waves.config.ts", "corevault:redeploy", "--rewire", "--network", "localhost"];

/** A loopback proxy that delivers `late`'s sends `delayMs` after the others (a network that reorders in transit). */
async function reorderingProxy(target: string, late: string, delayMs: number) {
  let delayed = 0;
  const isLate = (r: RpcRequest) =>
    r.method === "eth_sendTransaction" && r.params?.[0]?.from?.toLowerCase() === late.toLowerCase();
  const proxy = await jsonRpcProxy(target, async (body, forward) => {
    const later = async (part: unknown) => {
      delayed++;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return forward(part);
    };
    if (!Array.isArray(body)) return isLate(body) ? later(body) : forward(body);
    const slow = body.filter(isLate);
    const fast = body.filter((r) => !isLate(r));
    const [a, b] = await Promise.all([
      fast.length > 0 ? (forward(fast) as Promise<unknown[]>) : [],
      slow.length > 0 ? (later(slow) as Promise<unknown[]>) : [],
    ]);
    return [...a, ...b];
  });
  return { ...proxy, delayed: () => delayed };
}

describe("waves across several senders (OrderBooks owned by another account)", function () {
  let node: LocalNode;

  before(async () => {
    node = await startNode();
  });

  after(() => node?.stop());

  /** A fresh system whose OrderBooks `owner` owns; with `signerRegisters`, the signer holds FACTORY_ROLE already. */
  async function system(seed: string, signerRegisters: boolean) {
    await node.mining();
    const record = await freshSystem({ markets: 3, seed }, node.conn);
    const [signer, owner] = await node.conn.ethers.getSigners();
    const at = contractAt(signer);
    for (const book of new Set(record.markets.map((m) => m.orderBook)))
      await (await (await at("OwnershipFacet", book)).transferOwnership(owner.address)).wait();
    if (signerRegisters) {
      const vault = await at("CoreVault", record.contracts.CORE_VAULT);
      await (await vault.grantRole(id("FACTORY_ROLE"), signer.address)).wait();
    }
    const planned = await finished(hardhat([...REDEPLOY, "--json", "--plan-only"], { LOCAL_RPC_URL: node.url }));
    expect(planned.code, planned.stderr).to.equal(0);
    const { plan, alreadyDone } = JSON.parse(planned.stdout) as { plan: Plan; alreadyDone: string[] };
    // the facet's CREATE2 address is the same in every test: deployed by the first one
    const pending = plan.steps.filter((s) => !alreadyDone.includes(s.id));
    const sent = async () =>
      BigInt(await nonce(signer.address, node.conn)) + BigInt(await nonce(owner.address, node.conn));
    return { plan, pending, signer: signer.address, owner: owner.address, sent, before: await sent() };
  }

  it("a step the engine's waves would send before what it relies on is refused by the simulation, nothing sent", async () => {
    // The signer lacks FACTORY_ROLE: registration waits for its temporary grant (wave 3), the rewires do not (wave 2).
    const { plan, sent, before } = await system("waves-order", false);
    const waves = wavesOf(plan.steps);
    const rewire = plan.steps.find((s) => s.id.startsWith("rewire:"))!;
    expect(waves.get(rewire.id)).to.be.lessThan(waves.get("markets:1")!);
    const run = await finished(hardhat([...REDEPLOY, "--json"], { LOCAL_RPC_URL: node.url }));
    expect(run.code).to.equal(3);
    expect(run.stderr).to.match(/The plan would fail at step rewire:0x[0-9a-f]{40}/);
    expect(run.stderr).to.contain("Nothing was sent");
    expect(await sent()).to.equal(before);
  });

  it("a wave of two senders is mined sender by sender: a network delivering the signer's sends late reorders nothing", async () => {
    // The signer holds FACTORY_ROLE: its registration and the owner's rewires are in the same wave.
    const { plan, pending, signer, sent, before } = await system("waves-senders", true);
    const waves = wavesOf(plan.steps);
    const rewire = plan.steps.find((s) => s.id.startsWith("rewire:"))!;
    expect(waves.get(rewire.id)).to.equal(waves.get("markets:1"));
    const proxy = await reorderingProxy(node.url, signer, 1_500);
    await node.mining(200);
    try {
      const run = await finished(hardhat([...REDEPLOY, "--json"], { LOCAL_RPC_URL: proxy.url }));
      expect(proxy.delayed()).to.be.greaterThan(0);
      expect(run.code, run.stderr).to.equal(0);
      expect(JSON.parse(run.stdout).complete).to.equal(true);
      expect(await sent()).to.equal(before + BigInt(pending.length));
      // the owner's rewires were mined after the signer's registration, though its sends reached the node late
      const mined = new Map(
        journalEntries(journalPath("localhost", plan.runKey)).flatMap((e) =>
          e.type === "receipt" ? [[e.stepId, e.blockNumber] as const] : [],
        ),
      );
      for (const step of plan.steps.filter((s) => s.id.startsWith("rewire:")))
        expect(mined.get(step.id)).to.be.greaterThan(mined.get("markets:1")!);
    } finally {
      await node.mining();
      await proxy.close();
    }
  });

  for (const window of ["broadcast", "journal"] as const)
    it(`SIGKILL between two senders' groups (after the signer's last ${window === "broadcast" ? "broadcast" : "broadcast, the owner's group journaled"}) converges on rerun to exactly N`, async () => {
      const { plan, pending, signer, sent, before } = await system(`waves-kill-${window}`, true);
      // The transactions broadcast before the owner's group: every wave before the rewires', and the signer's group of it.
      const order = sendingOrder(plan.steps, pending);
      const ownerFirst = order.findIndex((s) => s.from.toLowerCase() !== signer.toLowerCase());
      const fault =
        window === "broadcast" ? `kill-after-broadcast:${ownerFirst}` : `kill-after-journal:${ownerFirst + 1}`;
      await node.mining(200);
      try {
        const killed = await finished(
          hardhat([...REDEPLOY, "--json"], { LOCAL_RPC_URL: node.url, CUTOVER_FAULT: fault }),
        );
        expect(killed.signal, killed.stderr).to.equal("SIGKILL");
        const journal = journalEntries(journalPath("localhost", plan.runKey));
        const journaled = new Set(journal.flatMap((e) => (e.type === "send" ? [e.stepId] : [])));
        const owners = plan.steps.filter((s) => s.id.startsWith("rewire:"));
        if (window === "broadcast") expect(owners.some((s) => journaled.has(s.id))).to.equal(false);
        else expect(owners.every((s) => journaled.has(s.id))).to.equal(true);
        const rerun = await finished(hardhat([...REDEPLOY, "--json"], { LOCAL_RPC_URL: node.url }));
        expect(rerun.code, rerun.stderr).to.equal(0);
        expect(JSON.parse(rerun.stdout).complete).to.equal(true);
        expect(await sent()).to.equal(before + BigInt(pending.length));
      } finally {
        await node.mining();
      }
    });
});
