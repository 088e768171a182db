// What the owners of a Safe and the passing of a timelock's delay do, done on the throwaway chain of a rehearsal: the
// Safe executes the very SafeTx the Safe executor proposed (its owners' approvals given on chain with approveHash), and
// time moves past a scheduled batch's ETA so that the next round executes it.
import { concat, Contract, getAddress, zeroPadValue } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";
import type { Proposal, SafeProposal } from "../engine/proposal.js";

const SAFE_ABI = [
  "function getOwners() view returns (address[])",
  "function getThreshold() view returns (uint256)",
  "function nonce() view returns (uint256)",
  "function approveHash(bytes32 hashToApprove)",
  "function execTransaction(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver, bytes signatures) payable returns (bool)",
];

const FUNDS = "0x56bc75e2d63100000"; // 100 ether, for the gas of impersonated accounts

/** Makes `accounts` able to send on the throwaway chain: impersonated and funded. */
export async function impersonate(conn: NetworkConnection, accounts: string[]): Promise<void> {
  for (const account of accounts) {
    await conn.provider.request({ method: "hardhat_impersonateAccount", params: [account] });
    const balance = BigInt(await conn.ethers.provider.getBalance(account));
    if (balance < BigInt(FUNDS))
      await conn.provider.request({ method: "hardhat_setBalance", params: [account, FUNDS] });
  }
}

async function sendAs(conn: NetworkConnection, from: string, to: string, data: string): Promise<string> {
  const hash = (await conn.provider.request({ method: "eth_sendTransaction", params: [{ from, to, data }] })) as string;
  const receipt = await conn.ethers.provider.waitForTransaction(hash);
  if (!receipt || receipt.status !== 1)
    throw new Error(`the rehearsal's transaction ${hash} from ${from} to ${to} reverted`);
  return hash;
}

/** Executes a Safe proposal: `threshold` owners approve its safeTxHash on chain, then one of them runs execTransaction. */
async function executeSafeProposal(conn: NetworkConnection, proposal: SafeProposal): Promise<string[]> {
  const safe = new Contract(proposal.authority, SAFE_ABI, conn.ethers.provider);
  if (BigInt(await safe.nonce()) !== BigInt(proposal.nonce)) return [];
  const owners = ((await safe.getOwners()) as string[]).map((o) => getAddress(o));
  const approvers = owners
    .slice(0, Number(await safe.getThreshold()))
    .sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
  await impersonate(conn, approvers);
  const hashes: string[] = [];
  for (const owner of approvers)
    hashes.push(
      await sendAs(conn, owner, proposal.authority, safe.interface.encodeFunctionData("approveHash", [proposal.id])),
    );
  // A pre-validated signature per approver: r = the owner, s = 0, v = 1 (approved on chain).
  const signatures = concat(
    approvers.map((owner) => concat([zeroPadValue(owner, 32), zeroPadValue("0x", 32), "0x01"])),
  );
  const t = proposal.safeTx;
  const data = safe.interface.encodeFunctionData("execTransaction", [
    t.to,
    t.value,
    t.data,
    t.operation,
    t.safeTxGas,
    t.baseGas,
    t.gasPrice,
    t.gasToken,
    t.refundReceiver,
    signatures,
  ]);
  hashes.push(await sendAs(conn, approvers[0], proposal.authority, data));
  return hashes;
}

/** Moves the chain's time past `eta` (unix seconds) and mines a block. */
export async function passTime(conn: NetworkConnection, eta: number): Promise<void> {
  const now = (await conn.ethers.provider.getBlock("latest"))!.timestamp;
  if (now <= eta) await conn.provider.request({ method: "evm_increaseTime", params: [eta - now + 1] });
  await conn.provider.request({ method: "evm_mine", params: [] });
}

/**
 * Acts as the authorities of a round's awaiting proposals: Safe proposals executed in nonce order, time moved past the
 * latest timelock ETA. Returns the hashes of the transactions it sent, and whether anything was done.
 */
export async function actAsAuthorities(
  conn: NetworkConnection,
  proposals: Proposal[],
): Promise<{ hashes: string[]; acted: boolean }> {
  const hashes: string[] = [];
  const safeProposals = proposals
    .filter((p): p is SafeProposal => p.executor === "safe")
    .sort((a, b) => Number(BigInt(a.nonce) - BigInt(b.nonce)));
  for (const proposal of safeProposals) hashes.push(...(await executeSafeProposal(conn, proposal)));
  const etas = proposals.flatMap((p) => (p.executor === "timelock" ? [p.eta] : []));
  if (etas.length > 0) await passTime(conn, Math.max(...etas));
  return { hashes, acted: hashes.length > 0 || etas.length > 0 };
}
