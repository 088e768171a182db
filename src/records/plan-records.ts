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
import { appConfigSkipped } from "./app-config-policy.js";
import { appAddresses, envKeysFor, updateEnvFile, writeContractsModule } from "./app-config.js";
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
      abi: existing && step.id.startsWith("redeploy:") ? existing.abi : artifact.abi,
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

/** A market given a new OrderBook by a plan: the old book, the market, and the record name the new one is deployed as. */
export interface ReplacedOrderBook {
  orderBook: string;
  marketId: string;
  symbol: string;
  record: string;
}

/**
 * Records of what a rewire (or a facet plan) deployed: facets, new OrderBooks (writeDeployRecords). A market's new
 * OrderBook (`replaced`, from the plan) takes the old one's place in the aggregated record: its market's entry, and any
 * contracts key or named market (the protocol's own layout: ALUMINUM_ORDERBOOK, aluminumMarket) that held the old one;
 * the old one is kept under `supersededOrderBooks`. The app config is rewritten when a contracts key changed.
 */
export async function writeRewireRecords(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  catalog: ContractCatalog,
  outcome: RunOutcome,
  replaced: ReplacedOrderBook[] = [],
): Promise<void> {
  const root = hre.config.paths.root;
  const written = await writeDeployRecords(hre, conn, catalog, outcome);
  const aggregate = await readSystemRecordIfAny(root, conn.networkName);
  if (!aggregate) return;
  const same = (a: unknown, b: string) => typeof a === "string" && a.toLowerCase() === b.toLowerCase();
  let contractsChanged = false;
  for (const entry of replaced) {
    const address = written[entry.record];
    if (!address) continue;
    const superseded = aggregate.supersededOrderBooks ?? [];
    if (!superseded.some((e) => same(e.orderBook, entry.orderBook) && same(e.replacedBy, address)))
      aggregate.supersededOrderBooks = [
        ...superseded,
        {
          marketId: entry.marketId,
          symbol: entry.symbol,
          orderBook: entry.orderBook,
          replacedBy: address,
          runId: outcome.plan.id,
          at: new Date().toISOString(),
        },
      ];
    for (const market of aggregate.markets) if (same(market.orderBook, entry.orderBook)) market.orderBook = address;
    for (const [key, value] of Object.entries(aggregate.contracts))
      if (same(value, entry.orderBook)) [aggregate.contracts[key], contractsChanged] = [address, true];
    for (const value of Object.values(aggregate as Record<string, unknown>)) {
      const named = value as { orderBook?: unknown } | null;
      if (named && typeof named === "object" && same(named.orderBook, entry.orderBook)) named.orderBook = address;
    }
  }
  if (contractsChanged && !appConfigSkipped(hre, conn)) {
    const { appConfig } = hre.config.cutover;
    const contracts = appAddresses(aggregate.contracts);
    const meta = { network: aggregate.network, chainId: aggregate.chainId, runId: outcome.plan.id };
    await writeContractsModule(appConfig.contractsModule, contracts, meta);
    await updateEnvFile(appConfig.envFile, envKeysFor(contracts, aggregate.network, appConfig.envPrefix));
  }
  await writeSystemRecord(root, aggregate);
}
