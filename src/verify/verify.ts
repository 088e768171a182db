// cutover:verify: desired state (records + stored plans) -> observed state (Reader at one block) -> checks, then the
// smoke tests on a throwaway copy of the chain and, with --sources, source verification; reports written to files.
import { readFile } from "node:fs/promises";
import { appConfigSkipped } from "../records/app-config-policy.js";
import { renderVerifyHtml } from "./report-html.js";
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { CutoverInputError } from "../errors.js";
import { ContractCatalog } from "../engine/contracts.js";
import { localMulticall3 } from "../engine/local-chain.js";
import { Reader, type ReaderOptions } from "../engine/reader.js";
import { deploymentBlock, networkDir, readSystemRecord } from "../records/records.js";
import { writeAtomically } from "../util/fs.js";
import { toJson } from "../util/json.js";
import type { RuntimeArtifact } from "./bytecode.js";
import { runChecks, type AppFiles, type CheckResult } from "./checks.js";
import { desiredState, type DesiredState } from "./desired.js";
import { observeSplit, runDualChecks } from "./checks-dual.js";
import { observeCutover, type ObservedState } from "./observe.js";
import { buildReport, renderVerifyMarkdown, type VerifyReport } from "./report.js";
import { smokeChecks } from "./smoke.js";
import "../type-extensions.js";

export interface VerifyOptions {
  /** The replaced vault whose cutover is verified (default: the one that produced the records' CORE_VAULT). */
  oldVault?: string;
  /** Block to read at (default: latest). */
  block?: number;
  smoke: boolean;
  sources: boolean;
  /** Where report.md and report.json go (default deployments/<network>/verify/). */
  reportDir?: string;
  readerOptions?: ReaderOptions;
  /** The money after a funds migration: checked against this snapshot (corevault:snapshot). */
  fundsSnapshot?: string;
  /** Called as each phase starts (for a progress line). */
  onPhase?: (phase: VerifyPhase) => void;
}

export type VerifyPhase = "observing and checking" | "smoke tests" | "source verification";

export interface VerifyOutcome {
  report: VerifyReport;
  desired: DesiredState;
  observed: ObservedState;
  markdownFile: string;
  jsonFile: string;
  /** The same report as a page (failures first, the fleet grid, the wiring diagram). */
  htmlFile: string;
  /** JSON-RPC requests the checks' reads took (the Reader's count, plus the block number, chain id and event scan). */
  readRequests: number;
}

async function readText(file: string): Promise<string | undefined> {
  return readFile(file, "utf8").catch(() => undefined);
}

async function appFiles(
  hre: HardhatRuntimeEnvironment,
  network: string,
  records: AppFiles["records"],
): Promise<AppFiles> {
  const { appConfig } = hre.config.cutover;
  const vaultRecord = await readText(path.join(networkDir(hre.config.paths.root, network), "CoreVault.json"));
  let vaultRecordAddress: string | undefined;
  try {
    vaultRecordAddress = vaultRecord ? (JSON.parse(vaultRecord) as { address?: string }).address : undefined;
  } catch {
    vaultRecordAddress = undefined;
  }
  return {
    records,
    vaultRecordAddress,
    network,
    contractsModule: { path: appConfig.contractsModule, text: await readText(appConfig.contractsModule) },
    envFile: { path: appConfig.envFile, text: await readText(appConfig.envFile), prefix: appConfig.envPrefix },
  };
}

/** Everything up to the checks, without smoke or sources: what the bench measures. */
export async function observeAndCheck(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  options: Pick<VerifyOptions, "oldVault" | "block" | "readerOptions">,
) {
  const root = hre.config.paths.root;
  const network = conn.networkName;
  const provider = conn.ethers.provider;
  const records = await readSystemRecord(root, network);
  const catalog = new ContractCatalog(hre);
  await localMulticall3(conn, catalog);
  const profile = hre.config.cutover.protocol;
  const desired = await desiredState(root, records, catalog, { oldVault: options.oldVault, profile });
  const latest = options.block ?? (await provider.getBlockNumber());
  const reader = new Reader(provider, catalog, latest, options.readerOptions);
  const fromBlock = await deploymentBlock(root, network, "CoreVault", desired.newVault);
  const observed = await observeCutover(reader, desired, fromBlock, profile);
  let requests =
    (options.block === undefined ? 1 : 0) + 1 + Math.floor((latest - fromBlock) / 50_000) + reader.requests;
  // The chain id comes with the batch (Multicall3's getChainId); without Multicall3, one more request.
  if (observed.chainId === undefined) {
    observed.chainId = Number((await provider.getNetwork()).chainId);
    requests++;
  }
  if (observed.chainId !== records.chainId) {
    throw new CutoverInputError(
      "--network",
      network,
      `the records deployments/${network}-deployment.json are for chain ${records.chainId} but this network is chain ${observed.chainId}; connect to the network the cutover ran on`,
    );
  }
  const artifacts: Record<string, RuntimeArtifact> = {};
  for (const name of [...desired.knownFacets.map((f) => f.name), ...Object.keys(desired.libraryRecords)]) {
    artifacts[name] ??= (await catalog.artifact(name).catch(() => undefined)) as RuntimeArtifact;
  }
  const files = { ...(await appFiles(hre, network, records)), appConfigSkipped: appConfigSkipped(hre, conn) };
  const input = { desired, observed, files, artifacts };
  const checks = [...runChecks(input), ...runDualChecks(input, await observeSplit(reader, desired, profile))];
  return { desired, observed, checks, catalog, readRequests: requests };
}

export async function runVerify(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  options: VerifyOptions,
): Promise<VerifyOutcome> {
  options.onPhase?.("observing and checking");
  const { desired, observed, checks, catalog, readRequests } = await observeAndCheck(hre, conn, options);
  const all: CheckResult[] = [...checks];
  if (options.smoke) options.onPhase?.("smoke tests");
  if (options.smoke) all.push(...(await smokeChecks(hre, conn, hre.config.cutover.protocol, desired, observed)));
  if (options.sources) options.onPhase?.("source verification");
  if (options.sources) {
    const { sourceChecks } = await import("./sources.js");
    all.push(...(await sourceChecks(hre, conn, catalog, desired)));
  }
  if (options.fundsSnapshot)
    all.push(...(await moneyChecks(hre, conn, catalog, desired.newVault, options.fundsSnapshot)));
  const report = buildReport(desired, observed, all);
  // Reports name files relative to the project: they are read on other machines, and paths there differ.
  report.planFiles = report.planFiles.map((f) => path.relative(hre.config.paths.root, f));
  const dir = options.reportDir ?? path.join(networkDir(hre.config.paths.root, conn.networkName), "verify");
  const markdownFile = path.join(dir, "report.md");
  const jsonFile = path.join(dir, "report.json");
  await writeAtomically(markdownFile, renderVerifyMarkdown(report));
  await writeAtomically(jsonFile, toJson(report));
  const htmlFile = path.join(dir, "report.html");
  await writeAtomically(htmlFile, renderVerifyHtml(report));
  return { report, desired, observed, markdownFile, jsonFile, htmlFile, readRequests };
}

async function moneyChecks(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  catalog: ContractCatalog,
  newVault: string,
  file: string,
): Promise<CheckResult[]> {
  const { fundsChecks } = await import("./checks-funds.js");
  const { readSnapshot } = await import("../funds/take-snapshot.js");
  const provider = conn.ethers.provider;
  const reader = new Reader(provider, catalog, await provider.getBlockNumber());
  const fromBlock = await deploymentBlock(hre.config.paths.root, conn.networkName, "CoreVault", newVault);
  const snapshot = await readSnapshot(file);
  const { withdrawOnlyChecksIfRun } = await import("./checks-withdraw.js");
  const withdrawOnly = await withdrawOnlyChecksIfRun(hre, conn.networkName, reader, snapshot);
  if (withdrawOnly) return withdrawOnly;
  const { findClaimContract } = await import("../funds/claim.js");
  const claims = findClaimContract(hre.config.paths.root, conn.networkName, newVault, snapshot);
  return fundsChecks(reader, { snapshot, newVault, profile: hre.config.cutover.protocol, fromBlock, claims });
}
