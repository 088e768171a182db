// A throwaway copy of a target chain, never the target itself: an in-process fork of a chain reached over HTTP (at a
// pinned block, with the target's chain id), or the in-process chain itself between evm_snapshot and evm_revert.
// Verify's smoke tests and rehearsals run there.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { retryingRelay } from "./relay.js";
import "../type-extensions.js";

export interface ThrowawayChain {
  conn: NetworkConnection;
  where: string;
  /** A read of the target that failed after every retry (the fork saw only a cut connection), if any. */
  readFailure?(): Error | undefined;
  close(): Promise<void>;
}

/** A throwaway copy of the target: a fork for HTTP targets, a snapshot for the in-process chain. Never the target. */
export async function throwawayChain(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  block: number,
): Promise<ThrowawayChain> {
  if (conn.networkConfig.type === "http") {
    const url = await conn.networkConfig.url.getUrl();
    // An in-process network to fork from: "default" unless a project redefined it (network.create without a network
    // would connect to --network itself, the live chain).
    const simulated =
      Object.entries(hre.config.networks).find(
        ([name, config]) => config.type === "edr-simulated" && name === "default",
      ) ?? Object.entries(hre.config.networks).find(([, config]) => config.type === "edr-simulated");
    if (!simulated)
      throw new Error(
        "no in-process (edr-simulated) network in the config to fork the target with; add one (the smoke tests and rehearsals run there)",
      );
    // The fork keeps the target's chain id, so signatures and plan ids are those of the real chain.
    const chainId = Number((await conn.ethers.provider.getNetwork()).chainId);
    // The fork reads through a relay that retries transport failures quickly (see relay.ts).
    const relay = await retryingRelay(url);
    const fork = (await hre.network.create({
      network: simulated[0],
      override: { chainId, forking: { url: relay.url, blockNumber: block } },
    })) as NetworkConnection;
    const close = async () => {
      await fork.close();
      await relay.close();
    };
    if (fork.networkConfig.type !== "edr-simulated") {
      await close();
      throw new Error(
        `network ${simulated[0]} is not in-process: smoke tests and rehearsals never run on the target itself`,
      );
    }
    return {
      conn: underName(fork, conn.networkName),
      where: `an in-process fork of ${conn.networkName} at block ${block}`,
      readFailure: relay.failure,
      close,
    };
  }
  if (conn.networkConfig.type !== "edr-simulated")
    throw new Error(
      `network ${conn.networkName} is neither HTTP nor in-process: there is no throwaway copy of it to run on`,
    );
  return snapshotOf(conn);
}

/**
 * The in-process chain between evm_snapshot and evm_revert. Impersonation is a setting of the node, not chain state,
 * so evm_revert keeps it: every account impersonated on the copy stops being impersonated after the revert.
 */
async function snapshotOf(conn: NetworkConnection): Promise<ThrowawayChain> {
  // What is sent to the copy must be mined at once: with automine off (blocks by interval, or by hand) each simulated
  // transaction would wait for a block that may never come. Automine is on while the copy lives, then as it was.
  const automine = (await conn.provider.request({ method: "hardhat_getAutomine" })) === true;
  if (!automine) await conn.provider.request({ method: "evm_setAutomine", params: [true] });
  const snapshot = await conn.provider.request({ method: "evm_snapshot" });
  const impersonated = new Set<string>();
  const request: typeof conn.provider.request = async (args) => {
    const answer = await conn.provider.request(args);
    if (args.method === "hardhat_impersonateAccount" && Array.isArray(args.params))
      impersonated.add(String(args.params[0]).toLowerCase());
    return answer;
  };
  const provider = new Proxy(conn.provider, {
    get: (target, property) => (property === "request" ? request : bound(target, property)),
  });
  return {
    conn: new Proxy(conn, {
      get: (target, property) => (property === "provider" ? provider : bound(target, property)),
    }),
    where: `${conn.networkName} inside evm_snapshot/evm_revert`,
    close: async () => {
      await conn.provider.request({ method: "evm_revert", params: [snapshot] });
      for (const account of impersonated)
        await conn.provider.request({ method: "hardhat_stopImpersonatingAccount", params: [account] });
      if (!automine) await conn.provider.request({ method: "evm_setAutomine", params: [false] });
    },
  };
}

function bound(target: object, property: string | symbol): unknown {
  const value: unknown = Reflect.get(target, property, target);
  return typeof value === "function" ? value.bind(target) : value;
}

/**
 * The fork as the target's tasks see it: its own provider, under the target's network name (so records, run keys and
 * plans are the target's).
 */
function underName(fork: NetworkConnection, networkName: string): NetworkConnection {
  return new Proxy(fork, {
    get: (target, property) => (property === "networkName" ? networkName : bound(target, property)),
  });
}
