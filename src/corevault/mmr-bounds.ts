// The new vault's MMR params from config, checked against the bounds the profile declares for its setter's
// parameters (`cutover.protocol.vault.mmrParams.bounds`), before anything is sent: a value the contract would reject
// is an input error here, not a revert after the deployment and the steps before it were sent.
import { FunctionFragment } from "ethers";
import type { CutoverConfig } from "../config.js";
import { CutoverInputError } from "../errors.js";
import { checkBounds } from "../engine/input-checks.js";
import type { Profile } from "../profile/schema.js";

const BOUNDS_KEY = "cutover.protocol.vault.mmrParams.bounds";
/** The object form's fields, in the reference setter's order. */
const NAMED = ["baseMmrBps", "penaltyMmrBps", "maxMmrBps", "scalingSlopeBps"] as const;

type Given = NonNullable<CutoverConfig["redeploy"]["mmrParams"]>;

/** `cutover.redeploy.mmrParams` as the values of the profile's setter (checked against its arity and bounds). */
export function configuredMmrParams(given: Given | undefined, profile: Profile): string[] | undefined {
  if (!given) return undefined;
  const values = Array.isArray(given) ? given : NAMED.map((field) => given[field]);
  const setter = FunctionFragment.from(profile.vault.mmrParams.write.signature);
  if (values.length !== setter.inputs.length)
    throw new CutoverInputError(
      "cutover.redeploy.mmrParams",
      given,
      `the ${profile.name} profile's setter (${profile.vault.mmrParams.write.signature}) takes ${setter.inputs.length} values; give them all, in its order, as an array`,
    );
  const inputs = values.map((_, i) =>
    Array.isArray(given)
      ? `cutover.redeploy.mmrParams[${i}] (${setter.inputs[i].name || `argument ${i}`})`
      : `cutover.redeploy.mmrParams.${NAMED[i]}`,
  );
  checkMmrBounds(profile, values.map(BigInt), inputs);
  return values.map(String);
}

/**
 * Each value within its declared bound; a bound is a number or the name of another parameter of the setter (e.g. the
 * reference vault's base at most its max). A bound naming no parameter of the setter is a profile error.
 */
function checkMmrBounds(profile: Profile, values: bigint[], inputs: string[]): void {
  const { write, bounds } = profile.vault.mmrParams;
  if (!bounds)
    throw new CutoverInputError(
      BOUNDS_KEY,
      "(missing)",
      `cutover.protocol.vault.mmrParams replaces the ${profile.name} profile's setter with ${write.signature}, whose bounds are not declared, so cutover.redeploy.mmrParams cannot be checked before anything is sent; declare what the setter accepts by its parameter names (e.g. { ${FunctionFragment.from(write.signature).inputs[0]?.name || "base"}: { min: 1, max: 5000 } }), or bounds: {} to check none`,
    );
  const names = FunctionFragment.from(write.signature).inputs.map((p) => p.name);
  const limit = (param: string, side: "min" | "max", bound: number | string | undefined): bigint | undefined => {
    if (bound === undefined || typeof bound === "number") return bound === undefined ? undefined : BigInt(bound);
    const index = names.indexOf(bound);
    if (index === -1)
      throw new CutoverInputError(
        `${BOUNDS_KEY}.${param}.${side}`,
        bound,
        `name one of ${write.signature}'s parameters (${names.join(", ")}) or give a number`,
      );
    return values[index];
  };
  for (const [param, bound] of Object.entries(bounds)) {
    const index = names.indexOf(param);
    if (index === -1)
      throw new CutoverInputError(
        `${BOUNDS_KEY}.${param}`,
        param,
        `key the bounds by the parameter names of ${write.signature} (${names.join(", ")})`,
      );
    const min = limit(param, "min", bound.min) ?? 0n;
    const max = limit(param, "max", bound.max) ?? 2n ** 256n - 1n;
    const source =
      bound.why ?? `the ${profile.name} profile's bound for ${param} of ${FunctionFragment.from(write.signature).name}`;
    checkBounds(inputs[index], values[index], min, max, `${BOUNDS_KEY}.${param}: ${source}`);
  }
}
