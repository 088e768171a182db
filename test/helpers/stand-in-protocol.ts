// The dexetra-v5 profile adapted to this repository's stand-in, without Hardhat's runtime: the tests set it on the
// in-process runtime, and `hardhat.dexetra-v5.config.ts` gives it to child processes.
import { DEXETRA_V5 } from "../../src/profile/builtins.js";
import type { CreateOrderBook, ProtocolUserConfig } from "../../src/profile/schema.js";

/**
 * The dexetra-v5 profile for this repository's stand-in: the built-in names the production artifacts (a user's project
 * has `CoreVault`), the stand-in has its own names, so they are overridden in config as a project with renamed
 * contracts would (the vault, the factory, the OrderBook Diamond); the factory's fee recipient has no getter and is
 * supplied.
 */
export function standInProtocol(feeRecipient: string): ProtocolUserConfig {
  return {
    profile: "dexetra-v5",
    vault: { artifact: "DexetraCoreVault", libraries: ["DexetraVaultAnalytics", "DexetraPositionManager"] },
    factory: {
      keep: { feeRecipient: { value: feeRecipient } },
      replacement: { artifact: "DexetraFuturesMarketFactory", args: ["$newVault", "$admin", "$keep.feeRecipient"] },
      // the production Diamond is the stand-in's DexetraDiamond
      createOrderBook: {
        ...(DEXETRA_V5.factory.createOrderBook as CreateOrderBook),
        constructorArtifact: "DexetraDiamond",
      },
    },
  };
}
