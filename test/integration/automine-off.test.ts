// An in-process chain with automine off (blocks only when someone mines one, as with interval mining): the whole-plan
// simulation, which runs on that chain between evm_snapshot and evm_revert, mines its own transactions instead of
// waiting for a block (it used to wait forever), and leaves automine off. Here blocks come from a miner the test runs,
// which mines outside the simulation only: the run completes in one invocation.
import { expect } from "chai";
import { conn, freshSystem } from "../helpers/system.js";
import { runJson } from "../helpers/tasks.js";

type Request = (args: { method: string; params?: unknown[] }) => Promise<unknown>;

describe("the whole-plan simulation on an in-process chain with automine off", function () {
  it("completes a redeploy (which the simulation runs first) with blocks mined only outside the simulation", async () => {
    await freshSystem({ markets: 2, seed: "automine-off" });
    const provider = conn.provider as unknown as { request: Request };
    const request = provider.request.bind(provider);
    let simulating = false;
    const methods: string[] = [];
    provider.request = async (args) => {
      methods.push(args.method);
      if (args.method === "evm_snapshot") simulating = true;
      const answer = await request(args);
      if (args.method === "evm_revert") simulating = false;
      return answer;
    };
    await request({ method: "evm_setAutomine", params: [false] });
    let mining = true;
    const miner = (async () => {
      while (mining) {
        if (!simulating) await request({ method: "evm_mine" });
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    let timer: NodeJS.Timeout | undefined;
    try {
      const hang = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error("the redeploy did not finish in 60 s: it waits for a block")),
          60_000,
        );
      });
      const result = await Promise.race([runJson("corevault:redeploy", {}), hang]);
      expect(result.complete).to.equal(true);
      expect(methods).to.include("evm_snapshot"); // the simulation ran
      expect(await request({ method: "hardhat_getAutomine" })).to.equal(false);
    } finally {
      clearTimeout(timer);
      mining = false;
      await miner;
      provider.request = request;
      await request({ method: "evm_setAutomine", params: [true] });
    }
  });
});
