// The plan file: plans/<network>/<planId>.json, written by diamond:plan and read back (and checked) by the other
// diamond:* tasks. FacetPlanError is the refusal every diamond:* step throws.
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { HardhatPluginError } from "@nomicfoundation/hardhat-errors";
import { CutoverInputError, PLUGIN_ID } from "../errors.js";
import { exists, writeAtomically } from "../util/fs.js";
import { toJson } from "../util/json.js";
import { planIntegrityProblems, type FacetPlan } from "./facet-plan-format.js";
import "../type-extensions.js";

/** A plan the tool will not go on with: refused checks, a tampered file, too early, code swapped. Nothing was sent. */
export class FacetPlanError extends HardhatPluginError {
  constructor(message: string) {
    super(PLUGIN_ID, message);
  }
}

// ------------------------------------------------------------------------------------------------ plan files

export function plansDir(root: string, network: string): string {
  return path.join(root, "plans", network);
}

export function planPath(root: string, network: string, id: string): string {
  return path.join(plansDir(root, network), `${id}.json`);
}

/** Writes plans/<network>/<planId>.json (a refused plan too); returns its path. */
export async function writePlanFile(root: string, network: string, plan: FacetPlan): Promise<string> {
  const file = planPath(root, network, plan.id);
  await mkdir(path.dirname(file), { recursive: true });
  await writeAtomically(file, toJson(plan));
  return file;
}

/** Reads a plan file and refuses one that was edited (id or proofs), is not ready, or is for another chain. */
export async function loadPlan(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  file: string,
): Promise<{ plan: FacetPlan; file: string }> {
  const resolved = path.resolve(hre.config.paths.root, file);
  if (!file || !(await exists(resolved)))
    throw new CutoverInputError(
      "--plan",
      file,
      "give the plan file diamond:plan wrote, e.g. --plan plans/localhost/0x1234….json",
    );
  let plan: FacetPlan;
  try {
    plan = JSON.parse(await readFile(resolved, "utf8")) as FacetPlan;
  } catch (error) {
    throw new CutoverInputError(
      "--plan",
      file,
      `it is not valid JSON (${(error as Error).message}); give the file diamond:plan wrote`,
    );
  }
  const problems = planIntegrityProblems(plan);
  if (problems.length > 0)
    throw new FacetPlanError(
      `Plan file ${file} is not usable; nothing was sent:\n${problems.map((p) => `  - ${p}`).join("\n")}\nRun diamond:plan again to get a plan you can stage.`,
    );
  if (plan.status !== "ready") {
    throw new FacetPlanError(
      `Plan ${plan.id} was refused when it was made; nothing was sent:\n${plan.reasons.map((r) => `  - ${r}`).join("\n")}\nFix the facets or options, then run diamond:plan again.`,
    );
  }
  const chainId = Number((await conn.ethers.provider.getNetwork()).chainId);
  if (chainId !== plan.chainId)
    throw new CutoverInputError(
      "--plan",
      file,
      `it is for chain ${plan.chainId} but ${conn.networkName} is chain ${chainId}; run it with the network it was made for`,
    );
  return { plan, file: resolved };
}
