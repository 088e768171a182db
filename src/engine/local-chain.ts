import type { NetworkConnection } from "hardhat/types/network";
import type { ContractCatalog } from "./contracts.js";
import { MULTICALL3_ADDRESS } from "./reader.js";

/** An in-process chain, or a node on loopback: where the plugin may install code with hardhat_setCode. */
export async function isLocalNetwork(conn: NetworkConnection): Promise<boolean> {
  if (conn.networkConfig.type === "edr-simulated") return true;
  if (conn.networkConfig.type !== "http") return false;
  const url = await conn.networkConfig.url.getUrl();
  return /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/.test(url);
}

/**
 * On a local chain, makes sure a Multicall3 answers at its canonical address (the plugin's own Multicall3-compatible
 * runtime, installed with hardhat_setCode), so every Reader there batches. Elsewhere it does nothing and sends nothing:
 * the chain has the canonical Multicall3, or the Reader falls back to plain calls. Returns true on a local chain.
 */
export async function localMulticall3(conn: NetworkConnection, catalog: ContractCatalog): Promise<boolean> {
  if (!(await isLocalNetwork(conn))) return false;
  if ((await conn.ethers.provider.getCode(MULTICALL3_ADDRESS)) !== "0x") return true;
  const runtime = (await catalog.artifact("Multicall3")).deployedBytecode;
  await conn.provider.request({ method: "hardhat_setCode", params: [MULTICALL3_ADDRESS, runtime] });
  return true;
}
