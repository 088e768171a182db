// Every --json output names its shape and version, "hardhat-cutover/<name>@<version>", first; the README lists them.
import { toJson } from "../util/json.js";

/** The shapes of the --json outputs (the rehearsal report's is "rehearsal", set where it is built). */
export const JSON_SCHEMAS = [
  "run",
  "plan",
  "verify",
  "status",
  "roles",
  "scan-stale",
  "inventory",
  "watch",
  "facet-plan",
  "facet-change",
  "snapshot",
] as const;

export type JsonSchemaName = (typeof JSON_SCHEMAS)[number];

export function schemaId(name: JsonSchemaName): string {
  return `hardhat-cutover/${name}@1`;
}

/** `value` as the task's --json output, with its schema first. */
export function jsonOutput(name: JsonSchemaName, value: object): string {
  return toJson({ schema: schemaId(name), ...value });
}

/** One line of a JSON Lines stream (cutover:watch), with its schema. */
export function jsonLine(name: JsonSchemaName, value: object): string {
  return JSON.stringify({ schema: schemaId(name), ...value }, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}
