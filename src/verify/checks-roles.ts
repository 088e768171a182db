// Checks on the run itself and on the new vault's roles: every plan finished, every planned (role, holder) pair holds,
// nothing else does, and the deployer kept no admin role.
import { ADMIN_ROLES, namer, pairsMissing, result, same, short, type Check, type Failure } from "./checks-core.js";

export const ROLE_CHECKS: Check[] = [
  {
    name: "plans.complete",
    title: "every cutover run the state comes from finished",
    run({ desired }) {
      const failures: Failure[] = [
        ...desired.runs
          .filter((r) => !r.complete)
          .map((r) => ({
            subject: `run ${r.runKey}`,
            expected: "complete",
            found: `plan ${r.planId.slice(0, 10)} is not complete`,
            fix: "run the same task again: it resumes and finishes the remaining steps",
          })),
        ...desired.unresolved.map((u) => ({
          subject: u,
          expected: "deployed",
          found: "never deployed",
          fix: "run the same task again to finish the run",
        })),
      ];
      return result(
        failures,
        desired.runs
          .map((r) => `${r.runKey} ${r.planId.slice(0, 10)} ${r.complete ? "complete" : "INCOMPLETE"}`)
          .join("; "),
      );
    },
  },
  {
    name: "roles.desired-holders",
    title: "every role holder the plan wired holds its role on the new vault",
    run({ desired, observed, files }) {
      const name = namer(desired, files.records);
      const { total: wanted, missing } = pairsMissing(desired.roles, observed.roles);
      const failures: Failure[] = missing.map(([role, holder]) => ({
        subject: `${role} of ${name(holder)}`,
        expected: "holds the role",
        found: "does not hold it",
        fix: `grant it back: newVault.grantRole(${role}, ${holder}) from the role's admin (corevault:regrant-roles)`,
      }));
      return result(
        failures,
        `${wanted - failures.length}/${wanted} desired (role, holder) pairs hold on ${short(desired.newVault)}`,
      );
    },
  },
  {
    name: "roles.no-unexpected-holders",
    title: "nothing the plan did not wire holds a role on the new vault",
    run({ desired, observed, files }) {
      const name = namer(desired, files.records);
      const { total: holders, missing: unplanned } = pairsMissing(observed.roles, desired.roles);
      const failures: Failure[] = unplanned
        // The deployer keeping an admin role is the deployer check's finding, not this one's.
        .filter(([role, holder]) => !(same(holder, desired.deployer) && ADMIN_ROLES.includes(role)))
        .map(([role, holder]) => ({
          subject: `${role} of ${name(holder)}`,
          expected: "not a holder (no plan of the cutover grants it)",
          found: `holds ${role}`,
          fix: `revoke it: newVault.revokeRole(${role}, ${holder}); if it should hold the role, grant it through corevault:regrant-roles so a plan records it`,
        }));
      return result(
        failures,
        `${holders} (role, holder) pairs on ${short(desired.newVault)} (from RoleGranted events, confirmed with hasRole); ${failures.length} not in the plans`,
      );
    },
  },
  {
    name: "roles.deployer-no-admin",
    title: "the deployer holds no admin role on the new vault",
    run({ desired, observed }) {
      const failures: Failure[] = ADMIN_ROLES.filter((role) =>
        observed.roles[role].some((h) => same(h, desired.deployer)),
      ).map((role) => ({
        subject: `deployer ${desired.deployer}`,
        expected: `no ${role}`,
        found: `holds ${role}`,
        fix: `hand it over: grant ${role === "DEFAULT_ADMIN_ROLE" ? "DEFAULT_ADMIN_ROLE to the admin (e.g. a multisig: --admin / cutover.admin), then " : ""}newVault.renounceRole(${role}, ${desired.deployer}) from the deployer`,
      }));
      return result(
        failures,
        `deployer ${desired.deployer} holds ${failures.length === 0 ? "none" : failures.map((f) => f.found.replace("holds ", "")).join(", ")} of ${ADMIN_ROLES.join(", ")}`,
      );
    },
  },
];
