// The active protocol profile swapped for one piece of work on the test run's own runtime, then put back.
import hre from "hardhat";
import { resolveProfile } from "../../src/profile/resolve.js";
import type { ProtocolUserConfig } from "../../src/profile/schema.js";
import { withExitCode } from "./tasks.js";

/** Runs `work` with `protocol` (a profile name or a user's `cutover.protocol`) as the active profile. */
export async function withProtocol<T>(protocol: ProtocolUserConfig | undefined, work: () => Promise<T>): Promise<T> {
  const active = hre.config.cutover.protocol;
  hre.config.cutover.protocol = resolveProfile(protocol);
  try {
    return await work();
  } finally {
    hre.config.cutover.protocol = active;
  }
}

/** `protocol` for the later factory, whose vault pointer is updatable (`updateVault`). */
export function withUpdatableFactory(protocol: ProtocolUserConfig): ProtocolUserConfig {
  return {
    ...protocol,
    factory: {
      ...protocol.factory,
      vault: {
        read: { call: "function vault() view returns (address)" },
        write: { signature: "function updateVault(address newVault)" },
        updatable: true,
      },
    },
  };
}

/** `task --json` with `args` under `protocol`: its parsed output and the exit code it set. */
export async function runWithProtocol<T = any>(
  protocol: ProtocolUserConfig | undefined,
  task: string,
  args: Record<string, unknown>,
): Promise<{ out: T; exitCode: number }> {
  const { printed, exitCode } = await withProtocol(protocol, () => withExitCode(task, { json: true, ...args }));
  return { out: JSON.parse(printed) as T, exitCode };
}

/**
 * The reference profile with the MMR setter given as a signature and bounds looser than the vault's (CoreVault stops
 * max at 5000, these allow 10000): a value between passes our static checks and reverts in the vault.
 */
export const LOOSE_MMR_BOUNDS: ProtocolUserConfig = {
  profile: "reference",
  vault: {
    mmrParams: {
      read: ["function mmrParams() view returns (uint256, uint256, uint256, uint256)"],
      write: { signature: "function setMmrParams(uint256 base, uint256 penalty, uint256 max, uint256 slope)" },
      bounds: { max: { max: 10_000 } },
    },
  },
};
