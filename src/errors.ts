import { HardhatPluginError } from "@nomicfoundation/hardhat-errors";
import type { FactChange } from "./engine/plan.js";
import type { Plan } from "./engine/types.js";

export const PLUGIN_ID = "hardhat-cutover";

/** Bad input: names the input, the value given, and what to do. Raised before anything is sent. */
export class CutoverInputError extends HardhatPluginError {
  constructor(
    readonly input: string,
    readonly value: unknown,
    readonly fix: string,
  ) {
    super(PLUGIN_ID, `Invalid ${input}: ${JSON.stringify(value)}. Fix: ${fix}.`);
  }
}

/** A step its sender cannot do (a missing role, a revert), found by simulating it before anything is sent. */
export class SignerCannotError extends CutoverInputError {
  constructor(
    readonly sender: string,
    readonly step: string,
    readonly call: string,
    readonly reason: string,
    fix: string,
  ) {
    super("signer", sender, `it cannot ${step} (${call}): ${reason}; ${fix}`);
  }
}

/** The chain changed since the stored plan was computed, on facts the plan does not itself change. */
export class DriftError extends HardhatPluginError {
  constructor(
    readonly plan: Plan,
    readonly changes: FactChange[],
    readonly undone: string[] = [],
  ) {
    super(
      PLUGIN_ID,
      `The chain changed since plan ${plan.id.slice(0, 10)} was computed at block ${plan.observedBlock}:\n` +
        [
          ...changes.map((c) => `  ${c.fact}: planned ${c.planned ?? "(absent)"}, now ${c.now ?? "(absent)"}`),
          ...undone.map((u) => `  step ${u}`),
        ].join("\n") +
        `\nNothing was sent. Review the changes, then run again with --replan to compute a new plan from the chain as it is now.`,
    );
  }
}

/** A stored plan whose remaining steps these options would plan differently. */
export class InputsChangedError extends HardhatPluginError {
  constructor(
    readonly plan: Plan,
    readonly differences: string[],
  ) {
    super(
      PLUGIN_ID,
      `This run already has plan ${plan.id.slice(0, 10)} (${plan.steps.length} steps), computed with other options or config; with these it would be:\n` +
        differences.map((d) => `  ${d}`).join("\n") +
        `\nNothing was sent. Run again with the options the run started with, or add --replan to replace its plan (steps already on chain are kept).`,
    );
  }
}

/** The desired graph cannot be applied safely; nothing was sent. */
export class RoleRefusalError extends HardhatPluginError {
  constructor(
    readonly source: string,
    readonly refusals: { role: string; message: string }[],
  ) {
    super(
      PLUGIN_ID,
      `Refused to apply the desired roles from ${source}; nothing was sent:\n${refusals.map((r) => `  ${r.role}: ${r.message}`).join("\n")}`,
    );
  }
}

/** The diamond cut policy refuses the cut of some OrderBooks; nothing was sent. */
export class CutRefusedByPolicyError extends HardhatPluginError {
  constructor(refusals: { orderBook: string; symbol: string; refusal: { kind: string; detail: string } }[]) {
    super(
      PLUGIN_ID,
      `The diamond cut is refused for ${new Set(refusals.map((r) => r.orderBook)).size} OrderBook(s); nothing was sent:\n` +
        refusals.map((r) => `  ${r.symbol} ${r.orderBook}: [${r.refusal.kind}] ${r.refusal.detail}`).join("\n"),
    );
  }
}

/** cutover.requireRehearsal is on and this plan has no passing rehearsal recent enough; nothing was sent. */
export class RehearsalRequiredError extends HardhatPluginError {
  constructor(planId: string, found: string, maxAgeHours: number) {
    super(
      PLUGIN_ID,
      `Plan ${planId} has no passing rehearsal from the last ${maxAgeHours} h (found: ${found}), and cutover.requireRehearsal is on; nothing was sent. Run the same command with --rehearse first, then again without it.`,
    );
  }
}

/** The RPC endpoint kept failing a read (drops, 5xx, 429, timeouts) after bounded retries: never an answer. */
export class RpcUnavailableError extends HardhatPluginError {
  constructor(
    readonly what: string,
    readonly rpc: string,
    readonly attempts: number,
    readonly reason: string,
  ) {
    super(
      PLUGIN_ID,
      `Could not read ${what} from ${rpc} (${attempts} attempts; last error: ${reason}). Nothing was taken as an answer. ` +
        `Fix: check the RPC endpoint (or use a more reliable one), then run the same command again: nothing is sent twice.`,
    );
  }
}

/** A run file (plan.json, a journaled receipt, a known address) that does not match what it claims; nothing was sent. */
export class TamperedRunError extends HardhatPluginError {
  constructor(
    readonly file: string,
    readonly what: string,
  ) {
    super(
      PLUGIN_ID,
      `Refused ${file}: ${what}. Nothing was sent. Fix: restore the file from the run as it was written, or move the run folder aside and run with --replan to compute a new plan from the chain.`,
    );
  }
}

/** A step of the plan reverts when the whole plan is simulated in order on a throwaway copy of the chain. */
export class PlanSimulationError extends HardhatPluginError {
  constructor(
    readonly stepId: string,
    readonly step: string,
    readonly target: string,
    readonly reason: string,
    where: string,
  ) {
    super(
      PLUGIN_ID,
      `The plan would fail at step ${stepId} (${step}): ${target} reverts with ${reason} when the whole plan is simulated in order on ${where}. Nothing was sent. ` +
        `Fix: correct the value this step sends (the option or config entry that gives it), then run again (with --replan if the plan was already stored).`,
    );
  }
}
