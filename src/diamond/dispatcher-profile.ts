// Dispatcher profiles: how one ManifestDispatcher is read and written. The only place that knows which getters a
// dispatcher has. Built-in: `reference` (our mock: earliestActivation(), stagedRoute(bytes4), applyRoutes stages and
// activateCommittedRoot makes live, AccessControl roles) and `payrox` (PayRox's production dispatcher, facts in
// shared/protocol/payrox-dispatcher.md: pendingSince() + activationDelay(), no stagedRoute, applyRoutes writes live
// routes at once, one owner). Selected by `cutover.diamond.dispatcherProfile`, else detected from the target.
import { HardhatPluginError } from "@nomicfoundation/hardhat-errors";
import { PLUGIN_ID } from "../errors.js";
import type { ReadCall, Reader } from "../engine/reader.js";
import type { OddNodeRule } from "../manifest/merkle.js";

export type DispatcherProfileName = "reference" | "payrox";

export interface DispatcherProfile {
  name: DispatcherProfileName;
  /** The artifact whose ABI encodes the reads and writes (for payrox: our stand-in with its exact interface). */
  contract: string;
  /** Entry -> function. Reads: each a view without arguments unless noted. */
  reads: {
    activeRoot: string;
    activeEpoch: string;
    pendingRoot: string;
    pendingEpoch: string;
    activationDelay: string;
    frozen: string;
    /** The earliest apply: one getter, or the pending root's commit time (plus activationDelay). */
    eta: { earliestActivation: string } | { pendingSince: string };
    /** routes(bytes4) -> (facet, codehash): the live route. */
    route: string;
    /** stagedRoute(bytes4) -> (facet, codehash), where applyRoutes only stages. */
    stagedRoute?: string;
  };
  writes: { commitRoot: string; applyRoutes: string; activate: string; removeRoutes: string };
  /** true: applyRoutes writes live routes at once (nothing on chain enforces the delay before them). */
  applyGoesLive: boolean;
  /** Who may stage and apply, for the fix of a refused simulation. */
  authority: string;
  /** How the target's own tooling hashes an odd node (cutover.diamond.oddNode overrides); both verify on chain. */
  oddNode: OddNodeRule;
}

const WRITES = {
  commitRoot: "commitRoot",
  applyRoutes: "applyRoutes",
  activate: "activateCommittedRoot",
  removeRoutes: "removeRoutes",
};
const COMMON = {
  activeRoot: "activeRoot",
  activeEpoch: "activeEpoch",
  pendingRoot: "pendingRoot",
  pendingEpoch: "pendingEpoch",
  activationDelay: "activationDelay",
  frozen: "frozen",
  route: "routes",
};

export const DISPATCHER_PROFILES: Record<DispatcherProfileName, DispatcherProfile> = {
  reference: {
    name: "reference",
    contract: "ManifestDispatcher",
    reads: { ...COMMON, eta: { earliestActivation: "earliestActivation" }, stagedRoute: "stagedRoute" },
    writes: WRITES,
    applyGoesLive: false,
    authority: "an account holding the dispatcher's COMMIT_ROLE (stage) or APPLY_ROLE (apply)",
    oddNode: "promote",
  },
  payrox: {
    name: "payrox",
    contract: "PayRoxDispatcher",
    reads: { ...COMMON, eta: { pendingSince: "pendingSince" } },
    writes: WRITES,
    applyGoesLive: true,
    authority: "the dispatcher's owner() (PayRox's dispatcher has one owner, no roles)",
    oddNode: "duplicate",
  },
};

const PROFILE_FIX = `if this target is another dispatcher, set cutover.diamond.dispatcherProfile to the built-in profile it matches (${Object.keys(DISPATCHER_PROFILES).join(" or ")}); otherwise check --target and the network`;

/** A read of a target that failed: names the contract, the function and the entry (profile or interface) to fix. */
export class TargetReadError extends HardhatPluginError {
  constructor(
    readonly target: string,
    readonly fn: string,
    readonly entry: string,
    reason: string,
    what = "the dispatcher",
    fix = PROFILE_FIX,
  ) {
    super(PLUGIN_ID, `Reading ${fn}() of ${what} ${target} failed (${entry}): ${reason}. Fix: ${fix}.`);
  }
}

const reasonOf = (error: unknown) => ((error as { shortMessage?: string }).shortMessage ?? String(error)).slice(0, 200);

/**
 * A read of a diamond, its owner or its timelock outside any profile; a failure names the contract, the function and
 * the interface entry it belongs to (e.g. "EIP-2535 loupe facets()"), and what to check.
 */
export async function namedRead(
  reader: Reader,
  read: ReadCall,
  what: string,
  entry: string,
  fix = "check --target and the network; the target must implement that function",
): Promise<unknown> {
  try {
    return await reader.call(read);
  } catch (error) {
    throw new TargetReadError(read.to, read.fn, entry, reasonOf(error), what, fix);
  }
}

/** One read through the profile; a failure names the target, the function and `dispatcher profile <name>, entry <e>`. */
export async function profileRead(
  reader: Reader,
  profile: DispatcherProfile,
  target: string,
  entry: keyof DispatcherProfile["reads"] | "eta",
  args: unknown[] = [],
): Promise<unknown> {
  const spec = profile.reads[entry as keyof DispatcherProfile["reads"]];
  const fn = typeof spec === "string" ? spec : entry === "eta" ? Object.values(profile.reads.eta)[0] : undefined;
  if (fn === undefined) throw new Error(`dispatcher profile ${profile.name} has no entry ${entry}`);
  try {
    return await reader.call({ to: target, contract: profile.contract, fn, args });
  } catch (error) {
    throw new TargetReadError(
      target,
      fn,
      `dispatcher profile "${profile.name}", entry reads.${entry}`,
      reasonOf(error),
    );
  }
}

/** The earliest time the pending root may be applied: earliestActivation(), or pendingSince() + activationDelay(). */
export async function pendingEta(reader: Reader, profile: DispatcherProfile, target: string): Promise<number> {
  const first = Number(await profileRead(reader, profile, target, "eta"));
  if ("earliestActivation" in profile.reads.eta) return first;
  return first + Number(await profileRead(reader, profile, target, "activationDelay"));
}

/**
 * The profile of a target: the configured one, else the first built-in whose distinguishing getter answers
 * (earliestActivation() for `reference`, pendingSince() for `payrox`). Undefined: the target is no dispatcher at all
 * (activeEpoch() does not answer).
 */
export async function detectProfile(
  reader: Reader,
  target: string,
  configured: DispatcherProfileName | undefined,
): Promise<DispatcherProfile | undefined> {
  if (configured) return DISPATCHER_PROFILES[configured];
  const answers = (profile: DispatcherProfile, fn: string) =>
    reader.tryCall({ to: target, contract: profile.contract, fn, args: [] }).then((v) => v !== undefined);
  const candidates = Object.values(DISPATCHER_PROFILES);
  if (!(await answers(candidates[0], "activeEpoch"))) return undefined;
  for (const profile of candidates) {
    if (await answers(profile, Object.values(profile.reads.eta)[0])) return profile;
  }
  throw new TargetReadError(
    target,
    "earliestActivation / pendingSince",
    "dispatcher profile detection: neither reference's reads.eta nor payrox's reads.eta answers",
    "it answers activeEpoch() like a ManifestDispatcher, but no built-in profile's getters",
  );
}
