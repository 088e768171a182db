// The profile's trading entries as calls: templated arguments bound to values, and refusals recognised by their error.
import { Interface } from "ethers";
import { fnName } from "./interpret.js";

/** The name in a human-readable function, event or error signature. */
export function sigName(signature: string): string {
  return /^\w+ (\w+)\(/.exec(signature)![1];
}

/** The arguments of a templated call: "$0", "$1"… the values given (in order when there is no template), else literals. */
export function bindArgs(template: string[] | undefined, values: unknown[]): unknown[] {
  return (template ?? values.map((_, i) => `$${i}`)).map((token) => {
    const positional = /^\$(\d+)$/.exec(token);
    return positional ? values[Number(positional[1])] : token;
  });
}

/** Calldata of `signature` with its template bound to `values`. */
export function encodeTemplated(signature: string, template: string[] | undefined, values: unknown[]): string {
  return new Interface([signature]).encodeFunctionData(fnName(signature), bindArgs(template, values));
}

/** The revert data an eth_call or a send failed with, wherever the provider nested it. */
export function revertData(error: unknown): string | undefined {
  let at = error as { data?: unknown; error?: unknown; info?: { error?: unknown }; cause?: unknown } | undefined;
  for (let depth = 0; at && depth < 6; depth++) {
    if (typeof at.data === "string" && at.data.startsWith("0x")) return at.data;
    if (at.data && typeof at.data === "object" && typeof (at.data as { data?: unknown }).data === "string")
      return (at.data as { data: string }).data;
    at = (at.error ?? at.info?.error ?? at.cause) as typeof at;
  }
  return undefined;
}

/** The one of `errors` (human-readable error signatures) the failure's revert data is, if any. */
export function refusedWith(error: unknown, errors: string[]): string | undefined {
  const data = revertData(error);
  if (!data || data.length < 10) return undefined;
  const iface = new Interface(errors);
  const selector = data.slice(0, 10).toLowerCase();
  let found: string | undefined;
  iface.forEachError((fragment) => {
    if (fragment.selector.toLowerCase() === selector) found = fragment.name;
  });
  return found;
}
