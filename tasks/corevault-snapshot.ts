import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { parseBlock } from "../src/cli/inputs.js";
import { ContractCatalog } from "../src/engine/contracts.js";
import { localMulticall3 } from "../src/engine/local-chain.js";
import { renderSnapshot, takeSnapshot, writeSnapshot } from "../src/funds/take-snapshot.js";
import { deploymentBlock, networkDir, readSystemRecordIfAny } from "../src/records/records.js";
import { vaultAddress } from "../src/roles/audit.js";
import { requiredAddress } from "../src/util/address.js";
import { jsonOutput } from "../src/cli/json-output.js";
import "../src/type-extensions.js";

interface Args {
  vault: string;
  block: string;
  out: string;
  include: string;
  json: boolean;
}

export default async function corevaultSnapshot(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const conn = await hre.network.getOrCreate();
  const provider = conn.ethers.provider;
  const network = conn.networkName;
  const root = hre.config.paths.root;
  const latest = await provider.getBlockNumber();
  const confirmations = hre.config.cutover.confirmations[network] ?? 1;
  const block = parseBlock(args.block, latest) ?? Math.max(0, latest - confirmations);
  const records = await readSystemRecordIfAny(root, network);
  const vault = vaultAddress(args.vault || undefined, records, network);
  const catalog = new ContractCatalog(hre);
  await localMulticall3(conn, catalog);
  const { snapshot, requests } = await takeSnapshot(conn, catalog, {
    vault,
    block,
    profile: hre.config.cutover.protocol,
    records: records?.contracts as Record<string, string> | undefined,
    include: parseInclude(args.include),
    fromBlock: await deploymentBlock(root, network, "CoreVault", vault),
    progress: args.json ? undefined : (line) => process.stderr.write(`${line}\n`),
  });
  const dir = args.out ? path.resolve(root, args.out) : path.join(networkDir(root, network), "snapshots");
  const files = await writeSnapshot(dir, snapshot);
  const relative = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, path.relative(root, f)]));
  if (args.json) {
    const { users: _users, merkle, ...summary } = snapshot;
    console.log(jsonOutput("snapshot", { ...summary, merkleRoot: merkle.root, files: relative, requests }));
  } else console.log(renderSnapshot(snapshot, relative, requests));
  if (!snapshot.reconciliation.ok) process.exitCode = 1;
}

function parseInclude(value: string): string[] {
  if (value.trim() === "") return [];
  return value
    .split(",")
    .map((item) =>
      requiredAddress("--include", item.trim(), "give comma-separated 0x addresses, e.g. --include 0xf39F…,0x7099…"),
    );
}
