import path from "node:path";
import { dataLength, keccak256 } from "ethers";
import type { ApplyReport } from "../engine/apply.js";
import type { Proposal } from "../engine/proposal.js";

const OPERATION_NAMES = ["CALL", "DELEGATECALL"];

/** What signers compare on their hardware wallet, and where the files are. */
export function renderProposal(
  proposal: Proposal,
  runDir: string,
  labels: Record<string, string>,
  note?: string,
): string {
  const steps = proposal.stepIds.map((id) => labels[id] ?? id).join("; ");
  if (proposal.executor === "safe") {
    const tx = proposal.safeTx;
    return [
      `Safe ${proposal.authority} nonce ${proposal.nonce}: ${proposal.calls} call(s)${proposal.calls > 1 ? ` through MultiSendCallOnly ${tx.to}` : ""} — ${steps}`,
      `  batch file    ${path.relative(process.cwd(), path.join(runDir, proposal.file))} (Safe{Wallet}: Apps > Transaction Builder > drag and drop)`,
      `  SafeTx        to ${tx.to}, value ${tx.value}, operation ${tx.operation} (${OPERATION_NAMES[tx.operation]}), safeTxGas ${tx.safeTxGas}, baseGas ${tx.baseGas}, gasPrice ${tx.gasPrice}, gasToken ${tx.gasToken}, refundReceiver ${tx.refundReceiver}, nonce ${tx.nonce}`,
      `  data          ${dataLength(tx.data)} bytes, keccak256 ${keccak256(tx.data)}`,
      `  domain hash   ${proposal.domainHash}`,
      `  message hash  ${proposal.messageHash}`,
      `  safeTxHash    ${proposal.id}`,
    ].join("\n");
  }
  return [
    `Timelock ${proposal.authority} batch ${proposal.batch}: ${proposal.targets.length} call(s) — ${steps}`,
    `  operation     ${proposal.id} (scheduleBatch ${proposal.scheduledBy ?? "sent by an earlier run"})`,
    `  salt          ${proposal.salt}, predecessor ${proposal.predecessor}, delay ${proposal.delay} s`,
    `  ETA           ${new Date(proposal.eta * 1000).toISOString()}${note ? ` — ${note.replace(/^.*executable at [^,]+, /, "")}` : ""}`,
  ].join("\n");
}

/** The proposals a run is waiting for, and what to do: printed when a run ends awaiting (exit code 2). */
export function renderAwaiting(report: ApplyReport, runDir: string, labels: Record<string, string>): string {
  const notes = new Map(report.results.filter((r) => r.proposal).map((r) => [r.proposal!, r.reason]));
  const waiting = report.results.filter((r) => r.status === "awaiting").length;
  const safe = report.proposals.filter((p) => p.executor === "safe");
  const timelock = report.proposals.filter((p) => p.executor === "timelock");
  return [
    `AWAITING: ${waiting} step(s) wait for their authority; nothing failed.`,
    ...report.proposals.map((p) => renderProposal(p, runDir, labels, notes.get(p.id))),
    ...(safe.length > 0
      ? [
          `Next: the Safe's owners check the batch file and the hashes above, sign the safeTxHash and execute it (in nonce order).`,
        ]
      : []),
    ...(timelock.length > 0 ? [`Next: wait for the ETA; the next run sends executeBatch.`] : []),
    `Then run the same command again: it sees on chain what was executed and goes on.`,
  ].join("\n");
}
