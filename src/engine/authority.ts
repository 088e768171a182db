/**
 * Who sends a step, decided in one place for every task. `--executor safe|timelock` names an authority (the Safe, the
 * TimelockController) that holds admin powers: it sends every step that needs a power it holds (its steps become a
 * proposal or a scheduled batch); every other step is sent by the signer (one of the network's accounts).
 */
import { getAddress, ZeroHash } from "ethers";
import { CutoverInputError } from "../errors.js";
import { checkedAddress } from "../util/address.js";
import type { Reader } from "./reader.js";

/** Which executor a task runs with, from `--executor eoa|safe|timelock`, `--safe <address>`, `--timelock <address>`. */
export interface ExecutorChoice {
  kind: "eoa" | "safe" | "timelock";
  safe?: string;
  timelock?: string;
  /** Schedules and executes timelock batches, and is named as the Safe proposal's creator (default: the first account). */
  signer?: string;
}

export function parseExecutorChoice(args: { executor?: string; safe?: string; timelock?: string }): ExecutorChoice {
  const kind = args.executor || "eoa";
  if (kind !== "eoa" && kind !== "safe" && kind !== "timelock") {
    throw new CutoverInputError(
      "--executor",
      kind,
      "use --executor eoa (send from the configured accounts), --executor safe --safe <address> or --executor timelock --timelock <address>",
    );
  }
  const choice: ExecutorChoice = {
    kind,
    safe: checkedAddress("--safe", args.safe),
    timelock: checkedAddress("--timelock", args.timelock),
  };
  if (kind === "safe" && !choice.safe)
    throw new CutoverInputError("--safe", "", "--executor safe needs the Safe's address: --safe 0x…");
  if (kind === "timelock" && !choice.timelock)
    throw new CutoverInputError(
      "--timelock",
      "",
      "--executor timelock needs the TimelockController's address: --timelock 0x…",
    );
  if (kind !== "safe" && choice.safe)
    throw new CutoverInputError("--safe", choice.safe, "a Safe only acts with --executor safe; add it, or drop --safe");
  if (kind !== "timelock" && choice.timelock)
    throw new CutoverInputError(
      "--timelock",
      choice.timelock,
      "a timelock only acts with --executor timelock; add it, or drop --timelock",
    );
  return choice;
}

/** The signer and the authority chosen with --executor (none with --executor eoa). */
export interface Authority {
  signer: string;
  chosen?: string;
}

export function authorityOf(choice: ExecutorChoice, signer: string): Authority {
  const chosen = choice.kind === "safe" ? choice.safe : choice.kind === "timelock" ? choice.timelock : undefined;
  return { signer: getAddress(signer), chosen: chosen && getAddress(chosen) };
}

/** The sender of a step that needs a power: the chosen authority when it holds it, else the signer. */
export function senderFor(authority: Authority, holds: (account: string) => boolean): string {
  return authority.chosen && holds(authority.chosen) ? authority.chosen : authority.signer;
}

/** For each AccessControl contract, who sends its admin steps (DEFAULT_ADMIN_ROLE held at the pinned block). */
export async function adminSenders(
  reader: Reader,
  contracts: { key: string; address: string; contract: string }[],
  authority: Authority,
): Promise<Record<string, string>> {
  const chosen = authority.chosen;
  if (!chosen) return Object.fromEntries(contracts.map((c) => [c.key, authority.signer]));
  const holds = await Promise.all(
    contracts.map((c) => reader.call({ to: c.address, contract: c.contract, fn: "hasRole", args: [ZeroHash, chosen] })),
  );
  return Object.fromEntries(contracts.map((c, i) => [c.key, senderFor(authority, () => holds[i] === true)]));
}

/**
 * For contracts whose admin power has no role to read (a single-admin factory: `onlyAdmin`, no getter): who sends
 * each write, decided by simulating it (`data` to `to`) from the chosen authority at the pinned block — the authority
 * when that goes through, else the signer.
 */
export async function simulatedSenders(
  reader: Reader,
  writes: { key: string; to: string; data: string }[],
  authority: Authority,
): Promise<Record<string, string>> {
  const chosen = authority.chosen;
  const entries = await Promise.all(
    writes.map(async (w): Promise<[string, string]> => {
      if (!chosen) return [w.key, authority.signer];
      const accepted = await reader.provider
        .call({ from: chosen, to: w.to, data: w.data, blockTag: reader.block })
        .then(
          () => true,
          () => false,
        );
      return [w.key, accepted ? chosen : authority.signer];
    }),
  );
  return Object.fromEntries(entries);
}
