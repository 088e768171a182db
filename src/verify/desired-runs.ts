// The stored runs a cutover is derived from (the redeploy's, then every later run aimed at the new vault), the
// addresses each deployed, and the facets the system's deployment recorded.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { getAddress, getCreate2Address, isAddress, keccak256 } from "ethers";
import { CutoverInputError } from "../errors.js";
import { Addresses } from "../engine/apply.js";
import { linkBytecode } from "../engine/create2.js";
import type { ContractCatalog } from "../engine/contracts.js";
import { parseRunKey, runAimsAt, runKeys } from "../engine/run-key.js";
import { RunStore } from "../engine/run-store.js";
import type { Plan } from "../engine/types.js";
import { networkDir } from "../records/records.js";
import { exists } from "../util/fs.js";

export interface StoredRun {
  plan: Plan;
  file: string;
  store: RunStore;
  startedAt: string;
}

function loadRun(store: RunStore): StoredRun | undefined {
  const plan = store.loadPlan();
  return plan && { plan, file: store.planFile, store, startedAt: store.startedAt() };
}

/** The redeploy's run, then every run aimed at the new vault (rewires, OrderBook redeploys, role regrants), oldest first. */
export async function cutoverRuns(
  root: string,
  network: string,
  oldVault: string,
  newVault: string,
): Promise<StoredRun[]> {
  const redeployKey = runKeys.corevaultRedeploy(oldVault);
  const redeploy = loadRun(new RunStore(root, network, redeployKey));
  if (!redeploy) {
    throw new CutoverInputError(
      "--old-vault",
      oldVault,
      `no stored plan for its redeploy (deployments/${network}/.cutover/${redeployKey}/plan.json): the desired state comes from that plan; verify on the machine that ran corevault:redeploy, or copy its deployments/ folder here`,
    );
  }
  const later = RunStore.list(root, network)
    .filter(
      (store) =>
        store.runKey !== redeployKey &&
        (runAimsAt(store.runKey, newVault) ||
          store.runKey === runKeys.resumeOld(oldVault) ||
          handsOver(store.runKey, newVault)),
    )
    .flatMap((store) => loadRun(store) ?? []);
  later.sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
  return [redeploy, ...later];
}

/** A cutover:transfer-ownership of the system whose vault is `vault`: its grants and renounces change the vault's roles. */
function handsOver(key: string, vault: string): boolean {
  const parsed = parseRunKey(key);
  return parsed?.kind === "transfer-ownership" && parsed.subject === vault.toLowerCase();
}

/** Addresses of what a run deployed: the plan's known ones, its journal's confirmed receipts, and CREATE2 addresses. */
export async function runAddresses(
  run: StoredRun,
  base: Record<string, string>,
  catalog: ContractCatalog,
): Promise<Addresses> {
  const known: Record<string, string> = { ...run.plan.known, ...base };
  for (const [record, address] of Object.entries(run.store.deployedAddresses(run.plan)))
    known[record] ??= getAddress(address);
  const addresses = new Addresses(known, catalog);
  for (const step of run.plan.steps) {
    // CREATE2 deployments through a factory: the address follows from the factory, the salt and the init code.
    if (
      step.kind !== "deploy" ||
      !step.create2 ||
      known[step.record] ||
      !addresses.has(step.create2.factory) ||
      step.args.length > 0
    )
      continue;
    const artifact = await catalog.artifact(step.contract);
    known[step.record] = getCreate2Address(
      addresses.resolve(step.create2.factory) as string,
      step.create2.salt,
      keccak256(linkBytecode(artifact, step.libraries)),
    );
  }
  return addresses;
}

/** Facet records the system's deployment wrote (deployments/<network>/<Name>Facet.json): the template's facets. */
export async function recordedFacets(root: string, network: string): Promise<{ address: string; name: string }[]> {
  const dir = networkDir(root, network);
  if (!(await exists(dir))) return [];
  const out: { address: string; name: string }[] = [];
  for (const file of await readdir(dir)) {
    if (!/Facet\.json$/.test(file)) continue;
    try {
      const { address } = JSON.parse(await readFile(path.join(dir, file), "utf8")) as { address?: string };
      if (address && isAddress(address)) out.push({ address: getAddress(address), name: file.replace(/\.json$/, "") });
    } catch {
      // not a deployment record
    }
  }
  return out;
}
