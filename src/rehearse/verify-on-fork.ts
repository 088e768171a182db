// `cutover:verify` on the throwaway chain once the rehearsal applied the plan: it reads the records and run files the
// real run would have written, from the rehearsal's workspace, and its smoke tests run on a copy of the throwaway chain.
import path from "node:path";
import type { NetworkConnection } from "hardhat/types/network";
import { readSystemRecordIfAny } from "../records/records.js";
import { runVerify } from "../verify/verify.js";
import type { Workspace } from "./workspace.js";

export interface RehearsedVerify {
  /** Whether there was a cutover to verify (a CoreVault replaced in the records); `reason` says why not. */
  ran: boolean;
  reason?: string;
  passed: number;
  failed: number;
  notApplicable: number;
  /** Each failure of a check: "<check>: <subject>: expected <x>, found <y>". */
  failures: string[];
  /** The verify report, in the rehearsal's workspace. */
  report?: string;
}

export async function verifyOnFork(workspace: Workspace, fork: NetworkConnection): Promise<RehearsedVerify> {
  const records = await readSystemRecordIfAny(workspace.root, fork.networkName);
  if (!records?.superseded?.some((e) => typeof e.CORE_VAULT === "string" && e.CORE_VAULT !== ""))
    return {
      ran: false,
      reason: "the records name no replaced CoreVault: there is no cutover for cutover:verify to check",
      passed: 0,
      failed: 0,
      notApplicable: 0,
      failures: [],
    };
  const { report, markdownFile } = await runVerify(workspace.hre, fork, {
    smoke: true,
    sources: false,
    reportDir: path.join(workspace.root, "verify"),
  });
  return {
    ran: true,
    passed: report.passed,
    failed: report.failed,
    notApplicable: report.notApplicable,
    failures: report.checks.flatMap((c) =>
      c.failures.map((f) => `${c.name}: ${f.subject}: expected ${f.expected}, found ${f.found}`),
    ),
    report: markdownFile,
  };
}
