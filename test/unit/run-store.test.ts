import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { makePlan } from "../../src/engine/plan.js";
import { RunStore } from "../../src/engine/run-store.js";
import type { Plan } from "../../src/engine/types.js";

const plan = (runKey: string): Plan =>
  makePlan({
    task: "corevault:redeploy",
    runKey,
    network: "localhost",
    chainId: 31337,
    observedBlock: 1,
    facts: {},
    known: { Old: "0x0000000000000000000000000000000000000001" },
    steps: [
      {
        id: "deploy:A",
        kind: "deploy",
        label: "a",
        from: "0x01",
        dependsOn: [],
        writes: [],
        record: "A",
        contract: "A",
        args: [],
        libraries: {},
      },
      {
        id: "deploy:B",
        kind: "deploy",
        label: "b",
        from: "0x01",
        dependsOn: [],
        writes: [],
        record: "B",
        contract: "B",
        args: [],
        libraries: {},
      },
    ],
    notes: [],
    labels: {},
  });

describe("RunStore", () => {
  it("lists a network's runs and reads plan, journal, receipts and deployed addresses", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "cutover-runstore-"));
    expect(RunStore.list(root, "localhost")).to.deep.equal([]);
    const store = new RunStore(root, "localhost", "orderbook-rewire-0xabc");
    store.savePlan(plan(store.runKey));
    const receipt = { type: "receipt", hash: "0x1", gasUsed: "1" } as const;
    store.journal.append({
      ...receipt,
      stepId: "deploy:A",
      status: 1,
      blockNumber: 7,
      contractAddress: "0x00000000000000000000000000000000000000aa",
    });
    store.journal.append({ ...receipt, stepId: "deploy:B", status: 0, blockNumber: 9, contractAddress: null });
    await mkdir(path.join(RunStore.runsDir(root, "localhost"), "corevault-redeploy-0xabc"), { recursive: true });
    await writeFile(path.join(RunStore.runsDir(root, "localhost"), "not-a-run"), "");

    expect(RunStore.list(root, "localhost").map((s) => s.runKey)).to.deep.equal([
      "corevault-redeploy-0xabc",
      "orderbook-rewire-0xabc",
    ]);
    const reread = RunStore.list(root, "localhost")[1];
    expect(reread.loadPlan()?.runKey).to.equal("orderbook-rewire-0xabc");
    expect(reread.startedAt()).to.match(/^\d{4}-/);
    expect([...reread.confirmedReceipts().keys()]).to.deep.equal(["deploy:A"]);
    expect(reread.deployedAddresses(plan(reread.runKey))).to.deep.equal({
      A: "0x00000000000000000000000000000000000000aa",
    });
    expect(reread.lastReceiptBlock()).to.equal(9);
    expect(reread.stepJournal().receipts.get("deploy:B")?.status).to.equal(0);
    expect(reread.isComplete(plan(reread.runKey).id)).to.equal(false);
    expect(RunStore.list(root, "localhost")[0].loadPlan()).to.equal(undefined);
  });

  it("refuses a plan.json whose content no longer hashes to its id, naming the file and both hashes", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "cutover-runstore-"));
    const store = new RunStore(root, "localhost", "corevault-redeploy-0xabc");
    const saved = plan(store.runKey);
    store.savePlan(saved);
    expect(store.loadPlan()?.id).to.equal(saved.id);
    const tampered = { ...saved, known: { Old: "0x00000000000000000000000000000000000000bb" } };
    await writeFile(store.planFile, JSON.stringify(tampered));
    expect(() => store.loadPlan()).to.throw(
      new RegExp(
        `Refused .*plan\\.json: its content hashes to 0x[0-9a-f]{64}, not to its id ${saved.id}\\. Nothing was sent`,
      ),
    );
  });

  it("cuts a torn last journal line off (kept in journal.jsonl.torn) before the next append", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "cutover-runstore-"));
    const store = new RunStore(root, "localhost", "corevault-redeploy-0xabc");
    store.savePlan(plan(store.runKey));
    await writeFile(store.journal.file, (await readFile(store.journal.file, "utf8")) + '{"type":"sent","stepId":"dep');
    // the rerun's process
    const rerun = new RunStore(root, "localhost", store.runKey);
    rerun.journal.append({ type: "failed", stepId: "deploy:A", reason: "x" });
    rerun.journal.append({ type: "failed", stepId: "deploy:B", reason: "y" });
    expect(rerun.entries().map((e) => e.type)).to.deep.equal(["plan", "failed", "failed"]);
    expect(await readFile(`${store.journal.file}.torn`, "utf8")).to.equal('{"type":"sent","stepId":"dep\n');
    // a fresh process (a new store) finds the journal clean
    expect(new RunStore(root, "localhost", store.runKey).journal.repairTornTail()).to.equal("");
  });
});
