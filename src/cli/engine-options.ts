// The options every state-changing task takes, declared once with one help text each.
import { task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";
import type { NewTaskDefinitionBuilder } from "hardhat/types/tasks";

// Each added option changes the builder's type parameter; the task's action declares its own argument type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Builder = NewTaskDefinitionBuilder<any>;

const HELP = {
  planOnly: "Observe and plan, print every step and write the plan JSON; send nothing. Example: --plan-only",
  replan: "Recompute the plan from the chain as it is now (after a drift refusal). Example: --replan",
  yes: "Do not ask for confirmation on a non-local network. Example: --yes",
  json: "Machine-readable output for CI. Example: --json",
  verbose:
    "Print every call of the plan (each call of each multicall) and every step and OrderBook of the results; default: a summary, alike steps on one line, fitted to the terminal. Example: --verbose",
  rehearse:
    "Rehearse instead of sending: apply the exact plan on a throwaway copy of the network (an in-process fork at the current block, or the in-process chain between snapshot and revert) with every sender impersonated, Safe proposals executed with their owners' approvals simulated and timelock delays passed; print and store (next to the run) what it changed and cost. Nothing is sent to the network. Example: --rehearse",
  withRollback:
    "With --rehearse: then apply the plan's inverse on the same copy (roles granted revoked and revoked granted, pauses lifted, pointers and OrderBook vaults set back) and list every difference from the starting state that remains (what the plan deployed stays deployed). Example: --rehearse --with-rollback",
  sequential:
    "Send one transaction at a time, each awaited (default: independent steps back-to-back). Example: --sequential",
  signer: "Account that sends the steps no Safe or timelock sends (default: the network's first account)",
  executor:
    "Who executes the steps that need an admin power a Safe or a timelock holds: 'eoa' (nothing but the network's accounts), 'safe' (the Safe sends every step needing a power it holds: one Transaction Builder batch + SafeTx per wave, the run awaits the owners; needs --safe) or 'timelock' (the timelock does: scheduleBatch now, executeBatch on a later run after the delay; needs --timelock). Example: --executor safe --safe 0x6649Ddb5c7e52348b73c8bBdD2A1cbA630b7AaEA",
  safe: "The Safe (v1.3.0+/v1.4.1) that holds admin roles / diamond ownership, with --executor safe. Example: --safe 0x6649Ddb5c7e52348b73c8bBdD2A1cbA630b7AaEA",
  timelock:
    "The TimelockController that holds admin roles / diamond ownership, with --executor timelock; the signer schedules (PROPOSER) and executes (EXECUTOR) its batches. Example: --timelock 0x5FbDB2315678afecb367f032d93F642f64180aa3",
};

export interface EngineTaskSpec {
  /** What the signer needs or does in this task, added to --signer's help. */
  signer?: string;
  /** Whether steps can go to a Safe or a timelock (--executor, --safe, --timelock). Default: true. */
  executor?: boolean;
  /** Whether the task takes --rehearse (runs through runEngineCommand). Default: true. */
  rehearse?: boolean;
}

/** A task with the engine's shared options; the task adds its own and `.setAction(() => import(...))`. */
export function engineTask(name: string, description: string, spec: EngineTaskSpec = {}): Builder {
  let builder: Builder = task(name, description)
    .addOption({
      name: "signer",
      type: ArgumentType.STRING,
      defaultValue: "",
      description: `${HELP.signer}${spec.signer ? `; ${spec.signer}` : ""}. Example: --signer 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266`,
    })
    .addFlag({ name: "planOnly", description: HELP.planOnly })
    .addFlag({ name: "replan", description: HELP.replan })
    .addFlag({ name: "yes", description: HELP.yes })
    .addFlag({ name: "json", description: HELP.json })
    .addFlag({ name: "verbose", description: HELP.verbose })
    .addFlag({ name: "sequential", description: HELP.sequential });
  if (spec.rehearse !== false)
    builder = builder
      .addFlag({ name: "rehearse", description: HELP.rehearse })
      .addFlag({ name: "withRollback", description: HELP.withRollback });
  if (spec.executor !== false) {
    builder = builder
      .addOption({ name: "executor", type: ArgumentType.STRING, defaultValue: "eoa", description: HELP.executor })
      .addOption({ name: "safe", type: ArgumentType.STRING, defaultValue: "", description: HELP.safe })
      .addOption({ name: "timelock", type: ArgumentType.STRING, defaultValue: "", description: HELP.timelock });
  }
  return builder;
}
