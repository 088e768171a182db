import { readFile } from "node:fs/promises";
import path from "node:path";
import { getAddress } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";
import { networkDir } from "../records/records.js";
import { exists } from "../util/fs.js";
import type { ContractCatalog } from "./contracts.js";
import { isLocalNetwork } from "./run.js";
import { MULTICALL3_ADDRESS } from "./reader.js";

/** Where the plugin keeps its Create2Factory on local chains: the same address on every in-process chain and node. */
export const LOCAL_CREATE2_FACTORY = "0xC2E8000000000000000000000000000000000c2e";

/**
 * On a local chain (in-process, or a node on loopback), makes sure the plugin's Create2Factory is at its fixed address
 * (runtime code installed with hardhat_setCode: no transaction, no nonce). Elsewhere it does nothing.
 */
export async function localCreate2Factory(conn: NetworkConnection, catalog: ContractCatalog): Promise<string | undefined> {
  if (!(await isLocalNetwork(conn))) return undefined;
  if ((await conn.ethers.provider.getCode(LOCAL_CREATE2_FACTORY)) === "0x") {
    const runtime = (await catalog.artifact("Create2Factory")).deployedBytecode;
    await conn.provider.request({ method: "hardhat_setCode", params: [LOCAL_CREATE2_FACTORY, runtime] });
  }
  return LOCAL_CREATE2_FACTORY;
}

/**
 * The Create2Factory to deploy through: on a local chain the plugin's, at its fixed address; elsewhere the one recorded
 * in deployments/<network>/Create2Factory.json if it has code there; else undefined (the plan must deploy one).
 */
export async function findCreate2Factory(conn: NetworkConnection, catalog: ContractCatalog, root: string, block: number): Promise<string | undefined> {
  const local = await localCreate2Factory(conn, catalog);
  if (local) return local;
  const file = path.join(networkDir(root, conn.networkName), "Create2Factory.json");
  if (!(await exists(file))) return undefined;
  const { address } = JSON.parse(await readFile(file, "utf8")) as { address: string };
  return (await conn.ethers.provider.getCode(address, block)) !== "0x" ? getAddress(address) : undefined;
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
