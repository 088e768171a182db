import { keccak256 } from "ethers";
import type { Encoded, Plan, Step, Value } from "./types.js";

/**
 * JSON with object keys sorted at every level: the same value always gives the same text. Exactly what
 * `JSON.stringify` gives for the value rebuilt with sorted keys (bigints as decimal strings; in an object, keys that
 * are array indices first, in numeric order, as JavaScript orders them), written in one pass without rebuilding it.
 */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  writeCanonical(value, parts);
  return parts.join("");
}

const isArrayIndex = (key: string) => /^(0|[1-9]\d*)$/.test(key) && Number(key) < 2 ** 32 - 1;
const omitted = (v: unknown) => v === undefined || typeof v === "function" || typeof v === "symbol";

function writeCanonical(input: unknown, out: string[]): void {
  let v = input;
  if (v !== null && typeof v === "object" && typeof (v as { toJSON?: unknown }).toJSON === "function")
    v = (v as { toJSON(): unknown }).toJSON();
  if (typeof v === "bigint") v = v.toString();
  if (v === null || typeof v !== "object") {
    out.push(JSON.stringify(v) ?? "null");
    return;
  }
  if (Array.isArray(v)) {
    out.push("[");
    v.forEach((item, i) => {
      if (i > 0) out.push(",");
      if (omitted(item)) out.push("null");
      else writeCanonical(item, out);
    });
    out.push("]");
    return;
  }
  const record = v as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  const indices = keys.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b));
  let first = true;
  out.push("{");
  for (const key of indices.length > 0 ? [...indices, ...keys.filter((k) => !isArrayIndex(k))] : keys) {
    if (omitted(record[key])) continue;
    if (!first) out.push(",");
    first = false;
    out.push(JSON.stringify(key), ":");
    writeCanonical(record[key], out);
  }
  out.push("}");
}

export function planId(plan: Omit<Plan, "id">): string {
  const { observedBlock: _block, ...content } = plan;
  return keccak256(Buffer.from(canonicalJson(content), "utf8"));
}

export function makePlan(content: Omit<Plan, "id">): Plan {
  const ids = new Set<string>();
  for (const step of content.steps) {
    if (ids.has(step.id)) throw new Error(`Plan has two steps with id ${step.id}`);
    for (const dependency of step.dependsOn) {
      if (!ids.has(dependency))
        throw new Error(`Step ${step.id} depends on ${dependency}, which is not an earlier step`);
    }
    ids.add(step.id);
  }
  return { id: planId(content), ...content };
}

export interface FactChange {
  fact: string;
  planned: string | undefined;
  now: string | undefined;
}

/**
 * Facts that changed since the plan was computed, other than those the plan's own steps change. A fact the plan
 * writes counts as its own change only once a step writing it is `settled` (done on chain, or sent by this run):
 * before that, the plan still expects the value it observed, and a change is someone else's.
 */
export function driftBetween(
  plan: Plan,
  currentFacts: Record<string, string>,
  settled: Set<string> = new Set(plan.steps.map((s) => s.id)),
): FactChange[] {
  const written = new Set(plan.steps.filter((step) => settled.has(step.id)).flatMap((step) => step.writes));
  const keys = new Set([...Object.keys(plan.facts), ...Object.keys(currentFacts)]);
  const changes: FactChange[] = [];
  for (const fact of [...keys].sort()) {
    if (written.has(fact)) continue;
    if (plan.facts[fact] !== currentFacts[fact])
      changes.push({ fact, planned: plan.facts[fact], now: currentFacts[fact] });
  }
  return changes;
}

export function isEncoded(value: unknown): value is Encoded {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { $encode?: unknown }).$encode === "object"
  );
}

/** True when `value` holds calldata encoded at apply time anywhere inside it. */
export function containsEncoded(value: Value): boolean {
  if (isEncoded(value)) return true;
  if (Array.isArray(value)) return value.some(containsEncoded);
  if (value !== null && typeof value === "object" && !isRef(value)) return Object.values(value).some(containsEncoded);
  return false;
}

export function isRef(value: unknown): value is { $ref: string } {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { $ref?: unknown }).$ref === "string"
  );
}

/** A value for people: references shown as <new Name>, labelled values by their label, nested values inline. */
export function describeValue(value: Value, labels: Record<string, string> = {}): string {
  const describe = (v: Value) => describeValue(v, labels);
  if (isRef(value)) return `<new ${value.$ref}>`;
  if (isEncoded(value)) return `${value.$encode.fn}(${value.$encode.args.map(describe).join(", ")})`;
  if (Array.isArray(value)) return `[${value.map(describe).join(", ")}]`;
  if (value !== null && typeof value === "object")
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}: ${describe(v)}`)
      .join(", ")}}`;
  return labels[String(value).toLowerCase()] ?? String(value);
}

/** One line per action: target, function, decoded arguments. */
export function describeStep(step: Step, labels: Record<string, string> = {}): string[] {
  const describe = (v: Value) => describeValue(v, labels);
  if (step.kind === "presigned")
    return [
      `top up its one-time deployer ${step.deployer} to ${step.funding} wei, then send its pre-signed deployment of ${step.address}`,
    ];
  if (step.kind === "deploy") {
    const libraries = Object.entries(step.libraries)
      .map(([name, address]) => `${name}=${address}`)
      .join(", ");
    return [
      `deploy ${step.contract}(${step.args.map(describe).join(", ")})${libraries ? ` linking ${libraries}` : ""}`,
    ];
  }
  const lines = step.actions.map((a) => `${describe(a.call.to)}.${a.call.fn}(${a.call.args.map(describe).join(", ")})`);
  return step.actions.length > 1
    ? [
        `multicall of ${step.actions.length} calls to ${describe(step.actions[0].call.to)}:`,
        ...lines.map((l) => `  ${l}`),
      ]
    : lines;
}
