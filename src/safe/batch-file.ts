/**
 * The Safe Transaction Builder's batch file (pure): what Safe{Wallet}'s Transaction Builder imports ("Drag and drop a
 * JSON file"), with the checksum it verifies on import.
 */
import { getAddress, keccak256, toUtf8Bytes, type Interface, type ParamType } from "ethers";
import type { MetaTx } from "./safe-tx.js";

export interface BatchTransaction {
  to: string;
  value: string;
  data: string | null;
  contractMethod?: unknown;
  contractInputsValues?: Record<string, string> | null;
}

export interface BatchFile {
  version: "1.0";
  /** Decimal string. */
  chainId: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  meta: {
    name: string;
    description?: string;
    txBuilderVersion?: string;
    createdFromSafeAddress?: string;
    createdFromOwnerAddress?: string;
    checksum?: string;
  };
  transactions: BatchTransaction[];
}

/** The Transaction Builder version whose file format this writes. */
export const TX_BUILDER_VERSION = "1.16.5";

/** JSON.stringify, but `undefined` becomes null (a missing value still counts in the checksum). */
const replacer = (_key: string, value: unknown) => (value === undefined ? null : value);

/**
 * The Transaction Builder's deterministic serialization: arrays in order; an object as `{` + the JSON of its sorted
 * keys + each value (in key order) followed by `,` + `}`; anything else as JSON.
 */
export function serializeForChecksum(json: unknown): string {
  if (Array.isArray(json)) return `[${json.map(serializeForChecksum).join(",")}]`;
  if (typeof json === "object" && json !== null) {
    const keys = Object.keys(json).sort();
    return `{${JSON.stringify(keys, replacer)}${keys.map((key) => `${serializeForChecksum((json as Record<string, unknown>)[key])},`).join("")}}`;
  }
  return JSON.stringify(json, replacer);
}

/**
 * The checksum the Transaction Builder writes in meta.checksum and verifies on import: keccak256 of the serialization
 * of the file with meta.name set to null and meta.checksum left out (so renaming a batch keeps it valid).
 */
export function batchChecksum(file: BatchFile): string {
  const { checksum: _checksum, ...meta } = file.meta;
  return keccak256(toUtf8Bytes(serializeForChecksum({ ...file, meta: { ...meta, name: null } })));
}

export interface BatchInputs {
  chainId: bigint | number;
  safe: string;
  /** The account that prepared the batch (shown by the Transaction Builder); "" when none. */
  owner?: string;
  name: string;
  description: string;
  createdAt: number;
  transactions: MetaTx[];
  /** The ABI of each transaction's target, where known: its entry then shows the decoded call. */
  interfaces?: (Interface | undefined)[];
}

interface MethodInput {
  internalType: string;
  name: string;
  type: string;
  components?: MethodInput[];
}

const methodInput = (param: ParamType, i: number): MethodInput => ({
  internalType: param.type,
  name: param.name || `arg${i}`,
  type: param.type,
  ...(param.components ? { components: param.components.map(methodInput) } : {}),
});

/** A value as the Transaction Builder shows and takes it: strings, arrays and tuples as JSON with numbers as strings. */
const inputValue = (value: unknown): string =>
  typeof value === "string" ? value : JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v));

/** The call decoded for people (contractMethod + contractInputsValues), when `iface` knows it; else nothing. */
function decoded(
  iface: Interface | undefined,
  data: string,
): Pick<BatchTransaction, "contractMethod" | "contractInputsValues"> {
  const call = iface?.parseTransaction({ data });
  if (!call) return {};
  const inputs = call.fragment.inputs.map(methodInput);
  const values = Object.fromEntries(
    inputs.map((input, i) => [
      input.name,
      inputValue(call.args[i].toArray ? call.args[i].toArray(true) : call.args[i]),
    ]),
  );
  return { contractMethod: { inputs, name: call.name, payable: call.fragment.payable }, contractInputsValues: values };
}

/**
 * A batch file with raw calldata per transaction (importable with no ABI) and, where the target's ABI is known, the
 * decoded call so signers review names and values rather than hex; and its checksum.
 */
export function buildBatchFile(inputs: BatchInputs): BatchFile {
  const file: BatchFile = {
    version: "1.0",
    chainId: inputs.chainId.toString(),
    createdAt: inputs.createdAt,
    meta: {
      name: inputs.name,
      description: inputs.description,
      txBuilderVersion: TX_BUILDER_VERSION,
      createdFromSafeAddress: getAddress(inputs.safe),
      createdFromOwnerAddress: inputs.owner ? getAddress(inputs.owner) : "",
    },
    transactions: inputs.transactions.map((tx, i) => ({
      to: getAddress(tx.to),
      value: tx.value,
      data: tx.data,
      ...decoded(inputs.interfaces?.[i], tx.data),
    })),
  };
  file.meta.checksum = batchChecksum(file);
  return file;
}
