import { FunctionFragment } from "ethers";
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
  const mmrParams = inheritedMmrBounds(base, user);
  if (mmrParams) merged.vault = { ...(merged.vault as object), mmrParams };
  const errors = [...(base.errors ?? []), ...(user?.errors ?? [])];
  if (errors.length > 0) merged.errors = errors;
  // Entries were validated one by one; this checks the whole is still a profile.
  return profileSchema.parse(merged);
}

/**
 * A replaced `vault.mmrParams` without `bounds` keeps the built-in's bounds when its setter has the same parameters
 * (names, in order): replacing the reads must not drop the checks. Another setter's bounds must be declared (refused
 * when MMR params are configured without them, see mmr-bounds.ts).
 */
function inheritedMmrBounds(
  base: Profile,
  user: ProtocolUserConfig | undefined,
): Profile["vault"]["mmrParams"] | undefined {
  const given = user?.vault?.mmrParams as Profile["vault"]["mmrParams"] | undefined;
  const builtin = base.vault.mmrParams;
  if (!given || given.bounds !== undefined || !builtin.bounds) return undefined;
  const params = (signature: string) =>
    FunctionFragment.from(signature)
      .inputs.map((p) => p.name)
      .join(",");
  return params(given.write.signature) === params(builtin.write.signature)
    ? { ...given, bounds: builtin.bounds }
    : undefined;
}
