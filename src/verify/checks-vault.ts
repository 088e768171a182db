// Checks on the new vault's settings (liquidation manager, MMR params, collateral, linked libraries) and on the old
// vault (paused, halted).
import { result, same, short, type Check, type Failure } from "./checks-core.js";

export const VAULT_CHECKS: Check[] = [
  {
    name: "vault.liquidation-manager",
    title: "the liquidation manager is the old vault's (the plan's)",
    run({ desired, observed }) {
      const found = observed.newVault.liquidationManager;
      if (observed.withoutGetter.liquidationManager)
        return result(
          [],
          `not readable from chain (the profile has no getter for it): checked against the plan, which sets ${desired.liquidationManager}`,
        );
      const failures = same(found, desired.liquidationManager)
        ? []
        : [
            {
              subject: "new CoreVault liquidationManager()",
              expected: desired.liquidationManager,
              found: found ?? "(reverted)",
              fix: `newVault.setLiquidationManager(${desired.liquidationManager}) from the admin`,
            },
          ];
      return result(
        failures,
        `new ${found ?? "?"}, plan ${desired.liquidationManager}, old vault ${observed.oldVault.liquidationManager ?? "?"}`,
      );
    },
  },
  {
    name: "vault.mmr-params",
    title: "the MMR params are the old vault's (the plan's)",
    run({ desired, observed }) {
      const found = observed.newVault.mmrParams?.join(",");
      const expected = desired.mmrParams.join(",");
      const failures =
        found === expected
          ? []
          : [
              {
                subject: "new CoreVault mmrParams()",
                expected,
                found: found ?? "(reverted)",
                fix: `newVault.setMmrParams(${desired.mmrParams.join(", ")}) from the admin`,
              },
            ];
      return result(
        failures,
        `new (${found ?? "?"}), plan (${expected}), old vault (${observed.oldVault.mmrParams?.join(",") ?? "?"})`,
      );
    },
  },
  {
    name: "old-vault.paused",
    title: "the old vault is paused when the plan paused it",
    run({ desired, observed }) {
      if (!desired.pauseOld) return result([], `the plan did not pause it (paused: ${observed.oldVault.paused})`, true);
      const failures =
        observed.oldVault.paused === true
          ? []
          : [
              {
                subject: `old CoreVault ${desired.oldVault}`,
                expected: "paused",
                found: observed.oldVault.paused === false ? "not paused" : "paused() reverted",
                fix: "oldVault.pause() from its admin",
              },
            ];
      return result(failures, `old vault paused: ${observed.oldVault.paused}`);
    },
  },
  {
    name: "old-vault.halted",
    title: "no OrderBook the plan halted holds ORDERBOOK_ROLE on the old vault",
    run({ desired, observed }) {
      if (desired.haltedOnOld.length === 0) return result([], "the plan did not halt the old vault", true);
      const failures: Failure[] = Object.entries(observed.oldVault.haltedOrderBooks)
        .filter(([, holds]) => holds !== false)
        .map(([book, holds]) => ({
          subject: `OrderBook ${book} on the old CoreVault ${desired.oldVault}`,
          expected: "no ORDERBOOK_ROLE (trading there halted)",
          found: holds === undefined ? "hasRole reverted" : "holds ORDERBOOK_ROLE",
          fix: `oldVault.revokeRole(ORDERBOOK_ROLE, ${book}) from its admin (corevault:redeploy --halt-old)`,
        }));
      return result(
        failures,
        `${desired.haltedOnOld.length - failures.length}/${desired.haltedOnOld.length} halted OrderBooks without ORDERBOOK_ROLE on the old vault`,
      );
    },
  },
  {
    name: "collateral.decimals",
    title: "the new vault's collateral is the plan's, with 6 decimals",
    run({ desired, observed }) {
      const failures: Failure[] = [];
      const { collateralInCode } = observed.withoutGetter;
      if (collateralInCode === false)
        failures.push({
          subject: "new CoreVault runtime code (no collateral getter in the profile)",
          expected: `the immutable ${desired.collateral}`,
          found: "not among its 32-byte words",
          fix: "the collateral is immutable: redeploy the vault with the right --collateral",
        });
      else if (collateralInCode === undefined && !same(observed.newVault.collateral, desired.collateral)) {
        failures.push({
          subject: "new CoreVault collateralToken()",
          expected: desired.collateral,
          found: observed.newVault.collateral ?? "(reverted)",
          fix: "the collateral is immutable: redeploy the vault with the right --collateral",
        });
      }
      if (observed.collateralDecimals !== 6) {
        failures.push({
          subject: `collateral ${desired.collateral} decimals()`,
          expected: "6",
          found: String(observed.collateralDecimals ?? "(reverted)"),
          fix: "use a 6-decimals USDC as collateral (redeploy with --collateral)",
        });
      }
      const read = collateralInCode
        ? `${desired.collateral} (an immutable in the new vault's code; no getter)`
        : (observed.newVault.collateral ?? "?");
      return result(failures, `collateral ${read}, ${observed.collateralDecimals ?? "?"} decimals`);
    },
  },
  {
    name: "vault.libraries",
    title: "the libraries linked into the new vault's bytecode are the plan's",
    run({ desired, observed }) {
      const failures: Failure[] = [];
      if (!observed.newVault.hasCode)
        failures.push({
          subject: `new CoreVault ${desired.newVault}`,
          expected: "code",
          found: "no code at that address",
          fix: "check the network: the records name a vault this chain does not have",
        });
      for (const [name, expected] of Object.entries(desired.libraries)) {
        const found = observed.newVault.libraries[name];
        if (observed.newVault.hasCode && !same(found, expected))
          failures.push({
            subject: `library ${name}`,
            expected,
            found: found ?? "(not linked)",
            fix: "the links are in the bytecode: redeploy the vault with --libraries pointing at the expected ones",
          });
      }
      return result(
        failures,
        Object.entries(observed.newVault.libraries)
          .map(([n, a]) => `${n}=${short(a)}`)
          .join(", ") || "no linked libraries read",
      );
    },
  },
];
