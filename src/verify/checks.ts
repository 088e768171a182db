// The cutover's named checks: pure functions of the desired state (from the plans), the observed state (read through
// the Reader) and the files the app reads. Each gives pass / fail / n/a with evidence, and for every failure what was
// expected, what was found, and the fix. Reports are renderings of these results.
import { APP_FILE_CHECKS } from "./checks-app.js";
import type { Check, CheckResult, VerifyInput } from "./checks-core.js";
import { LIBRARY_CODE_CHECK } from "./checks-libraries.js";
import { MARKET_CHECKS } from "./checks-markets.js";
import { ROLE_CHECKS } from "./checks-roles.js";
import { VAULT_CHECKS } from "./checks-vault.js";

export type { AppFiles, Check, CheckResult, CheckStatus, Failure, VerifyInput } from "./checks-core.js";
export { namer } from "./checks-core.js";

/** Every check of the cutover, in report order. */
export const CHECKS: Check[] = [
  ...ROLE_CHECKS,
  ...MARKET_CHECKS,
  ...VAULT_CHECKS,
  LIBRARY_CODE_CHECK,
  ...APP_FILE_CHECKS,
];

export function runChecks(input: VerifyInput): CheckResult[] {
  return CHECKS.map((check) => ({ name: check.name, title: check.title, ...check.run(input) }));
}
