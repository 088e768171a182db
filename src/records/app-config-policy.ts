import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import "../type-extensions.js";

/**
 * Whether the app config (contracts module, env file) is written for this network: by default only for a network
 * that outlives the process (an http network); an in-process chain is gone when the command ends, and its addresses
 * must not end up in the user's app. `cutover.appConfig.write`: "persistent" (default), "always" or "never".
 * Returns why it is not written, or undefined when it is.
 */
export function appConfigSkipped(hre: HardhatRuntimeEnvironment, conn: NetworkConnection): string | undefined {
  const { write } = hre.config.cutover.appConfig;
  if (write === "never") return "not written: cutover.appConfig.write is 'never'";
  if (write === "persistent" && conn.networkConfig.type === "edr-simulated")
    return `not written: ${conn.networkName} is an in-process chain (cutover.appConfig.write "always" writes it)`;
  return undefined;
}
