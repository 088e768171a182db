import { readFile } from "node:fs/promises";
import path from "node:path";
import { getAddress, isAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { HardhatPluginError } from "@nomicfoundation/hardhat-errors";
import { CutoverInputError, PLUGIN_ID } from "../errors.js";
import { predictDiamondCutEvent, receiptHasDiamondCut, type FacetCut } from "../diamond/cut.js";
import { Addresses, linkBytecode, type ApplyReport } from "../engine/apply.js";
import { ContractCatalog } from "../engine/contracts.js";
import { RunStore } from "../engine/journal.js";
import { localCreate2Factory } from "../engine/local-chain.js";
import type { Reader } from "../engine/reader.js";
import type { Planner, RunOutcome } from "../engine/run.js";
import type { CallStep, Plan, Value } from "../engine/types.js";
import { networkDir, readSystemRecordIfAny, receiptRecord, writeDeploymentRecord, type SystemRecord } from "../records/records.js";
import { renderTable } from "../report/table.js";
import { exists } from "../util/fs.js";
import { fleetFacts, observeFleet, planRewire, type FleetTarget, type OrderBookState, type RewirePart } from "./rewire.js";
import "../type-extensions.js";

export interface RewireOptions {
  vault?: string;
  orderBooks?: string;
  facets?: string;
  remove?: string;
  allowTakeover?: string;
}

export class CutRefusedByPolicyError extends HardhatPluginError {
  constructor(refusals: RewirePart["refusals"]) {
    super(
      PLUGIN_ID,
      `The diamond cut is refused for ${new Set(refusals.map((r) => r.orderBook)).size} OrderBook(s); nothing was sent:\n` +
        refusals.map((r) => `  ${r.symbol} ${r.orderBook}: [${r.refusal.kind}] ${r.refusal.detail}`).join("\n"),
    );
  }
}

function list(input: string, value: string | undefined, check: (item: string) => boolean, fix: string): string[] {
  if (!value) return [];
  const items = value.split(",").map((s) => s.trim()).filter(Boolean);
  for (const item of items) if (!check(item)) throw new CutoverInputError(input, item, fix);
  return items;
}

const isSelector = (s: string) => /^0x[0-9a-fA-F]{8}$/.test(s);

/** The OrderBooks to rewire: --orderbooks, else the new vault's registry, else the records' markets. */
async function fleetTargets(reader: Reader, vault: string, given: string[], records: SystemRecord | undefined): Promise<FleetTarget[]> {
  const symbols = new Map((records?.markets ?? []).map((m) => [m.orderBook.toLowerCase(), m.symbol]));
  const target = (address: string) => ({ address: getAddress(address), symbol: symbols.get(address.toLowerCase()) });
  if (given.length > 0) return given.map(target);
  const registered = (await reader.tryCall({ to: vault, contract: "CoreVault", fn: "getRegisteredOrderBooks", args: [] })) as string[] | undefined;
  if (registered && registered.length > 0) return registered.map(target);
  return (records?.markets ?? []).map((m) => target(m.orderBook));
}

/** The Create2Factory recorded for this network, if it is there. */
export async function recordedCreate2Factory(reader: Reader, root: string, network: string): Promise<string | undefined> {
  const file = path.join(networkDir(root, network), "Create2Factory.json");
  if (!(await exists(file))) return undefined;
  const { address } = JSON.parse(await readFile(file, "utf8")) as { address: string };
  return (await reader.hasCode(address)) ? getAddress(address) : undefined;
}

export async function rewirePlanner(hre: HardhatRuntimeEnvironment, conn: NetworkConnection, signer: string, options: RewireOptions) {
  const root = hre.config.paths.root;
  const network = conn.networkName;
  const records = await readSystemRecordIfAny(root, network);
  const vaultInput = options.vault || records?.contracts.CORE_VAULT;
  if (!vaultInput || !isAddress(vaultInput)) {
    throw new CutoverInputError("--vault", vaultInput ?? "", "give the new CoreVault's address (default: CORE_VAULT in deployments/<network>-deployment.json), e.g. --vault 0xc3e5…3690");
  }
  const vault = getAddress(vaultInput);
  const given = list("--orderbooks", options.orderBooks, isAddress, "give comma-separated OrderBook addresses");
  const extraFacets = list("--facets", options.facets, (s) => /^[A-Za-z_]\w*$/.test(s), "give comma-separated contract names of facets to add, e.g. --facets OrderBookViewFacet");
  const remove = list("--remove", options.remove, isSelector, "give comma-separated 4-byte selectors, e.g. --remove 0x12345678");
  const allowTakeover = options.allowTakeover === "all" ? true : list("--allow-takeover", options.allowTakeover, isSelector, "give comma-separated 4-byte selectors, or all");
  let fleet: OrderBookState[] = [];
  let create2Factory: string | undefined;
  let part: RewirePart | undefined;

  const planner: Planner = {
    task: "orderbook:rewire",
    runKey: `orderbook-rewire-${vault.toLowerCase()}`,
    async observe(reader) {
      const chainId = Number((await reader.provider.getNetwork()).chainId);
      if (records && records.chainId !== chainId) {
        throw new CutoverInputError("--network", network, `the records are for chain ${records.chainId} but this network is chain ${chainId}`);
      }
      if ((await reader.tryCall({ to: vault, contract: "CoreVault", fn: "collateralToken", args: [] })) === undefined) {
        throw new CutoverInputError("--vault", vault, "no CoreVault answers at that address on this network; pass the new vault's address");
      }
      const targets = await fleetTargets(reader, vault, given, records);
      if (targets.length === 0) throw new CutoverInputError("--orderbooks", "", "no OrderBooks found in the vault's registry or the records; pass --orderbooks");
      try {
        fleet = await observeFleet(reader, targets);
      } catch (error) {
        throw new CutoverInputError("--orderbooks", targets.map((t) => t.address).join(","), `one of them does not answer as an OrderBook diamond (owner/vault/marketId/facets): ${(error as Error).message}`);
      }
      create2Factory = (await localCreate2Factory(conn, new ContractCatalog(hre))) ?? (await recordedCreate2Factory(reader, root, network));
      return { chainId, block: reader.block, facts: { ...fleetFacts(fleet), create2Factory: create2Factory?.toLowerCase() ?? "" } };
    },
    async plan(observation, known) {
      part = await planRewire({
        fleet,
        newVault: vault,
        create2Factory: create2Factory ?? known.Create2Factory,
        signer,
        extraFacets,
        remove,
        removable: hre.config.cutover.diamond.removable,
        allowTakeover,
        dependsOn: [],
        catalog: new ContractCatalog(hre),
      });
      if (part.refusals.length > 0) throw new CutRefusedByPolicyError(part.refusals);
      const rewired = fleet.length - Object.keys(part.stepOf).length;
      return {
        task: "orderbook:rewire",
        runKey: planner.runKey,
        network,
        chainId: observation.chainId,
        observedBlock: observation.block,
        facts: observation.facts,
        known,
        steps: part.steps,
        notes: rewired > 0 ? [`${rewired} of ${fleet.length} OrderBooks already point at ${vault}: nothing to do for them.`] : [],
        labels: { ...part.labels, ...Object.fromEntries(fleet.map((b) => [b.address.toLowerCase(), `${b.symbol} ${b.address}`])) },
      };
    },
  };
  return { planner, fleet: () => fleet, vault };
}

export interface OrderBookStatus {
  symbol: string;
  orderBook: string;
  owner: string;
  status: "already done" | "rewired" | "failed" | "blocked";
  txHash?: string;
  gasUsed?: string;
  reason?: string;
}

/**
 * One row per OrderBook. For every cut this invocation sent, the receipt must hold exactly the DiamondCut event
 * predicted from the plan; a cut without it is reported failed.
 */
export async function fleetStatus(conn: NetworkConnection, catalog: ContractCatalog, plan: Plan, report: ApplyReport, fleet: OrderBookState[]): Promise<OrderBookStatus[]> {
  const results = new Map(report.results.map((r) => [r.id, r]));
  const addresses = new Addresses(report.deployed, catalog);
  const rows: OrderBookStatus[] = [];
  for (const book of fleet) {
    const base = { symbol: book.symbol, orderBook: book.address, owner: book.owner };
    const step = plan.steps.find((s) => s.id === `rewire:${book.address.toLowerCase()}`) as CallStep | undefined;
    const result = step && results.get(step.id);
    if (!step || !result || result.status === "already done" || result.status === "not needed") {
      rows.push({ ...base, status: !step || result ? "already done" : "blocked" });
      continue;
    }
    if (result.status !== "done") {
      rows.push({ ...base, status: result.status === "blocked" ? "blocked" : "failed", reason: result.reason });
      continue;
    }
    const call = step.actions[0].call;
    if (call.fn === "diamondCut" && result.sentNow && result.txHash) {
      await addresses.prepare(call.args);
      const [cut, init, calldata] = call.args.map((a: Value) => addresses.resolve(a)) as [FacetCut[], string, string];
      const receipt = await conn.ethers.provider.getTransactionReceipt(result.txHash);
      if (!receipt || !receiptHasDiamondCut(receipt.logs, book.address, predictDiamondCutEvent(cut, init, calldata))) {
        rows.push({ ...base, status: "failed", txHash: result.txHash, reason: "the receipt lacks the predicted DiamondCut event" });
        continue;
      }
    }
    rows.push({ ...base, status: result.sentNow ? "rewired" : "already done", txHash: result.txHash, gasUsed: result.gasUsed });
  }
  return rows;
}

export function renderFleet(rows: OrderBookStatus[]): string {
  const count = (status: string) => rows.filter((r) => r.status === status).length;
  return [
    renderTable(["market", "orderBook", "owner", "status", "tx", "reason"], rows.map((r) => [r.symbol, r.orderBook, r.owner, r.status, r.txHash ?? "", r.reason ?? ""])),
    `${rows.length} OrderBooks: ${count("rewired")} rewired, ${count("already done")} already done, ${count("failed")} failed, ${count("blocked")} blocked`,
  ].join("\n");
}

/** Records of the contracts the rewire deployed (the CREATE2 factory, the facets), from confirmed receipts. */
export async function writeRewireRecords(hre: HardhatRuntimeEnvironment, conn: NetworkConnection, catalog: ContractCatalog, outcome: RunOutcome): Promise<void> {
  const root = hre.config.paths.root;
  const store = new RunStore(root, conn.networkName, outcome.plan.runKey);
  const receipts = new Map(store.journal.entries().flatMap((e) => (e.type === "receipt" && e.status === 1 ? [[e.stepId, e] as const] : [])));
  for (const step of outcome.plan.steps) {
    const receipt = receipts.get(step.id);
    if (step.kind !== "deploy" || !receipt) continue;
    const tx = await conn.ethers.provider.getTransactionReceipt(receipt.hash);
    if (!tx) continue;
    const artifact = await catalog.artifact(step.contract);
    const address = outcome.report!.deployed[step.record];
    await writeDeploymentRecord(root, conn.networkName, step.record, {
      address,
      abi: artifact.abi,
      transactionHash: tx.hash,
      receipt: receiptRecord(tx),
      args: [],
      numDeployments: 1,
      libraries: {},
      bytecode: linkBytecode(artifact, {}),
      deployedBytecode: await conn.ethers.provider.getCode(address),
    });
  }
}
