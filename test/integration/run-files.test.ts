// Run files are not trusted as written: a plan.json edited after it was computed, or a journaled receipt whose
// contract address is not what the chain's receipt of that transaction says, is refused before anything is sent.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import { planId } from "../../src/engine/plan.js";
import { freshSystem, nonce, tempAppConfig } from "../helpers/system.js";
import { runJson, taskError } from "../helpers/tasks.js";

await tempAppConfig();

async function completedRun(seed: string) {
  const old = await freshSystem({ markets: 3, seed });
  const result = await runJson("corevault:redeploy", {});
  expect(result.complete).to.equal(true);
  const dir = path.dirname(result.planFile as string);
  return { old, result, planFile: result.planFile as string, journal: path.join(dir, "journal.jsonl") };
}

describe("tampered run files are refused", () => {
  it("a plan.json whose known CoreVault was edited (the id no longer matches its content)", async () => {
    const { old, planFile } = await completedRun("tamper-plan");
    const plan = JSON.parse(await readFile(planFile, "utf8"));
    plan.known = { ...plan.known, CoreVault: old.contracts.CORE_VAULT };
    await writeFile(planFile, JSON.stringify(plan, null, 2));
    const before = await nonce();
    const error = await taskError("corevault:redeploy", { oldVault: old.contracts.CORE_VAULT });
    expect(error.message).to.match(/Refused .*plan\.json: its content hashes to 0x[0-9a-f]{64}, not to its id 0x/);
    expect(error.message).to.include("Fix:");
    expect(await nonce()).to.equal(before);
  });

  it("a plan.json whose known CoreVault was edited and its id recomputed: the journal's receipt contradicts it", async () => {
    const { old, planFile, result } = await completedRun("tamper-known-rehashed");
    const { id: _id, ...content } = JSON.parse(await readFile(planFile, "utf8"));
    content.known = { ...content.known, CoreVault: old.contracts.CORE_VAULT };
    await writeFile(planFile, JSON.stringify({ id: planId(content), ...content }, null, 2));
    const before = await nonce();
    const error = await taskError("corevault:redeploy", { oldVault: old.contracts.CORE_VAULT });
    expect(error.message).to.include(
      `its known CoreVault is ${old.contracts.CORE_VAULT}, but the journal's receipt (checked against the chain) says this run deployed CoreVault at ${result.deployed.CoreVault}`,
    );
    expect(await nonce()).to.equal(before);
  });

  it("a journaled receipt whose contractAddress was edited to the USDC token", async () => {
    const { old, journal, result } = await completedRun("tamper-receipt");
    const text = await readFile(journal, "utf8");
    const edited = text.replaceAll(
      `"contractAddress":"${result.deployed.CoreVault}"`,
      `"contractAddress":"${old.contracts.USDC}"`,
    );
    expect(edited).to.not.equal(text);
    await writeFile(journal, edited);
    const before = await nonce();
    const error = await taskError("corevault:redeploy", { oldVault: old.contracts.CORE_VAULT });
    expect(error.message).to.include(`the journal says step deploy:CoreVault deployed ${old.contracts.USDC}`);
    expect(error.message).to.include(`created ${result.deployed.CoreVault}`);
    expect(await nonce()).to.equal(before);
  });
});
