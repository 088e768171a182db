import { expect } from "chai";
import { parseRunKey, runAimsAt, runKeys } from "../../src/engine/run-key.js";

const VAULT = "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9";
const vault = VAULT.toLowerCase();
const TO = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

describe("run keys", () => {
  it("builds the keys runs on disk already have", () => {
    expect(runKeys.corevaultRedeploy(VAULT)).to.equal(`corevault-redeploy-${vault}`);
    expect(runKeys.orderbookRewire("cut", VAULT)).to.equal(`orderbook-rewire-${vault}`);
    expect(runKeys.orderbookRewire("redeploy", VAULT)).to.equal(`orderbook-redeploy-${vault}`);
    expect(runKeys.regrantRoles(VAULT, "1a2b3c4d")).to.equal(`corevault-regrant-roles-${vault}-1a2b3c4d`);
    expect(runKeys.transferOwnership(VAULT, TO)).to.equal(`transfer-ownership-${vault}-to-${TO.toLowerCase()}`);
    expect(runKeys.transferOwnership(undefined, TO)).to.equal(`transfer-ownership-system-to-${TO.toLowerCase()}`);
    expect(runKeys.diamondStage("0xabc")).to.equal("diamond-stage-0xabc");
    expect(runKeys.diamondApply("0xabc")).to.equal("diamond-apply-0xabc");
    expect(runKeys.diamondFacets(["B", "A"]))
      .to.equal(runKeys.diamondFacets(["A", "B"]))
      .and.match(/^diamond-facets-[0-9a-f]{16}$/);
  });

  it("parses every kind back into its kind and subject", () => {
    expect(parseRunKey(runKeys.corevaultRedeploy(VAULT))).to.deep.equal({ kind: "corevault-redeploy", subject: vault });
    expect(parseRunKey(runKeys.orderbookRewire("cut", VAULT))).to.deep.equal({
      kind: "orderbook-rewire",
      subject: vault,
    });
    expect(parseRunKey(runKeys.orderbookRewire("redeploy", VAULT))).to.deep.equal({
      kind: "orderbook-redeploy",
      subject: vault,
    });
    expect(parseRunKey(runKeys.regrantRoles(VAULT, "1a2b3c4d"))).to.deep.equal({
      kind: "corevault-regrant-roles",
      subject: vault,
      digest: "1a2b3c4d",
    });
    expect(parseRunKey(runKeys.transferOwnership(VAULT, TO))).to.deep.equal({
      kind: "transfer-ownership",
      subject: vault,
      to: TO.toLowerCase(),
    });
    expect(parseRunKey(runKeys.transferOwnership(undefined, TO))).to.deep.equal({
      kind: "transfer-ownership",
      subject: "system",
      to: TO.toLowerCase(),
    });
    expect(parseRunKey(runKeys.diamondStage("0xabc"))).to.deep.equal({ kind: "diamond-stage", subject: "0xabc" });
    expect(parseRunKey(runKeys.diamondApply("0xabc-rollback"))).to.deep.equal({
      kind: "diamond-apply",
      subject: "0xabc-rollback",
    });
    expect(parseRunKey("something-else")).to.equal(undefined);
  });

  it("tells which runs are aimed at a vault", () => {
    expect(runAimsAt(runKeys.orderbookRewire("cut", VAULT), VAULT)).to.equal(true);
    expect(runAimsAt(runKeys.regrantRoles(VAULT, "00"), VAULT)).to.equal(true);
    expect(runAimsAt(runKeys.orderbookRewire("cut", TO), VAULT)).to.equal(false);
    expect(runAimsAt(runKeys.diamondStage(vault), VAULT)).to.equal(false);
  });
});
