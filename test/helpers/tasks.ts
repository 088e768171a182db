import hre from "hardhat";

/** Runs a task through Hardhat and returns what it printed on stdout. */
export async function runTask(name: string, args: Record<string, unknown>): Promise<string> {
  const printed: string[] = [];
  const original = console.log;
  console.log = (...parts: unknown[]) => void printed.push(parts.join(" "));
  try {
    await hre.tasks.getTask(name).run(args);
  } finally {
    console.log = original;
  }
  return printed.join("\n");
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
