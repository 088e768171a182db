// What a rehearsal changed on its throwaway chain: the values every done check of the plan reads (before -> after),
// the storage slots its transactions wrote (found with EDR's prestateTracer in diff mode, then read before and after),
// the standard events they emitted (roles, pause, ownership, diamond cuts, token transfers), and the gas and
// transactions per sender.
import { getAddress, Interface, zeroPadValue, type Log, type TransactionReceipt } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";
import { Addresses } from "../engine/apply.js";
import type { ContractCatalog } from "../engine/contracts.js";
import { canonicalJson, describeValue, isRef } from "../engine/plan.js";
import { normalize, Reader } from "../engine/reader.js";
import type { Plan, ReadCheck } from "../engine/types.js";

export interface ReadChange {
  contract: string;
  read: string;
  before: string;
  after: string;
}

export interface SlotChange {
  contract: string;
  slot: string;
  before: string;
  after: string;
}

export interface EventRecord {
  contract: string;
  event: string;
  args: string;
}

export interface SenderUse {
  sender: string;
  transactions: number;
  gas: string;
}

export interface RehearsalDiff {
  transactions: number;
  gas: string;
  bySender: SenderUse[];
  deployed: Record<string, string>;
  changes: ReadChange[];
  /** Every storage slot whose value differs between the first and the last block, by contract. */
  storage: SlotChange[];
  events: EventRecord[];
}

const STANDARD_EVENTS = new Interface([
  "event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)",
  "event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender)",
  "event Paused(address account)",
  "event Unpaused(address account)",
  "event OwnershipTransferred(address indexed previousOwner, address indexed newOwner)",
  "event DiamondCut((address facetAddress, uint8 action, bytes4[] functionSelectors)[] diamondCut, address init, bytes data)",
  "event Transfer(address indexed from, address indexed to, uint256 value)",
]);

/** A value for people: a labelled string (a role id by its name), else its canonical JSON. */
function show(value: unknown, labels: Record<string, string>): string {
  const v = normalize(value);
  return typeof v === "string" ? describeValue(v, labels) : canonicalJson(v);
}

/** Every transaction mined on the throwaway chain after `fromBlock` up to `toBlock`, with its receipt. */
async function receiptsBetween(conn: NetworkConnection, fromBlock: number, toBlock: number) {
  const provider = conn.ethers.provider;
  const receipts: TransactionReceipt[] = [];
  for (let n = fromBlock + 1; n <= toBlock; n++) {
    const block = await provider.getBlock(n);
    for (const hash of block?.transactions ?? []) {
      const receipt = await provider.getTransactionReceipt(hash);
      if (receipt) receipts.push(receipt);
    }
  }
  return receipts;
}

type AccountDiff = Record<string, { storage?: Record<string, string> }>;

/** The slots each transaction touched, by contract: the keys of its prestateTracer diff (pre and post). */
async function touchedSlots(
  conn: NetworkConnection,
  receipts: TransactionReceipt[],
): Promise<Map<string, Set<string>>> {
  const slots = new Map<string, Set<string>>();
  for (const { hash } of receipts) {
    const trace = (await conn.provider.request({
      method: "debug_traceTransaction",
      params: [hash, { tracer: "prestateTracer", tracerConfig: { diffMode: true } }],
    })) as { pre?: AccountDiff; post?: AccountDiff };
    for (const side of [trace.pre ?? {}, trace.post ?? {}])
      for (const [address, account] of Object.entries(side)) {
        const set = slots.get(getAddress(address)) ?? new Set<string>();
        for (const slot of Object.keys(account.storage ?? {})) set.add(zeroPadValue(slot, 32));
        if (set.size > 0) slots.set(getAddress(address), set);
      }
  }
  return slots;
}

/** Each touched slot read at `fromBlock` and at `toBlock`, where the value differs; by contract, then slot. */
async function slotChanges(
  conn: NetworkConnection,
  receipts: TransactionReceipt[],
  fromBlock: number,
  toBlock: number,
  labels: Record<string, string>,
): Promise<SlotChange[]> {
  const provider = conn.ethers.provider;
  const changes: SlotChange[] = [];
  for (const [address, slots] of await touchedSlots(conn, receipts))
    for (const slot of [...slots].sort()) {
      const [before, after] = [
        await provider.getStorage(address, slot, fromBlock),
        await provider.getStorage(address, slot, toBlock),
      ];
      if (before !== after) changes.push({ contract: labels[address.toLowerCase()] ?? address, slot, before, after });
    }
  return changes.sort((a, b) => (a.contract === b.contract ? 0 : a.contract < b.contract ? -1 : 1));
}

function bySender(receipts: TransactionReceipt[]): SenderUse[] {
  const use = new Map<string, { transactions: number; gas: bigint }>();
  for (const r of receipts) {
    const entry = use.get(r.from) ?? { transactions: 0, gas: 0n };
    use.set(r.from, { transactions: entry.transactions + 1, gas: entry.gas + r.gasUsed });
  }
  return [...use].map(([sender, u]) => ({ sender, transactions: u.transactions, gas: u.gas.toString() }));
}

function decodeEvents(logs: readonly Log[], labels: Record<string, string>): EventRecord[] {
  const events: EventRecord[] = [];
  for (const log of logs) {
    let parsed: ReturnType<Interface["parseLog"]> = null;
    try {
      parsed = STANDARD_EVENTS.parseLog(log);
    } catch {
      // not one of the standard events
    }
    if (!parsed) continue;
    const args = parsed.fragment.inputs.map((input, i) => `${input.name}=${show(parsed!.args[i], labels)}`);
    events.push({
      contract: labels[log.address.toLowerCase()] ?? log.address,
      event: parsed.name,
      args: args.join(", "),
    });
  }
  return events;
}

/** The distinct reads of the plans' done checks. */
function doneReads(plans: Plan[]): ReadCheck["read"][] {
  const reads = new Map<string, ReadCheck["read"]>();
  for (const step of plans.flatMap((p) => p.steps)) {
    if (step.kind !== "call") continue;
    for (const action of step.actions)
      for (const check of action.done) reads.set(canonicalJson(check.read), check.read);
  }
  return [...reads.values()];
}

/** Each done-check read at the start and at the end of the rehearsal, where the value changed. */
async function readChanges(
  conn: NetworkConnection,
  catalog: ContractCatalog,
  plans: Plan[],
  deployed: Record<string, string>,
  fromBlock: number,
  toBlock: number,
  labels: Record<string, string>,
): Promise<ReadChange[]> {
  const provider = conn.ethers.provider;
  const [before, after] = [new Reader(provider, catalog, fromBlock), new Reader(provider, catalog, toBlock)];
  const addresses = new Addresses(deployed, catalog);
  const changes: ReadChange[] = [];
  for (const read of doneReads(plans)) {
    if (!addresses.has(read.to) || !read.args.every((a) => addresses.has(a))) continue;
    const { to, args } = addresses.call(read);
    const value = async (reader: Reader) => {
      if (isRef(read.to) && reader === before) return "(not deployed)";
      const result = await reader.tryCall({ to, contract: read.contract, fn: read.fn, args });
      return result === undefined ? "(no answer)" : show(result, labels);
    };
    const [was, is] = [await value(before), await value(after)];
    const name = isRef(read.to) ? `<new ${read.to.$ref}>` : (labels[to.toLowerCase()] ?? to);
    if (was !== is)
      changes.push({
        contract: name,
        read: `${read.fn}(${read.args.map((a) => describeValue(a, labels)).join(", ")})`,
        before: was,
        after: is,
      });
  }
  return changes;
}

export async function rehearsalDiff(
  conn: NetworkConnection,
  catalog: ContractCatalog,
  plans: Plan[],
  deployed: Record<string, string>,
  fromBlock: number,
  toBlock: number,
): Promise<RehearsalDiff> {
  const receipts = await receiptsBetween(conn, fromBlock, toBlock);
  const labels = {
    ...Object.assign({}, ...plans.map((p) => p.labels)),
    ...Object.fromEntries(Object.entries(deployed).map(([name, address]) => [address.toLowerCase(), `<new ${name}>`])),
  };
  return {
    transactions: receipts.length,
    gas: receipts.reduce((sum, r) => sum + r.gasUsed, 0n).toString(),
    bySender: bySender(receipts),
    deployed,
    changes: await readChanges(conn, catalog, plans, deployed, fromBlock, toBlock, labels),
    storage: await slotChanges(conn, receipts, fromBlock, toBlock, labels),
    events: decodeEvents(
      receipts.flatMap((r) => r.logs),
      labels,
    ),
  };
}
