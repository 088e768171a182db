import { mkdir, readFile, rename } from "node:fs/promises";
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { Addresses } from "../engine/apply.js";
import type { ContractCatalog } from "../engine/contracts.js";
import { faultPoint } from "../engine/faults.js";
import { RunStore } from "../engine/run-store.js";
import type { RunOutcome } from "../engine/run.js";
import { exists } from "../util/fs.js";
import {
  networkDir,
  readSystemRecordIfAny,
  receiptRecord,
  writeDeploymentRecord,
  writeSystemRecord,
} from "./records.js";
import { deploymentTransaction, ensureChainFiles, hardhatDeployFields } from "./hardhat-deploy.js";
import "../type-extensions.js";

/**
 * `deployments/<network>/<Name>.json` for every contract a run deployed, from its confirmed receipts only, each written
 * once. A record of another address under the same name moves into the run's folder (`superseded/`). Returns the
 * run's records, by name: written now, or by an earlier invocation killed before it finished writing the rest.
 */
export async function writeDeployRecords(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  catalog: ContractCatalog,
  outcome: RunOutcome,
): Promise<Record<string, string>> {
  const root = hre.config.paths.root;
  const network = conn.networkName;
  const store = new RunStore(root, network, outcome.plan.runKey);
  const receipts = store.confirmedReceipts();
  const deployed = outcome.report!.deployed;
  const addresses = new Addresses(deployed, catalog);
  const written: Record<string, string> = {};
  for (const step of outcome.plan.steps) {
    const receipt = receipts.get(step.id);
    if (step.kind !== "deploy" || !receipt) continue;
    const address = deployed[step.record];
    const file = path.join(networkDir(root, network), `${step.record}.json`);
    const existing = (await exists(file))
      ? (JSON.parse(await readFile(file, "utf8")) as { address: string; abi: unknown[] })
      : undefined;
    if (existing?.address.toLowerCase() === address.toLowerCase()) {
      written[step.record] = address;
      continue;
    }
    const tx = await conn.ethers.provider.getTransactionReceipt(receipt.hash);
    if (!tx) continue;
    const artifact = await catalog.artifact(step.contract);
    if (existing) {
      await mkdir(path.join(store.dir, "superseded"), { recursive: true });
      await rename(file, path.join(store.dir, "superseded", `${step.record}.json`));
    }
    await addresses.prepare(step.args);
    const args = step.args.map((a) => addresses.resolve(a));
    await ensureChainFiles(root, network, conn.ethers.provider);
    await writeDeploymentRecord(root, network, step.record, {
      address,
      // a new OrderBook answers with the facets of the one it replaces
      abi: existing && step.contract === "OrderBookDiamond" ? existing.abi : artifact.abi,
      transactionHash: tx.hash,
      receipt: receiptRecord(tx),
      args,
      numDeployments: 1,
      ...(await hardhatDeployFields(hre, artifact, {
        args,
        libraries: step.libraries,
        tx: await deploymentTransaction(conn.ethers.provider, tx.hash),
      })),
      deployedBytecode: await conn.ethers.provider.getCode(address),
    });
    faultPoint("record");
    written[step.record] = address;
  }
  return written;
}

/**
 * Records of what a rewire (or a facet plan) deployed: facets, new OrderBooks (writeDeployRecords).
 * A new OrderBook replaces the market's entry in the aggregated record; the old one is kept under
 * `supersededOrderBooks`.
 */
export async function writeRewireRecords(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  catalog: ContractCatalog,
  outcome: RunOutcome,
): Promise<void> {
  const root = hre.config.paths.root;
  const written = await writeDeployRecords(hre, conn, catalog, outcome);
  const aggregate = await readSystemRecordIfAny(root, conn.networkName);
  if (!aggregate) return;
  for (const market of aggregate.markets) {
    const address = written[`OrderBook_${market.symbol}`];
    if (!address || address.toLowerCase() === market.orderBook.toLowerCase()) continue;
    const superseded = aggregate.supersededOrderBooks ?? [];
    aggregate.supersededOrderBooks = [
      ...superseded,
      {
        marketId: market.marketId,
        symbol: market.symbol,
        orderBook: market.orderBook,
        replacedBy: address,
        runId: outcome.plan.id,
        at: new Date().toISOString(),
      },
    ];
    market.orderBook = address;
  }
  await writeSystemRecord(root, aggregate);
}
