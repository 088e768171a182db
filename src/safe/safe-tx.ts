/**
 * SafeTx encoding and hashing (pure): the EIP-712 SafeTx type written once, MultiSend's packed encoding, and the batch
 * of a proposal as the SafeTx signers sign. Cross-checked in test/unit/safe.test.ts against @safe-global/protocol-kit
 * and on chain against a real Safe v1.4.1.
 */
import { concat, dataLength, getAddress, solidityPacked, TypedDataEncoder, ZeroAddress, type Interface } from "ethers";

/** Safe v1.4.1's MultiSendCallOnly at its canonical (CREATE2 via the Safe singleton factory) address. */
export const MULTISEND_CALL_ONLY_141 = {
  address: "0x9641d764fc13c8B624c04430C7356C1C7C8102e2",
  /** keccak256 of its runtime code: what must be at that address before a Safe delegatecalls it. */
  codeHash: "0xecd5bd14a08c5d2122379900b2f272bdf107a7e92423c10dd5fe3254386c9939",
} as const;

/** The Safe versions whose MultiSendCallOnly the Safe executor batches through. */
export type SafeVersion = "1.3.0" | "1.4.1";

/**
 * MultiSendCallOnly of each supported Safe version at its published deployments (v1.3.0: canonical and EIP-155
 * addresses), with the code hash the contract at the address must have, as `@safe-global/safe-deployments` lists them.
 */
export const MULTISEND_CALL_ONLY: Record<SafeVersion, { address: string; codeHash: string }[]> = {
  "1.3.0": [
    {
      address: "0x40A2aCCbd92BCA938b02010E17A5b8929b49130D",
      codeHash: "0xa9865ac2d9c7a1591619b188c4d88167b50df6cc0c5327fcbd1c8c75f7c066ad",
    },
    {
      address: "0xA1dabEF33b3B82c7814B6D82A79e50F4AC44102B",
      codeHash: "0xa9865ac2d9c7a1591619b188c4d88167b50df6cc0c5327fcbd1c8c75f7c066ad",
    },
  ],
  "1.4.1": [MULTISEND_CALL_ONLY_141],
};

export const isSafeVersion = (version: string): version is SafeVersion => version in MULTISEND_CALL_ONLY;

export const OPERATION = { CALL: 0, DELEGATECALL: 1 } as const;

/** EIP-712 type of a Safe transaction (Safe >= 1.0; the domain has a chainId from 1.3.0 on). */
export const SAFE_TX_TYPES = {
  SafeTx: [
    { type: "address", name: "to" },
    { type: "uint256", name: "value" },
    { type: "bytes", name: "data" },
    { type: "uint8", name: "operation" },
    { type: "uint256", name: "safeTxGas" },
    { type: "uint256", name: "baseGas" },
    { type: "uint256", name: "gasPrice" },
    { type: "address", name: "gasToken" },
    { type: "address", name: "refundReceiver" },
    { type: "uint256", name: "nonce" },
  ],
};

/** One call of a batch. Values are decimal strings, as in the Transaction Builder file. */
export interface MetaTx {
  to: string;
  value: string;
  data: string;
}

/** A SafeTx with every field as JSON can carry it (numbers as decimal strings). */
export interface SafeTx {
  to: string;
  value: string;
  data: string;
  operation: number;
  safeTxGas: string;
  baseGas: string;
  gasPrice: string;
  gasToken: string;
  refundReceiver: string;
  nonce: string;
}

export interface SafeTxHashes {
  /** EIP-712 domain separator: {chainId, verifyingContract: the Safe}. */
  domainHash: string;
  /** hashStruct(SafeTx). */
  messageHash: string;
  /** keccak256(0x1901 ‖ domainHash ‖ messageHash): what the owners sign. */
  safeTxHash: string;
}

/** MultiSend's packed encoding: per call operation (uint8), to, value, data length (uint256) and data. */
export function encodeMultiSend(txs: MetaTx[]): string {
  return concat(
    txs.map((tx) =>
      solidityPacked(
        ["uint8", "address", "uint256", "uint256", "bytes"],
        [OPERATION.CALL, tx.to, BigInt(tx.value), dataLength(tx.data), tx.data],
      ),
    ),
  );
}

/**
 * The SafeTx that executes a batch: one call is made directly (operation CALL), as Safe{Wallet} does for a one-call
 * Transaction Builder batch; several go through MultiSendCallOnly (operation DELEGATECALL). No refund: gas fields 0.
 */
export function safeTxForBatch(txs: MetaTx[], nonce: bigint, multiSend: { address: string; iface: Interface }): SafeTx {
  if (txs.length === 0) throw new Error("A Safe batch needs at least one transaction");
  const noRefund = {
    safeTxGas: "0",
    baseGas: "0",
    gasPrice: "0",
    gasToken: ZeroAddress,
    refundReceiver: ZeroAddress,
    nonce: nonce.toString(),
  };
  if (txs.length === 1)
    return {
      to: getAddress(txs[0].to),
      value: txs[0].value,
      data: txs[0].data,
      operation: OPERATION.CALL,
      ...noRefund,
    };
  const data = multiSend.iface.encodeFunctionData("multiSend", [encodeMultiSend(txs)]);
  return { to: getAddress(multiSend.address), value: "0", data, operation: OPERATION.DELEGATECALL, ...noRefund };
}

export function safeTxHashes(safe: string, chainId: bigint | number, tx: SafeTx): SafeTxHashes {
  const domain = { chainId, verifyingContract: getAddress(safe) };
  return {
    domainHash: TypedDataEncoder.hashDomain(domain),
    messageHash: TypedDataEncoder.hashStruct("SafeTx", SAFE_TX_TYPES, tx),
    safeTxHash: TypedDataEncoder.hash(domain, SAFE_TX_TYPES, tx),
  };
}

/** The arguments of `execTransaction` for a SafeTx and its owners' packed signatures. */
export function execTransactionArgs(tx: SafeTx, signatures: string): unknown[] {
  return [
    tx.to,
    tx.value,
    tx.data,
    tx.operation,
    tx.safeTxGas,
    tx.baseGas,
    tx.gasPrice,
    tx.gasToken,
    tx.refundReceiver,
    signatures,
  ];
}
