import path from "node:path";
import { z } from "zod";
import { resolveProfile, type Profile } from "./profile/resolve.js";
import { protocolUserConfigSchema } from "./profile/schema.js";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "Expected a 0x-prefixed 20-byte hex address");
const roleName = z.enum([
  "DEFAULT_ADMIN_ROLE",
  "FACTORY_ROLE",
  "SETTLEMENT_ROLE",
  "EXTERNAL_CREDITOR_ROLE",
  "ORDERBOOK_ROLE",
]);

/** The `cutover` key of the Hardhat config. Every field is optional. */
export const cutoverUserConfigSchema = z
  .object({
    /** Final DEFAULT_ADMIN_ROLE holder of the contracts a cutover deploys (default: the old vault's admins). */
    admin: address.optional(),
    /** Confirmations per network name before a step counts as done (default 1). */
    confirmations: z.record(z.string(), z.number().int().min(1).max(64)).optional(),
    /** Refuse to send a plan without a passing --rehearse of the same plan id from the last rehearsalMaxAgeHours. */
    requireRehearsal: z.boolean().optional(),
    rehearsalMaxAgeHours: z.number().positive().optional(),
    appConfig: z
      .object({
        /** JS module of addresses for the app (default config/contracts.js). */
        contractsModule: z.string().min(1).optional(),
        /** Env file updated in place (default .env.local). */
        envFile: z.string().min(1).optional(),
        /** Prefix of env keys (default NEXT_PUBLIC_). */
        envPrefix: z.string().optional(),
        /** When to write them: "persistent" networks only (default; never the in-process chain), "always", "never". */
        write: z.enum(["persistent", "always", "never"]).optional(),
      })
      .strict()
      .optional(),
    diamond: z
      .object({
        /** Selectors a cut may remove (the removal allowlist); anything else live is never removed. */
        removable: z
          .array(z.string().regex(/^0x[0-9a-fA-F]{8}$/, "Expected a 4-byte selector like 0x12345678"))
          .optional(),
        /** How the ManifestDispatcher target is read and written (default: detected from the target). */
        dispatcherProfile: z.enum(["reference", "payrox"]).optional(),
        /** How the manifest tree carries an odd node up (default: the dispatcher profile's). */
        oddNode: z.enum(["promote", "duplicate"]).optional(),
      })
      .strict()
      .optional(),
    /** The protocol profile: how the protocol is read and written (built-in `reference` or `dexetra-v5`, plus overrides). */
    protocol: protocolUserConfigSchema.optional(),
    redeploy: z
      .object({
        collateral: address.optional(),
        libraries: z
          .object({ VaultAnalytics: address.optional(), PositionManager: address.optional() })
          .strict()
          .optional(),
        liquidationManager: address.optional(),
        /** The new vault's MMR params: by name (the reference mock's four), or every value of the profile's setter in order. */
        mmrParams: z
          .union([
            z
              .object({
                baseMmrBps: z.number().int(),
                penaltyMmrBps: z.number().int(),
                maxMmrBps: z.number().int(),
                scalingSlopeBps: z.number().int(),
              })
              .strict(),
            z.array(z.number().int().min(0)).min(1),
          ])
          .optional(),
        /** Holders of a role on the new vault, replacing the holders observed on the old one. */
        roles: z.record(roleName, z.array(address)).optional(),
        /** Calls per multicall transaction (default 60). */
        batchSize: z.number().int().min(1).max(500).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type CutoverUserConfig = z.infer<typeof cutoverUserConfigSchema>;

export interface CutoverConfig {
  admin?: string;
  confirmations: Record<string, number>;
  requireRehearsal: boolean;
  rehearsalMaxAgeHours: number;
  appConfig: { contractsModule: string; envFile: string; envPrefix: string; write: "persistent" | "always" | "never" };
  diamond: { removable: string[]; dispatcherProfile?: "reference" | "payrox"; oddNode?: "promote" | "duplicate" };
  redeploy: NonNullable<CutoverUserConfig["redeploy"]> & { batchSize: number };
  /** The active protocol profile. */
  protocol: Profile;
}

export function resolveCutoverConfig(user: CutoverUserConfig | undefined, root: string): CutoverConfig {
  return {
    admin: user?.admin,
    confirmations: user?.confirmations ?? {},
    requireRehearsal: user?.requireRehearsal ?? false,
    rehearsalMaxAgeHours: user?.rehearsalMaxAgeHours ?? 24,
    appConfig: {
      contractsModule: path.resolve(root, user?.appConfig?.contractsModule ?? "config/contracts.js"),
      envFile: path.resolve(root, user?.appConfig?.envFile ?? ".env.local"),
      envPrefix: user?.appConfig?.envPrefix ?? "NEXT_PUBLIC_",
      write: user?.appConfig?.write ?? "persistent",
    },
    diamond: {
      removable: user?.diamond?.removable ?? [],
      dispatcherProfile: user?.diamond?.dispatcherProfile,
      oddNode: user?.diamond?.oddNode,
    },
    redeploy: { ...user?.redeploy, batchSize: user?.redeploy?.batchSize ?? 60 },
    protocol: resolveProfile(user?.protocol),
  };
}
