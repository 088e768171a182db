import type { ConfigHooks } from "hardhat/types/hooks";
import { validateUserConfigZodType } from "@nomicfoundation/hardhat-zod-utils";
import { z } from "zod";
import { cutoverUserConfigSchema, resolveCutoverConfig } from "../config.js";
import "../type-extensions.js";

const userConfigType = z.object({ cutover: cutoverUserConfigSchema.optional() });

export default async (): Promise<Partial<ConfigHooks>> => ({
  validateUserConfig: async (userConfig) => validateUserConfigZodType(userConfig, userConfigType),
  resolveUserConfig: async (userConfig, resolveConfigurationVariable, next) => {
    const resolved = await next(userConfig, resolveConfigurationVariable);
    return { ...resolved, cutover: resolveCutoverConfig(userConfig.cutover, resolved.paths.root) };
  },
});
