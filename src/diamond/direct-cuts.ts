// Many diamonds' facet plans applied in one engine run: each diamond owned by an EOA or a Safe gets its one
// diamondCut, all independent, so the engine sends them back to back with explicit nonces (pipelined) like the rewire.
import { keccak256, toUtf8Bytes } from "ethers";
import { runKeys } from "../engine/run-key.js";
import type { Planner } from "../engine/run.js";
import type { Step } from "../engine/types.js";
import type { ChangeContext } from "./change.js";
import { checkApply } from "./facet-plan-planners.js";
import { directCutStep } from "./facet-plan-steps.js";
import { stateFacts } from "./target.js";

const stepId = (ctx: ChangeContext) => `diamond-cut:${ctx.plan.target.toLowerCase()}`;

/** The run of several changes on directly owned diamonds (one target each); its key is from the change ids. */
export function directCutsPlanner(contexts: ChangeContext[]): Planner<undefined> {
  const byStep = new Map(contexts.map((ctx) => [stepId(ctx), ctx]));
  const ids = contexts.map((ctx) => ctx.id).sort();
  const rollback = contexts.some((ctx) => ctx.rollback);
  return {
    task: rollback ? "diamond:rollback" : "diamond:apply-plan",
    runKey: runKeys.diamondApply(keccak256(toUtf8Bytes(ids.join(",")))),
    async observe(reader) {
      const facts: Record<string, string> = {};
      for (const ctx of contexts) {
        const own = await stateFacts(reader, ctx);
        for (const [key, value] of Object.entries(own)) facts[`${ctx.plan.target.toLowerCase()}:${key}`] = value;
      }
      return { facts, state: undefined };
    },
    plan: () => ({
      steps: contexts.map((ctx): Step => ({
        ...directCutStep(ctx),
        id: stepId(ctx),
        writes: [`${ctx.plan.target.toLowerCase()}:target.routes`],
      })),
    }),
    async preflight(enginePlan, reader, pending, addresses) {
      for (const step of pending) await checkApply(enginePlan, reader, addresses, byStep.get(step.id)!, step);
    },
  };
}
