import { stat } from "node:fs/promises";
import { jsonOutput } from "../src/cli/json-output.js";
import path from "node:path";
import { getAddress, isAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { CutoverInputError } from "../src/errors.js";
import { scanStale, supersededVaults } from "../src/records/scan-stale.js";
import { renderTable } from "../src/report/table.js";

interface Args {
  root?: string;
  address?: string;
  json: boolean;
}

export default async function scanStaleTask(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const projectRoot = hre.config.paths.root;
  const root = path.resolve(projectRoot, args.root ?? ".");
  const isDirectory = await stat(root).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDirectory)
    throw new CutoverInputError("--root", args.root, "pass an existing directory to scan, e.g. --root ../app");
  if (args.address !== undefined && !isAddress(args.address)) {
    throw new CutoverInputError(
      "--address",
      args.address,
      "pass the old vault's address: 0x and 40 hex digits, all lowercase or with a valid EIP-55 checksum, e.g. --address 0x5FbDB2315678afecb367f032d93F642f64180aa3",
    );
  }
  const addresses = args.address
    ? [getAddress(args.address)]
    : (await supersededVaults(projectRoot, hre.globalOptions.network ?? "default")).map((a) => getAddress(a));
  // The project's own records keep the old vault on purpose (superseded entries, archived records).
  const ignore = root === projectRoot ? ["deployments"] : [];
  const references = await scanStale(root, addresses, { ignore });
  const address = addresses.join(", ");
  const files = new Set(references.map((reference) => reference.file)).size;
  if (args.json) {
    console.log(jsonOutput("scan-stale", { root, address, files, references }));
  } else {
    if (references.length > 0)
      console.log(
        renderTable(
          ["file:line:column", "text"],
          references.map((r) => [`${r.file}:${r.line}:${r.column}`, r.text]),
        ),
      );
    console.log(`${files} ${files === 1 ? "file still references" : "files still reference"} ${address}`);
  }
  if (references.length > 0) process.exitCode = 1; // lets CI gate on it
}
