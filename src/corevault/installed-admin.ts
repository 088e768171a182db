import { isAddress } from "ethers";
import type { Plan } from "../engine/types.js";
import { roleId } from "./observe.js";

/**
 * The accounts a redeploy plan hands DEFAULT_ADMIN_ROLE of the new vault to (its `handoff:admin` grants), read from
 * their done checks (`hasRole(DEFAULT_ADMIN_ROLE, account) == true`), whatever the profile's argument order.
 */
export function installedAdmins(plan: Plan): string[] {
  const adminRole = roleId("DEFAULT_ADMIN_ROLE").toLowerCase();
  const admins: string[] = [];
  for (const step of plan.steps) {
    if (step.kind !== "call" || !step.id.startsWith("handoff:admin")) continue;
    for (const action of step.actions)
      for (const check of action.done) {
        const args = check.read.args.map((a) => (typeof a === "string" ? a : ""));
        if (check.equals !== true || !args.some((a) => a.toLowerCase() === adminRole)) continue;
        const account = args.find((a) => isAddress(a));
        if (account) admins.push(account);
      }
  }
  return admins;
}
