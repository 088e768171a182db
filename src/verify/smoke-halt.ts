// The halt of the old vault proven by behaviour, not only by role reads: on the throwaway chain, each OrderBook a plan
// halted (--halt-old) makes the vault call a fill makes (the profile's `trading.halt`) against the old vault, and the
// old vault must refuse it with one of the errors the profile names (a missing ORDERBOOK_ROLE, or a pause where pause
// halts trading).
import { ZeroHash } from "ethers";
import type { ThrowawayChain } from "../fork/throwaway.js";
import { reason } from "../engine/executor-eoa.js";
import { fnName } from "../profile/interpret.js";
import type { Profile } from "../profile/schema.js";
import { encodeTemplated, refusedWith, sigName } from "../profile/trading.js";
import type { Failure } from "./checks.js";
import type { DesiredState } from "./desired.js";
import { actor } from "./smoke-run.js";

export async function haltSmoke(
  env: ThrowawayChain,
  profile: Profile,
  desired: DesiredState,
): Promise<"n/a" | { evidence: string; failures: Failure[] }> {
  if (desired.haltedOnOld.length === 0) return "n/a";
  const { halt } = profile.trading;
  const fn = fnName(halt.call);
  const expected = `refused with ${halt.refusedWith.map(sigName).join(" or ")}`;
  const trader = actor("halt trader");
  const failures: Failure[] = [];
  for (const book of desired.haltedOnOld) {
    const marketId =
      desired.markets.find((m) => m.orderBook.toLowerCase() === book.toLowerCase())?.marketId ?? ZeroHash;
    const data = encodeTemplated(halt.call, halt.args, [trader, marketId, 10n ** 18n, 1_000_000n]);
    const subject = `${fn} from OrderBook ${book} on the old CoreVault ${desired.oldVault}`;
    try {
      await env.conn.ethers.provider.call({ from: book, to: desired.oldVault, data });
      failures.push({
        subject,
        expected,
        found: "accepted: trading against the old vault goes on",
        fix: `oldVault.revokeRole(ORDERBOOK_ROLE, ${book}) from its admin (corevault:redeploy --halt-old)`,
      });
    } catch (error) {
      if (!refusedWith(error, halt.refusedWith))
        failures.push({
          subject,
          expected,
          found: `refused otherwise: ${reason(error)}`,
          fix: `check cutover.protocol.trading.halt (the call an OrderBook makes for a fill) and the old vault's roles`,
        });
    }
  }
  return {
    evidence: `${desired.haltedOnOld.length - failures.length}/${desired.haltedOnOld.length} halted OrderBooks' ${fn} refused by the old vault on ${env.where}`,
    failures,
  };
}
