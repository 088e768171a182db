/** JSON with bigints as decimal strings, two-space indented, newline-terminated. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n";
}
