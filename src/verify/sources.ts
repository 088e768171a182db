import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import type { ContractCatalog } from "../engine/contracts.js";
import type { CheckResult } from "./checks.js";
import type { DesiredState } from "./desired.js";

export async function sourceChecks(_hre: HardhatRuntimeEnvironment, _conn: NetworkConnection, _catalog: ContractCatalog, _desired: DesiredState): Promise<CheckResult[]> {
  return [];
}
