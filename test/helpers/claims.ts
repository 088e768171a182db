// Shared by the funds tests: the claim contract bound to a runner, a user's claim file, the funds checks of
// cutover:verify, and a snapshot file read back.
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { Contract, type ContractRunner, type InterfaceAbi } from "ethers";
import hre from "hardhat";
import { loadArtifact } from "../../src/artifacts.js";
import type { ClaimFile } from "../../src/funds/claim.js";
import { withExitCode } from "./tasks.js";

export async function claimsAt(address: string, runner: ContractRunner): Promise<Contract> {
  return new Contract(address, (await loadArtifact(hre, "MigrationClaims")).abi as InterfaceAbi, runner);
}

export async function readJsonFile<T = any>(file: string): Promise<T> {
  return JSON.parse(await readFile(path.resolve(hre.config.paths.root, file), "utf8")) as T;
}

/** Every claim file of a run (its `claims` folder), by lower-cased address. */
export async function claimFiles(dir: string): Promise<Map<string, ClaimFile>> {
  const full = path.resolve(hre.config.paths.root, dir);
  const out = new Map<string, ClaimFile>();
  for (const name of await readdir(full))
    out.set(name.replace(/\.json$/, "").toLowerCase(), await readJsonFile(path.join(full, name)));
  return out;
}

/** cutover:verify --funds-snapshot `file`: its funds checks by name. */
export async function fundsChecks(file: string): Promise<Record<string, any>> {
  const out = await withExitCode("cutover:verify", { skipSmoke: true, json: true, fundsSnapshot: file });
  const report = JSON.parse(out.printed);
  return Object.fromEntries(report.checks.filter((c: any) => c.name.startsWith("funds-")).map((c: any) => [c.name, c]));
}

/** Sends `file`'s claim from `sender` (anyone may; the money goes to the file's address). */
export async function claim(file: ClaimFile, sender: ContractRunner) {
  return (await claimsAt(file.contract, sender)).claim(file.address, file.amount, file.proof);
}
