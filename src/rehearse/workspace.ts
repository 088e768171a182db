// A rehearsal's own copy of the project's files, deployments/<network>/.rehearsal/: the network's records, its runs and
// the app config, laid out as a project root. The rehearsal writes there what the real run would write (records, run
// journals, app config) and `cutover:verify` reads it there; the real network's files are never written.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { RunStore } from "../engine/run-store.js";
import { networkDir, systemRecordPath } from "../records/records.js";
import "../type-extensions.js";

export interface Workspace {
  root: string;
  /** The project as the rehearsal sees it: the same, but with its files (records, runs, app config) under `root`. */
  hre: HardhatRuntimeEnvironment;
}

function copyIfThere(from: string, to: string): void {
  if (!existsSync(from)) return;
  mkdirSync(path.dirname(to), { recursive: true });
  cpSync(from, to, { recursive: true });
}

/** A fresh workspace holding a copy of the network's records, runs and app config as they are now. */
export function prepareWorkspace(hre: HardhatRuntimeEnvironment, network: string): Workspace {
  const realRoot = hre.config.paths.root;
  const root = RunStore.rehearsalRoot(realRoot, network);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  copyIfThere(systemRecordPath(realRoot, network), systemRecordPath(root, network));
  const records = networkDir(realRoot, network);
  if (existsSync(records))
    for (const entry of readdirSync(records).filter((name) => name !== ".rehearsal"))
      copyIfThere(path.join(records, entry), path.join(networkDir(root, network), entry));
  const { appConfig } = hre.config.cutover;
  const app = {
    ...appConfig,
    contractsModule: path.join(root, "app", path.basename(appConfig.contractsModule)),
    envFile: path.join(root, "app", path.basename(appConfig.envFile)),
  };
  copyIfThere(appConfig.contractsModule, app.contractsModule);
  copyIfThere(appConfig.envFile, app.envFile);
  const config = {
    ...hre.config,
    paths: { ...hre.config.paths, root },
    cutover: { ...hre.config.cutover, appConfig: app },
  };
  const rehearsalHre = new Proxy(hre, {
    get: (target, property) => (property === "config" ? config : Reflect.get(target, property, target)),
  });
  return { root, hre: rehearsalHre };
}
