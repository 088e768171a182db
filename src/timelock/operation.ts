// OpenZeppelin TimelockController operations, as the cutover uses them: salts, operation ids, the done marker and the
// operation's state from getTimestamp. Pure: no provider. Used by the timelock executor (src/engine) and by the facet
// plans on a timelock-owned diamond (src/diamond).
import { AbiCoder, keccak256, toUtf8Bytes, ZeroHash, type BigNumberish } from "ethers";

/** Predecessor of an operation that waits for no other. */
export const NO_PREDECESSOR = ZeroHash;

/** OpenZeppelin's TimelockController marks an executed operation with timestamp 1 (_DONE_TIMESTAMP). */
export const DONE_TIMESTAMP = 1n;

/** A salt in the cutover's namespace: keccak256("hardhat-cutover/<path>"). */
function cutoverSalt(path: string): string {
  return keccak256(toUtf8Bytes(`hardhat-cutover/${path}`));
}

/** Salt of a run's n-th batch on a timelock: from the plan id, so the same plan gives the same operation ids. */
export function timelockSalt(planId: string, batch: number): string {
  return cutoverSalt(`${planId}/batch/${batch}`);
}

/** Salt of a facet plan's change: derived from the plan (or rollback) id, so staging it twice is one operation. */
export function changeSalt(changeId: string): string {
  return cutoverSalt(`facet-plan/${changeId}`);
}

/** TimelockController.hashOperationBatch: keccak256(abi.encode(targets, values, payloads, predecessor, salt)). */
export function hashOperationBatch(
  targets: string[],
  values: BigNumberish[],
  payloads: string[],
  predecessor: string,
  salt: string,
): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      ["address[]", "uint256[]", "bytes[]", "bytes32", "bytes32"],
      [targets, values, payloads, predecessor, salt],
    ),
  );
}

/** The view call that gives an operation's timestamp: 0 unset, DONE_TIMESTAMP executed, else its ETA. */
export function getTimestampCall(timelock: string, operationId: string) {
  return { to: timelock, contract: "Timelock", fn: "getTimestamp", args: [operationId] };
}

export type OperationState = { state: "unset" } | { state: "done" } | { state: "scheduled"; eta: number };

/** What getTimestamp says about an operation. */
export function operationState(timestamp: bigint | number): OperationState {
  const t = BigInt(timestamp);
  if (t === 0n) return { state: "unset" };
  if (t === DONE_TIMESTAMP) return { state: "done" };
  return { state: "scheduled", eta: Number(t) };
}
