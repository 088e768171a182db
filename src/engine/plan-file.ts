// plan.json's text, a step at a time: at 5 000 markets the plan is tens of megabytes of JSON, never built as one string.
import { toJson } from "../util/json.js";
import type { Plan } from "./types.js";

const STEPS = "\u0000steps\u0000";
const bigints = (_key: string, v: unknown) => (typeof v === "bigint" ? v.toString() : v);

/** The pieces of `toJson(plan)` (two-space indented, newline-terminated), in order; joined they are exactly that text. */
export function* planJsonChunks(plan: Plan): Generator<string> {
  const frame = toJson({ ...plan, steps: STEPS });
  const marker = JSON.stringify(STEPS);
  const at = frame.indexOf(marker);
  yield frame.slice(0, at);
  if (plan.steps.length === 0) yield "[]";
  else
    for (const [i, step] of plan.steps.entries())
      yield (i === 0 ? "[\n" : ",\n") + JSON.stringify(step, bigints, 2).replace(/^/gm, "    ");
  if (plan.steps.length > 0) yield "\n  ]";
  yield frame.slice(at + marker.length);
}
