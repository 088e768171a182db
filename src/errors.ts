import { HardhatPluginError } from "@nomicfoundation/hardhat-errors";

export const PLUGIN_ID = "hardhat-cutover";

/** Bad input: names the input, the value given, and what to do. Raised before anything is sent. */
export class CutoverInputError extends HardhatPluginError {
  constructor(
    readonly input: string,
    readonly value: unknown,
    readonly fix: string,
  ) {
    super(PLUGIN_ID, `Invalid ${input}: ${JSON.stringify(value)}. Fix: ${fix}.`);
  }
}
