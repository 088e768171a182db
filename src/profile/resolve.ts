import { BUILTIN_PROFILES } from "./builtins.js";
import { profileSchema, type Profile, type ProtocolUserConfig } from "./schema.js";

export { BUILTIN_PROFILES } from "./builtins.js";
export type { Profile, ProtocolUserConfig } from "./schema.js";

const SECTIONS = ["vault", "factory", "hub", "orderBook", "discovery", "trading", "ownership"] as const;

/**
 * The active profile: the built-in named by `cutover.protocol.profile` (default `reference`), each entry the user gives
 * replacing the built-in's entry of the same name (a section's entries one by one, each entry whole).
 */
export function resolveProfile(user: ProtocolUserConfig | undefined): Profile {
  const base = BUILTIN_PROFILES[user?.profile ?? "reference"];
  const merged: Record<string, unknown> = { ...base };
  for (const section of SECTIONS) merged[section] = { ...base[section], ...user?.[section] };
  // Entries were validated one by one; this checks the whole is still a profile.
  return profileSchema.parse(merged);
}
