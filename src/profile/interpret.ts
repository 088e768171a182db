import { getAddress, Interface, keccak256, toBeHex, toUtf8Bytes, type EventFragment } from "ethers";
import type { Reader } from "../engine/reader.js";
import type { CallSpec, ReadCheck, Ref, Value } from "../engine/types.js";
import { CutoverInputError } from "../errors.js";
import type { EventScan, Profile, ReadSource, WriteSpec } from "./schema.js";

const MULTICALL = "function multicall(bytes[] data) returns (bytes[] results)";

/** The function name of a human-readable signature. */
export function fnName(signature: string): string {
  return /^function (\w+)\(/.exec(signature)![1];
}

/** Which contract of the protocol a call goes to: its label in messages, and whether the vault's batching applies. */
export type ContractKind = "CoreVault" | "FuturesMarketFactory" | "CollateralHub" | "OrderBook" | "ERC20";

/**
 * The `contract` of a CallSpec for a profile's function: "<kind>: <signature>" (the engine's catalog builds the ABI
 * from it), plus `multicall` on the vault when the profile says the vault batches, so a batch of them encodes as one.
 */
export function contractFor(profile: Profile, signature: string, kind: ContractKind = "CoreVault"): string {
  const batched = kind === "CoreVault" && profile.vault.batching === "multicall";
  return `${kind}: ${signature}${batched ? `; ${MULTICALL}` : ""}`;
}

/** A view call of the profile, as a CallSpec (for done checks and reads). */
export function viewCall(
  profile: Profile,
  signature: string,
  to: string | Ref,
  args: Value[],
  kind: ContractKind = "CoreVault",
): CallSpec {
  return { to, contract: contractFor(profile, signature, kind), fn: fnName(signature), args };
}

/**
 * A write of the profile, as a CallSpec: its arguments from the template ("$0", "$1"… the values given, "$keep.<name>"
 * a value read before), or the values given in order when the profile names no template.
 */
export function writeCall(
  profile: Profile,
  write: WriteSpec,
  to: string | Ref,
  args: Value[],
  options: { kind?: ContractKind; keep?: Record<string, Value> } = {},
): CallSpec {
  const resolved = (write.args ?? args.map((_, i) => `$${i}`)).map((token): Value => {
    const positional = /^\$(\d+)$/.exec(token);
    if (positional) return args[Number(positional[1])];
    if (token.startsWith("$keep.")) {
      const kept = options.keep?.[token.slice(6)];
      if (kept === undefined) throw new Error(`${write.signature}: no value kept for ${token}`);
      return kept;
    }
    return token;
  });
  return {
    to,
    contract: contractFor(profile, write.signature, options.kind),
    fn: fnName(write.signature),
    args: resolved,
  };
}

/** The done check of a value read by `sources`: its first view call (one output of it where the source picks one). */
export function readCheck(
  profile: Profile,
  sources: ReadSource | ReadSource[],
  to: string | Ref,
  equals: Value,
  kind: ContractKind = "CoreVault",
): ReadCheck[] {
  const call = [sources].flat().find((s): s is Extract<ReadSource, { call: string }> => "call" in s);
  if (!call) return [];
  const check: ReadCheck = { read: viewCall(profile, call.call, to, [], kind), equals };
  return [call.pick === undefined ? check : { ...check, pick: call.pick }];
}

/** A storage slot: a 0x word, or `keccak256:<text>` (a namespaced storage root), plus `word` words. */
export function slotOf(source: { slot: string; word?: number }): string {
  const base = source.slot.startsWith("keccak256:")
    ? BigInt(keccak256(toUtf8Bytes(source.slot.slice("keccak256:".length))))
    : BigInt(source.slot);
  return toBeHex((base + BigInt(source.word ?? 0)) % 2n ** 256n, 32);
}

export interface ReadContext {
  /** The contract the concept lives on. */
  target: string;
  /** `contracts` of the network's records, where there are any. */
  records?: Record<string, string>;
  /** The value is an address (a storage word is cut to its low 20 bytes). */
  address?: boolean;
}

export type ReadOutcome = { value: unknown; source: ReadSource } | { missing: string[] };

/** Tries `sources` in order: the first that gives a value wins; `missing` lists what would supply it otherwise. */
export async function readSources(
  reader: Reader,
  sources: ReadSource | ReadSource[],
  ctx: ReadContext,
): Promise<ReadOutcome> {
  const missing: string[] = [];
  for (const source of [sources].flat()) {
    let value: unknown;
    if ("call" in source) {
      const read = await reader.tryCall({ to: ctx.target, contract: source.call, fn: fnName(source.call), args: [] });
      value = source.pick === undefined || !Array.isArray(read) ? read : read[source.pick];
    } else if ("slot" in source) {
      const word = await reader.provider.getStorage(ctx.target, slotOf(source), reader.block);
      value = ctx.address ? getAddress(`0x${word.slice(26)}`) : word;
    } else if ("record" in source) value = ctx.records?.[source.record];
    else if ("value" in source) value = source.value;
    else missing.push(source.supply);
    if (value !== undefined) return { value: ctx.address ? getAddress(value as string) : value, source };
  }
  return { missing };
}

/** Read concepts of a profile, by their path under `cutover.protocol`. */
export type Concept =
  | "vault.collateral"
  | "vault.liquidationManager.read"
  | "factory.vault.read"
  | "hub.vault.read"
  | "orderBook.vault"
  | "orderBook.marketId"
  | `factory.keep.${string}`
  | `hub.keep.${string}`;

/** The sources a profile gives for `concept` (undefined where it has none, e.g. a factory vault without a getter). */
export function sourcesOf(profile: Profile, concept: Concept): ReadSource | ReadSource[] | undefined {
  let at: unknown = profile;
  for (const key of concept.split(".")) at = (at as Record<string, unknown> | undefined)?.[key];
  return at as ReadSource | ReadSource[] | undefined;
}

/** Like `readSources` for a concept of the profile; a fact nothing supplies is an input error naming its key. */
export async function readConcept(
  reader: Reader,
  profile: Profile,
  concept: Concept,
  ctx: ReadContext,
): Promise<unknown> {
  const outcome = await readSources(reader, sourcesOf(profile, concept) ?? [], ctx);
  if ("value" in outcome) return outcome.value;
  throw new CutoverInputError(
    `cutover.protocol.${concept} (profile ${profile.name})`,
    ctx.target,
    outcome.missing.length > 0
      ? `the chain does not reveal it on this protocol; supply it with ${outcome.missing.join(" or ")}`
      : `none of the profile's reads answered at ${ctx.target}; check the address, or override cutover.protocol.${concept}`,
  );
}

/** Values of the profile's MMR parameters: one call returning them all, or one call each. */
export async function readMmrParams(reader: Reader, profile: Profile, vault: string): Promise<string[]> {
  const values = await reader.callMany(
    profile.vault.mmrParams.read.map((sig) => ({ to: vault, contract: sig, fn: fnName(sig), args: [] })),
  );
  return values.flat().map((v) => String(v));
}

/** Done checks of the MMR params: the one getter returning them all, or each getter its value. */
export function mmrChecks(profile: Profile, to: string | Ref, values: string[]): ReadCheck[] {
  const reads = profile.vault.mmrParams.read;
  if (reads.length === 1) return [{ read: viewCall(profile, reads[0], to, []), equals: values }];
  return reads.map((sig, i) => ({ read: viewCall(profile, sig, to, []), equals: values[i] }));
}

export interface Discovered {
  orderBook?: string;
  marketId?: string;
  symbol?: string;
}

function topicFilter(fragment: EventFragment, iface: Interface, where: Record<string, string> = {}) {
  const values = fragment.inputs
    .filter((input) => input.indexed)
    .map((input) => {
      const wanted = where[input.name];
      if (wanted === undefined) return null;
      return wanted.startsWith("keccak256:") ? keccak256(toUtf8Bytes(wanted.slice("keccak256:".length))) : wanted;
    });
  return iface.encodeFilterTopics(fragment, values) as (string | null)[];
}

/** Parses one log of `scan` into the OrderBook and market it names. */
export function parseScanLog(scan: EventScan, log: { topics: readonly string[]; data: string }): Discovered {
  const iface = new Interface([scan.event]);
  const parsed = iface.parseLog({ topics: [...log.topics], data: log.data });
  if (!parsed) return {};
  const found: Discovered = {};
  if (scan.orderBook) found.orderBook = getAddress(parsed.args.getValue(scan.orderBook) as string);
  if (scan.marketId) found.marketId = (parsed.args.getValue(scan.marketId) as string).toLowerCase();
  if (scan.symbol) found.symbol = String(parsed.args.getValue(scan.symbol));
  return found;
}

/** Every OrderBook / market the profile's event scans name, from `fromBlock` to the reader's block, in chunks. */
export async function scanDiscovery(
  reader: Reader,
  profile: Profile,
  contracts: { vault: string; factory?: string },
  fromBlock: number,
): Promise<Discovered[]> {
  const found: Discovered[] = [];
  const chunk = profile.discovery.logChunk;
  for (const scan of profile.discovery.events) {
    const address = contracts[scan.on];
    if (!address) continue;
    const iface = new Interface([scan.event]);
    const fragment = iface.fragments[0] as EventFragment;
    const topics = topicFilter(fragment, iface, scan.where);
    for (let start = fromBlock; start <= reader.block; start += chunk) {
      const logs = await reader.provider.getLogs({
        address,
        topics,
        fromBlock: start,
        toBlock: Math.min(start + chunk - 1, reader.block),
      });
      for (const log of logs) found.push(parseScanLog(scan, log));
    }
  }
  return found;
}
