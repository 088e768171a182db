// Parsing of task inputs shared by several tasks; each error names the input, the value and the fix.
import { CutoverInputError } from "../errors.js";

/** --block: a block number up to the latest, or "latest"/"" (undefined). */
export function parseBlock(value: string, latest: number): number | undefined {
  if (value === "" || value === "latest") return undefined;
  const block = Number(value);
  if (!Number.isSafeInteger(block) || block < 0 || block > latest)
    throw new CutoverInputError(
      "--block",
      value,
      `give a block number from 0 to ${latest} (the latest), or "latest", e.g. --block ${latest}`,
    );
  return block;
}
