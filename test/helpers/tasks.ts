import hre from "hardhat";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

/** Runs a task through Hardhat (default: the test run's own runtime) and returns what it printed on stdout. */
export async function runTask(
  name: string,
  args: Record<string, unknown>,
  runtime: HardhatRuntimeEnvironment = hre,
): Promise<string> {
  const printed: string[] = [];
  const original = console.log;
  console.log = (...parts: unknown[]) => void printed.push(parts.join(" "));
  try {
    await runtime.tasks.getTask(name).run(args);
  } finally {
    console.log = original;
  }
  return printed.join("\n");
}

/** Runs a task with `--json` (plus `args`) and parses what it printed. */
export async function runJson<T = any>(
  name: string,
  args: Record<string, unknown> = {},
  runtime: HardhatRuntimeEnvironment = hre,
): Promise<T> {
  return JSON.parse(await runTask(name, { json: true, ...args }, runtime)) as T;
}

/** Runs a task and returns its output and the exit code it set (restored afterwards, so mocha's own is unaffected). */
export async function withExitCode(
  name: string,
  args: Record<string, unknown>,
  runtime: HardhatRuntimeEnvironment = hre,
): Promise<{ printed: string; exitCode: number }> {
  const previous = process.exitCode;
  process.exitCode = 0;
  try {
    const printed = await runTask(name, args, runtime);
    return { printed, exitCode: Number(process.exitCode ?? 0) };
  } finally {
    process.exitCode = previous;
  }
}

/** The error a task run throws (fails the test if it does not throw). */
export async function taskError(name: string, args: Record<string, unknown>): Promise<Error> {
  const outcome = await runTask(name, args).then(
    () => undefined,
    (error: Error) => error,
  );
  if (!outcome) throw new Error(`${name} was expected to fail with ${JSON.stringify(args)}`);
  return outcome;
}
