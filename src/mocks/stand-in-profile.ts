// The dexetra-v5 profile for this repository's stand-in of the production protocol (`mocks:deploy-system --profile
// dexetra-v5`): the built-in names the production artifacts (a user's project has `CoreVault`), the stand-in has its
// own names, so they are overridden in config as a project with renamed contracts would; the factory's fee recipient
// has no getter and is supplied.
import { DEXETRA_V5 } from "../profile/builtins.js";
import type { CreateOrderBook, ProtocolUserConfig } from "../profile/schema.js";

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
