// cutover:verify --sources: every contract the cutover deployed is first compared locally with its compiled artifact
// (library links must be the recorded ones; immutables are skipped), then its source is verified on the chain's block
// explorer through @nomicfoundation/hardhat-verify, with the constructor arguments and libraries the plans recorded.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import type { ContractCatalog } from "../engine/contracts.js";
import { Reader } from "../engine/reader.js";
import { compareRuntime, type RuntimeArtifact } from "./bytecode.js";
import type { CheckResult, Failure } from "./checks.js";
import type { DesiredState } from "./desired.js";
import "../type-extensions.js";

/**
 * hardhat-verify's verifyContract, as this module calls it (loaded only for --sources). It connects to the network
 * Hardhat runs with (--network) by itself, and reports progress on console.log, which is captured for the check.
 */
type VerifyContract = (
  args: {
    address: string;
    constructorArgs?: unknown[];
    libraries?: Record<string, string>;
    contract?: string;
    provider?: "etherscan" | "blockscout" | "sourcify";
  },
  hre: HardhatRuntimeEnvironment,
) => Promise<boolean>;

const DEV_CHAINS = [31337, 1337];

export interface SourceVerification {
  record: string;
  address: string;
  contract: string;
  verified: boolean;
  message: string;
}

type Deployed = DesiredState["deployed"][number];
type Matched = { deployed: Deployed; artifact: RuntimeArtifact & { sourceName: string } };

/** sources.bytecode: each deployed contract's runtime code against its artifact; the ones that match. */
async function bytecodeCheck(
  conn: NetworkConnection,
  catalog: ContractCatalog,
  desired: DesiredState,
): Promise<{ bytecode: CheckResult; matched: Matched[] }> {
  const provider = conn.ethers.provider;
  const reader = new Reader(provider, catalog, await provider.getBlockNumber());
  const codes = await reader.codes(desired.deployed.map((d) => d.address));
  const matched: Matched[] = [];
  const failures: Failure[] = [];
  for (const deployed of desired.deployed) {
    const artifact = (await catalog.artifact(deployed.contract)) as unknown as RuntimeArtifact & { sourceName: string };
    const comparison = compareRuntime(codes[deployed.address] ?? "0x", artifact, deployed.libraries);
    if (comparison.match) matched.push({ deployed, artifact });
    else {
      failures.push({
        subject: `${deployed.record} ${deployed.address} (${deployed.contract})`,
        expected: `the runtime code of ${artifact.sourceName}:${artifact.contractName}${
          Object.keys(deployed.libraries).length
            ? ` linked to ${Object.entries(deployed.libraries)
                .map(([n, a]) => `${n}=${a}`)
                .join(", ")}`
            : ""
        }`,
        found: comparison.reason ?? "different code",
        fix: "this is not the code the plan deployed: find out what is at that address before trusting it; redeploy from the audited artifact",
      });
    }
  }
  const bytecode: CheckResult = {
    name: "sources.bytecode",
    title: "every contract the cutover deployed runs its compiled artifact (links and immutables accounted for)",
    status: failures.length === 0 ? "pass" : "fail",
    evidence: `${matched.length}/${desired.deployed.length} match: ${desired.deployed.map((d) => d.record).join(", ")}`,
    failures,
  };
  return { bytecode, matched };
}

/** hardhat-verify's verify module, when the plugin is in the config; undefined otherwise. */
async function loadVerify(hre: HardhatRuntimeEnvironment): Promise<{ verifyContract: VerifyContract } | undefined> {
  try {
    if ((hre.config as { verify?: unknown }).verify === undefined) throw new Error("not loaded");
    return (await import("@nomicfoundation/hardhat-verify/verify")) as unknown as { verifyContract: VerifyContract };
  } catch {
    return undefined;
  }
}

/** Submits each matched contract to the explorer (or finds it verified), keeping the last line hardhat-verify printed. */
async function verifyOnExplorer(
  hre: HardhatRuntimeEnvironment,
  verifyContract: VerifyContract,
  matched: Matched[],
): Promise<SourceVerification[]> {
  const results: SourceVerification[] = [];
  for (const { deployed, artifact } of matched) {
    const contract = `${artifact.sourceName}:${artifact.contractName}`;
    const log: string[] = [];
    const print = console.log;
    console.log = (...parts: unknown[]) => void log.push(parts.join(" ").trim());
    try {
      const verified = await verifyContract(
        {
          address: deployed.address,
          constructorArgs: deployed.args,
          libraries: deployed.libraries,
          contract,
          provider: "etherscan",
        },
        hre,
      );
      results.push({
        record: deployed.record,
        address: deployed.address,
        contract,
        verified,
        message: log.at(-1)?.split("\n")[0] ?? "",
      });
    } catch (error) {
      results.push({
        record: deployed.record,
        address: deployed.address,
        contract,
        verified: false,
        message: (error as Error).message.split("\n")[0],
      });
    } finally {
      console.log = print;
    }
  }
  return results;
}

export async function sourceChecks(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  catalog: ContractCatalog,
  desired: DesiredState,
): Promise<CheckResult[]> {
  const { bytecode, matched } = await bytecodeCheck(conn, catalog, desired);
  const explorer: CheckResult = {
    name: "sources.explorer",
    title: "every contract the cutover deployed is source-verified on the block explorer",
    status: "pass",
    evidence: "",
    failures: [],
  };
  const chainId = Number((await conn.ethers.provider.getNetwork()).chainId);
  if (DEV_CHAINS.includes(chainId)) {
    return [
      bytecode,
      {
        ...explorer,
        status: "n/a",
        evidence: `chain ${chainId} is a development chain: hardhat-verify has no explorer for it`,
      },
    ];
  }
  const verify = await loadVerify(hre);
  if (!verify) {
    return [
      bytecode,
      {
        ...explorer,
        status: "fail",
        evidence: "hardhat-verify is not available",
        failures: [
          {
            subject: "@nomicfoundation/hardhat-verify",
            expected: "installed and in the config's plugins",
            found: "not loaded",
            fix: "npm install --save-dev @nomicfoundation/hardhat-verify, add it to plugins in hardhat.config.ts and set verify.etherscan.apiKey",
          },
        ],
      },
    ];
  }
  const results = await verifyOnExplorer(hre, verify.verifyContract, matched);
  explorer.failures = [
    ...results
      .filter((r) => !r.verified)
      .map((r) => ({
        subject: `${r.record} ${r.address} (${r.contract})`,
        expected: "verified on the explorer",
        found: r.message,
        fix: "check verify.etherscan.apiKey and the chain's block explorer in chainDescriptors; run cutover:verify --sources again",
      })),
    ...bytecode.failures.map((f) => ({
      ...f,
      expected: "submitted for verification",
      found: "not submitted: its code is not the artifact's (sources.bytecode)",
    })),
  ];
  explorer.status = explorer.failures.length === 0 ? "pass" : "fail";
  explorer.evidence = `${results.filter((r) => r.verified).length}/${desired.deployed.length} verified: ${results.map((r) => `${r.record} ${r.verified ? "verified" : "FAILED"}`).join(", ")}`;
  return [bytecode, explorer];
}
