import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { runEngineCommand, type EngineArgs } from "../src/cli/engine-command.js";
import { ContractCatalog } from "../src/engine/contracts.js";
import { Reader } from "../src/engine/reader.js";
import { CutoverInputError } from "../src/errors.js";
import { observeOwnership, ownedTargets, ownershipChecks, transferPlanner } from "../src/ownership/transfer.js";
import { readSystemRecordIfAny } from "../src/records/records.js";
import { renderResults } from "../src/report/results.js";
import { renderTable } from "../src/report/table.js";
import { requiredAddress } from "../src/util/address.js";

interface Args extends EngineArgs {
  to: string;
  allowEoa: boolean;
}

export default async function transferOwnership(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const to = requiredAddress(
    "--to",
    args.to,
    "give the new owner's address (the Safe), e.g. --to 0x6649Ddb5c7e52348b73c8bBdD2A1cbA630b7AaEA",
  );
  await runEngineCommand(hre, args, {
    async planner(ctx) {
      const records = await readSystemRecordIfAny(hre.config.paths.root, ctx.conn.networkName);
      if (!records)
        throw new CutoverInputError(
          "--network",
          ctx.conn.networkName,
          `no records deployments/${ctx.conn.networkName}-deployment.json to find the vault, factory, hub and OrderBooks in; deploy or import the system first`,
        );
      return transferPlanner(ctx, records, { to, allowEoa: args.allowEoa });
    },
    // The check reads the chain as it is now: it fails while the deployer still holds anything.
    async results({ conn, signer }, outcome) {
      const provider = conn.ethers.provider;
      const reader = new Reader(provider, new ContractCatalog(hre), await provider.getBlockNumber());
      const records = (await readSystemRecordIfAny(hre.config.paths.root, conn.networkName))!;
      const profile = hre.config.cutover.protocol;
      const targets = await ownedTargets(reader, profile, records);
      const checks = ownershipChecks(await observeOwnership(reader, profile, targets, to, { signer }));
      const failed = checks.filter((c) => c.status === "fail");
      const table = [
        `\n${renderTable(
          ["check", "status", "evidence"],
          checks.map((c) => [c.name, c.status, c.evidence]),
        )}`,
        ...failed.flatMap((c) => c.failures.map((f) => `  ${c.name}: ${f}`)),
      ];
      const report = outcome.report;
      return {
        json: { checks },
        text: [...(report ? [renderResults(report)] : []), ...table],
        failed: failed.length > 0 && !report?.awaiting,
      };
    },
  });
}
