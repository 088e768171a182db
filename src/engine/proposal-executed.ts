// The calls an authority executed for a proposal of this run: the evidence for an action without a done check (a
// setter without a getter) that a Safe or a timelock sent, as a journaled receipt is for the signer's own sends.
import { getBytes, hexlify, Interface, id, toBigInt } from "ethers";
import type { Proposal } from "./proposal.js";
import type { Reader } from "./reader.js";

export interface ExecutedCall {
  to: string;
  data: string;
}

const EXECUTION_SUCCESS = id("ExecutionSuccess(bytes32,uint256)");
const MULTI_SEND = new Interface(["function multiSend(bytes transactions)"]);
const TIMELOCK = "function isOperationDone(bytes32 id) view returns (bool)";

/** MultiSend's packed calls: per call operation (uint8), to (20 bytes), value, data length (uint256) and data. */
function multiSendCalls(data: string): ExecutedCall[] {
  const packed = getBytes(MULTI_SEND.decodeFunctionData("multiSend", data)[0] as string);
  const calls: ExecutedCall[] = [];
  for (let at = 0; at < packed.length;) {
    const to = hexlify(packed.slice(at + 1, at + 21));
    const length = Number(toBigInt(packed.slice(at + 53, at + 85)));
    calls.push({ to, data: hexlify(packed.slice(at + 85, at + 85 + length)) });
    at += 85 + length;
  }
  return calls;
}

/** The Safe's calls of `proposal` when its ExecutionSuccess (for that safeTxHash) is on chain since `fromBlock`. */
async function safeExecuted(reader: Reader, proposal: Extract<Proposal, { executor: "safe" }>, fromBlock: number) {
  const logs = await reader.provider.getLogs({
    address: proposal.authority,
    topics: [EXECUTION_SUCCESS],
    fromBlock,
    toBlock: reader.block,
  });
  const hash = proposal.id.toLowerCase();
  // 1.3.0 logs the hash as data, later versions as an indexed topic
  const executed = logs.some((l) => l.topics[1]?.toLowerCase() === hash || l.data.toLowerCase().startsWith(hash));
  if (!executed) return [];
  const { safeTx } = proposal;
  return safeTx.operation === 0 ? [{ to: safeTx.to, data: safeTx.data }] : multiSendCalls(safeTx.data);
}

/** The calls `proposal` made, once its authority executed it (none before). */
export async function executedCalls(
  reader: Reader,
  proposal: Proposal | undefined,
  fromBlock: number,
): Promise<ExecutedCall[]> {
  if (!proposal) return [];
  if (proposal.executor === "safe") return safeExecuted(reader, proposal, fromBlock);
  const done = await reader.tryCall({
    to: proposal.authority,
    contract: TIMELOCK,
    fn: "isOperationDone",
    args: [proposal.id],
  });
  return done === true ? proposal.targets.map((to, i) => ({ to, data: proposal.payloads[i] })) : [];
}
