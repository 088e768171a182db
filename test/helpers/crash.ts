// The crash tests' one scenario shape: a task runs as a real Hardhat CLI child against a local `hardhat node` mining on
// an interval (so transactions sit in flight), is killed with SIGKILL (from outside once the journal holds k broadcast
// transactions, or at a named CUTOVER_FAULT point), something may happen between the runs, and it is run again.
// The setting up before it (systems, snapshots, the vault redeployed) runs in this process against the same node.
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import { createHardhatRuntimeEnvironment } from "hardhat/hre";
import type { HttpNetworkUserConfig } from "hardhat/types/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import userConfig from "../../hardhat.config.js";
import type { JournalEntry } from "../../src/engine/journal.js";
import { standInProtocol } from "../../src/mocks/stand-in-profile.js";
import { finished, hardhat, journalEntries, killAfterSent, startNode, type LocalNode } from "./node.js";
import { withExitCode } from "./tasks.js";

/** The config file the CLI children load for the dexetra-v5 stand-in (its fee recipient: the node's first account). */
export const DEXETRA_CONFIG = ["--config", "hardhat.dexetra.config.ts"];
const DEPLOYER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

let shared: Promise<LocalNode> | undefined;

/**
 * One `hardhat node` for every crash test file of the run (each file starting its own cost seconds): the tests count
 * their own transactions (nonces, events from their own blocks) and tolerate what earlier tests left on the chain.
 */
export function crashNode(): Promise<LocalNode> {
  shared ??= startNode();
  return shared;
}

// a root hook (registered when the first test file imports this module): after the last test of the run
after(async () => (await shared)?.stop());

export interface Crash {
  /** The child's arguments after `hardhat` (with `--network localhost` and `--json`). */
  args: string[];
  journal: string;
  /** Killed from outside once the journal holds this many broadcast transactions. */
  killAfterSent?: number;
  /** A named fault point, `kill-after-<journal|broadcast|complete|record>:N`. */
  fault?: string;
  /** What happens between the killed run and the rerun (the node still mines on its interval). */
  between?: (journal: string) => void | Promise<void>;
}

export interface Crashed {
  /** The journal as the killed run left it. */
  journaled: JournalEntry[];
  /** The rerun's JSON output (it completed with exit code 0). */
  out: any;
  stderr: string;
}

/**
 * Runs `crash.args` as a child, kills it as told, runs `between`, then runs it again, which must complete. The node
 * mines on a 150 ms interval meanwhile, and is left mining on each transaction only (it outlives this test file).
 */
export async function killAndRerun(node: LocalNode, crash: Crash): Promise<Crashed> {
  await node.mining(150);
  try {
    return await killedThenRerun(node, crash);
  } finally {
    await node.mining();
    await node.conn.provider.request({ method: "evm_setIntervalMining", params: [0] });
  }
}

async function killedThenRerun(node: LocalNode, crash: Crash): Promise<Crashed> {
  const env = { LOCAL_RPC_URL: node.url };
  const first = hardhat(crash.args, crash.fault ? { ...env, CUTOVER_FAULT: crash.fault } : env);
  const firstDone = finished(first);
  if (crash.killAfterSent !== undefined) await killAfterSent(first, crash.journal, crash.killAfterSent);
  const killed = await firstDone;
  expect(killed.signal, `the first run should have been killed; stderr: ${killed.stderr}`).to.equal("SIGKILL");
  const journaled = journalEntries(crash.journal);
  expect(journaled.length, "the killed run's journal").to.be.greaterThan(0);
  if (crash.killAfterSent !== undefined)
    expect(journaled.filter((e) => e.type === "sent").length).to.be.greaterThanOrEqual(crash.killAfterSent);
  await crash.between?.(crash.journal);
  const rerun = await finished(hardhat(crash.args, env));
  expect(rerun.code, `rerun: ${rerun.stderr}${rerun.stdout}`).to.equal(0);
  const out = JSON.parse(rerun.stdout);
  expect(out.complete, rerun.stdout).to.equal(true);
  return { journaled, out, stderr: rerun.stderr };
}

/** Runs `args` as a child once more: it must complete and send nothing. */
export async function rerunSendsNothing(node: LocalNode, args: string[]): Promise<void> {
  const third = await finished(hardhat(args, { LOCAL_RPC_URL: node.url }));
  expect(third.code, third.stderr).to.equal(0);
  expect(JSON.parse(third.stdout)).to.include({ complete: true, transactionsSent: 0 });
}

const runtimes = new Map<string, HardhatRuntimeEnvironment>();

/**
 * A runtime of this project on the node as `network` (records in deployments/<network>/, as the children write them),
 * with the dexetra-v5 stand-in's profile when asked: the set-up tasks run in this process, not as children.
 */
export async function nodeRuntime(
  node: LocalNode,
  profile: "reference" | "dexetra-v5",
  network: "localhost" | "localSigned" = "localhost",
): Promise<HardhatRuntimeEnvironment> {
  const key = `${node.url} ${profile} ${network}`;
  if (!runtimes.has(key))
    runtimes.set(
      key,
      await createHardhatRuntimeEnvironment(
        {
          ...userConfig,
          // the config's network (localSigned keeps its accounts) at the node's address
          networks: {
            ...userConfig.networks,
            [network]: { ...(userConfig.networks![network] as HttpNetworkUserConfig), url: node.url },
          },
          cutover: profile === "reference" ? {} : { protocol: standInProtocol(DEPLOYER) },
        },
        { network },
        hre.config.paths.root,
      ),
    );
  return runtimes.get(key)!;
}

/** `task` with `--json` through `runtime`; its exit code must be 0. */
export async function setUp(runtime: HardhatRuntimeEnvironment, task: string, args: Record<string, unknown> = {}) {
  const { printed, exitCode } = await withExitCode(task, { json: true, ...args }, runtime);
  expect(exitCode, `${task}: ${printed.slice(0, 2000)}`).to.equal(0);
  return JSON.parse(printed);
}

/** A file the set-up wrote (a path relative to the project root), parsed. */
export const readRootJson = (file: string) => JSON.parse(readFileSync(path.join(hre.config.paths.root, file), "utf8"));
