import type { SafeTx } from "../safe/safe-tx.js";

/**
 * What an executor that does not send the steps itself left for their authority to execute: a Safe transaction for its
 * owners to sign, or a timelock batch waiting for its delay. Journaled as `{type: "proposed", …}` entries.
 */
export interface SafeProposal {
  executor: "safe";
  /** The Safe. */
  authority: string;
  /** The safeTxHash. */
  id: string;
  stepIds: string[];
  /** The Transaction Builder batch file, relative to the run's folder (e.g. "safe-3.json"). */
  file: string;
  chainId: string;
  nonce: string;
  safeTx: SafeTx;
  domainHash: string;
  messageHash: string;
  /** How many calls the batch holds (1: the SafeTx calls the target directly). */
  calls: number;
}

export interface TimelockProposal {
  executor: "timelock";
  /** The TimelockController. */
  authority: string;
  /** The operation id (hashOperationBatch). */
  id: string;
  stepIds: string[];
  /** 1-based index of this run's batches on this timelock (part of the salt). */
  batch: number;
  targets: string[];
  values: string[];
  payloads: string[];
  predecessor: string;
  salt: string;
  delay: string;
  /** Unix time (s) from which executeBatch is allowed. */
  eta: number;
  /** The scheduleBatch transaction. */
  scheduledBy?: string;
}

export type Proposal = SafeProposal | TimelockProposal;

export type ProposedEntry = { type: "proposed"; at: string } & Proposal;
