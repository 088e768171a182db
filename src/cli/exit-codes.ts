// The exit codes of every task, in one place: set by the tasks (1, 2) and by the wrapper every task runs in (3).
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { LazyActionObject, NewTaskActionFunction, NewTaskDefinition, TaskDefinition } from "hardhat/types/tasks";

type Lazy = LazyActionObject<NewTaskActionFunction>;

export const EXIT = {
  /** Done: everything the task set out to do holds. */
  done: 0,
  /** A check failed (verify, scan-stale, a refused rehearsal), or a run ended with failed or unsent steps. */
  checkFailed: 1,
  /** Waiting on an external execution: Safe owners to sign and execute, a timelock's delay to pass. */
  awaiting: 2,
  /** Bad input, or the task could not run (refused, unreachable network, drift): nothing was done by this run. */
  couldNotRun: 3,
} as const;

export const EXIT_CODES_HELP =
  "Exit codes: 0 done, 1 a check failed, 2 waiting on a Safe/timelock execution, 3 bad input or could not run.";

let threw = false;
let started = false;

/**
 * Hardhat sets exit code 1 after printing an error: one a task threw, or its refusal of the task's arguments (a
 * number option given "abc") before the action ran. At exit, either becomes 3. Only when one of the plugin's tasks is
 * named on this process's command line: tasks run inside another process (tests) leave the code alone.
 */
function listenOnCommandLine(tasks: string[]): void {
  const named = process.argv.slice(2);
  if (!tasks.some((task) => named.includes(task))) return;
  process.on("exit", () => {
    if ((threw || !started) && process.exitCode === 1) process.exitCode = EXIT.couldNotRun;
  });
}

function wrapAction(load: Lazy): Lazy {
  return async () => {
    const { default: action } = await load();
    return {
      default: async (args: Record<string, unknown>, hre: HardhatRuntimeEnvironment) => {
        started = true;
        threw = false;
        try {
          return await action(args, hre);
        } catch (error) {
          threw = true;
          throw error;
        }
      },
    };
  };
}

/** The plugin's tasks with the exit codes in their help and exit code 3 when they throw. */
export function withExitCodes(tasks: TaskDefinition[]): TaskDefinition[] {
  listenOnCommandLine(tasks.map((definition) => definition.id.join(" ")));
  return tasks.map((definition) => {
    if ((definition.type as string) !== "NEW_TASK") return definition;
    const task = definition as NewTaskDefinition;
    if (!task.action) return definition;
    return {
      ...task,
      description: `${task.description.replace(/\.?$/, ".")} ${EXIT_CODES_HELP}`,
      action: wrapAction(task.action),
    } as TaskDefinition;
  });
}
