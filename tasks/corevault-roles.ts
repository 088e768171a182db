import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { jsonOutput } from "../src/cli/json-output.js";
import { parseBlock } from "../src/cli/inputs.js";
import { checkedAddress } from "../src/util/address.js";
import { CutoverInputError } from "../src/errors.js";
import { ContractCatalog } from "../src/engine/contracts.js";
import { Reader } from "../src/engine/reader.js";
import { deploymentBlock, readSystemRecordIfAny } from "../src/records/records.js";
import { auditRoles, checkVault, renderAudit, vaultAddress } from "../src/roles/audit.js";
import "../src/type-extensions.js";

interface Args {
  vault: string;
  block: string;
  deployer: string;
  json: boolean;
}

export default async function corevaultRoles(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const conn = await hre.network.getOrCreate();
  const provider = conn.ethers.provider;
  const network = conn.networkName;
  const latest = await provider.getBlockNumber();
  const block = parseBlock(args.block, latest) ?? latest;
  const deployer =
    checkedAddress(
      "--deployer",
      args.deployer,
      "give the 0x address that deployed the system, e.g. --deployer 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    ) ?? (await conn.ethers.getSigners())[0]?.address;
  if (!deployer)
    throw new CutoverInputError(
      "--deployer",
      "",
      `${network} has no configured accounts; pass the deployer's address with --deployer`,
    );

  const root = hre.config.paths.root;
  const records = await readSystemRecordIfAny(root, network);
  const vault = vaultAddress(args.vault || undefined, records, network);
  const reader = new Reader(provider, new ContractCatalog(hre), block);
  const profile = hre.config.cutover.protocol;
  await checkVault(reader, vault, records, network, profile);
  const audit = await auditRoles(
    reader,
    vault,
    records,
    deployer,
    await deploymentBlock(root, network, "CoreVault", vault),
    profile,
  );
  console.log(args.json ? jsonOutput("roles", audit) : renderAudit(audit, network));
  if (audit.flags.length > 0) process.exitCode = 1; // lets CI gate on it
}
