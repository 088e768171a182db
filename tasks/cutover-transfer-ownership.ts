import path from "node:path";
import { getAddress, isAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { CutoverInputError } from "../src/errors.js";
import { authorities, parseExecutorChoice } from "../src/engine/executor.js";
import { Reader } from "../src/engine/reader.js";
import { ContractCatalog } from "../src/engine/contracts.js";
import { resolveSigner, runEngineTask } from "../src/engine/task-run.js";
import { observeOwnership, ownedTargets, ownershipChecks, transferPlanner } from "../src/ownership/transfer.js";
import { readSystemRecordIfAny } from "../src/records/records.js";
import { renderAwaiting } from "../src/report/proposals.js";
import { renderResults } from "../src/report/results.js";
import { renderTable } from "../src/report/table.js";
import { toJson } from "../src/util/json.js";
import "../src/type-extensions.js";

interface Args {
  to: string;
  allowEoa: boolean;
  signer: string;
  executor: string;
  safe: string;
  timelock: string;
  planOnly: boolean;
  replan: boolean;
  yes: boolean;
  json: boolean;
}

export default async function transferOwnership(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const conn = await hre.network.getOrCreate();
  if (!isAddress(args.to)) throw new CutoverInputError("--to", args.to, "give the new owner's address (the Safe), e.g. --to 0x6649Ddb5c7e52348b73c8bBdD2A1cbA630b7AaEA");
  const to = getAddress(args.to);
  const records = await readSystemRecordIfAny(hre.config.paths.root, conn.networkName);
  if (!records) throw new CutoverInputError("--network", conn.networkName, `no records deployments/${conn.networkName}-deployment.json to find the vault, factory, hub and OrderBooks in; deploy or import the system first`);
  const deployer = await resolveSigner(conn, args.signer);
  const executor = { ...parseExecutorChoice(args), signer: deployer };
  const planner = transferPlanner(conn.networkName, records, deployer, { to, allowEoa: args.allowEoa, authorities: authorities(executor) });
  const outcome = await runEngineTask(hre, conn, planner, args, executor);
  const report = outcome.report;
  // The check reads the chain as it is now: it fails while the deployer still holds anything.
  const provider = conn.ethers.provider;
  const reader = new Reader(provider, new ContractCatalog(hre), await provider.getBlockNumber());
  const checks = ownershipChecks(await observeOwnership(reader, ownedTargets(records), to, deployer));
  const failed = checks.filter((c) => c.status === "fail");
  if (args.json) {
    console.log(toJson({ planId: outcome.plan.id, planFile: outcome.planFile, complete: report?.complete ?? false, awaiting: report?.awaiting ?? false, transactionsSent: report?.transactionsSent ?? 0, results: report?.results, proposals: report?.proposals, checks }));
  } else {
    if (report) console.log(renderResults(report));
    console.log(`\n${renderTable(["check", "status", "evidence"], checks.map((c) => [c.name, c.status, c.evidence]))}`);
    for (const c of failed) for (const f of c.failures) console.log(`  ${c.name}: ${f}`);
    if (report?.awaiting) console.log(`\n${renderAwaiting(report, path.dirname(outcome.planFile), Object.fromEntries(outcome.plan.steps.map((s) => [s.id, s.label])))}`);
  }
  if (args.planOnly) return;
  process.exitCode = report?.awaiting ? 2 : failed.length > 0 || !report?.complete ? 1 : 0;
}
