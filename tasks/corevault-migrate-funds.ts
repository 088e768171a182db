import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { runEngineCommand, type EngineArgs } from "../src/cli/engine-command.js";
import { CutoverInputError } from "../src/errors.js";
import { countCredits, creditPlanner, type MigrateInputs } from "../src/funds/migrate.js";
import { readSnapshot, requireSnapshotChain } from "../src/funds/take-snapshot.js";
import { claimPlanner, parsePayout } from "../src/funds/claim.js";
import { claimResults } from "../src/funds/claim-results.js";
import type { ClaimState } from "../src/funds/plan-claim.js";
import type { RunOutcome } from "../src/engine/run.js";
import { withdrawOnly } from "../src/funds/withdraw-only-command.js";
import { settleFirst } from "../src/funds/settle-command.js";
import { ContractCatalog } from "../src/engine/contracts.js";
import { Reader } from "../src/engine/reader.js";
import { renderResults } from "../src/report/results.js";
import { deploymentBlock, readSystemRecordIfAny } from "../src/records/records.js";
import { checkedAddress } from "../src/util/address.js";
import "../src/type-extensions.js";

interface Args extends EngineArgs {
  snapshot: string;
  mode: string;
  newVault: string;
  batch: string;
  payout: string;
  settleAt: string;
}

const MODES = ["credit", "claim", "withdraw-only"];

export default async function corevaultMigrateFunds(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  if (!MODES.includes(args.mode))
    throw new CutoverInputError(
      "--mode",
      args.mode,
      `this version migrates with ${MODES.map((m) => `--mode ${m}`).join(", ")}`,
    );
  if (args.payout && args.mode !== "claim")
    throw new CutoverInputError("--payout", args.payout, "--payout chooses how a claim pays: use it with --mode claim");
  const payout = args.mode === "claim" ? parsePayout(args.payout || "token") : undefined;
  if (!args.snapshot)
    throw new CutoverInputError("--snapshot", "", "give the funds-<block>.json that corevault:snapshot wrote");
  const root = hre.config.paths.root;
  const snapshotFile = path.resolve(root, args.snapshot);
  const snapshot = await readSnapshot(snapshotFile);
  if (args.settleAt) return settleFirst(hre, args, snapshot);
  if (args.mode === "withdraw-only") return withdrawOnly(hre, args, snapshot);
  let inputs: MigrateInputs | undefined;
  await runEngineCommand<unknown>(hre, args, {
    planner: async (ctx) => {
      inputs = await migrateInputs(hre, ctx.conn.networkName, args, snapshot, snapshotFile);
      requireSnapshotChain(snapshot, args.snapshot, Number((await ctx.conn.ethers.provider.getNetwork()).chainId));
      if (payout) return claimPlanner(ctx, inputs, payout);
      return creditPlanner(ctx, inputs);
    },
    results: async (ctx, outcome) => {
      if (payout) return claimResults(ctx, outcome as RunOutcome<ClaimState>, inputs!, payout);
      if (!outcome.report) return {};
      const provider = ctx.conn.ethers.provider;
      const reader = new Reader(provider, new ContractCatalog(hre), await provider.getBlockNumber());
      const credits = await countCredits(reader, inputs!);
      const failed = credits.doubled.length > 0 || (outcome.report.complete && credits.missing.length > 0);
      const line = `credits on ${inputs!.newVault} (from its events): ${credits.credited} users, ${credits.total} in total; credited twice: ${credits.doubled.length}; not credited: ${credits.missing.length}`;
      return { json: { credits }, failed, text: [renderResults(outcome.report), line] };
    },
  });
}

async function migrateInputs(
  hre: HardhatRuntimeEnvironment,
  network: string,
  args: Args,
  snapshot: MigrateInputs["snapshot"],
  snapshotFile: string,
): Promise<MigrateInputs> {
  const root = hre.config.paths.root;
  const records = await readSystemRecordIfAny(root, network);
  const newVault =
    checkedAddress("--new-vault", args.newVault) ?? (records?.contracts.CORE_VAULT as string | undefined);
  if (!newVault)
    throw new CutoverInputError(
      "--new-vault",
      "",
      `no records for ${network} name a CORE_VAULT; pass --new-vault <address>`,
    );
  if (newVault.toLowerCase() === snapshot.vault.toLowerCase())
    throw new CutoverInputError(
      "--new-vault",
      newVault,
      "it is the vault the snapshot was taken of: redeploy first (corevault:redeploy), or pass the new vault's address",
    );
  const fromBlock = await deploymentBlock(root, network, "CoreVault", newVault);
  const batch = args.batch === "" ? undefined : Number(args.batch);
  return { snapshot, snapshotFile, newVault, profile: hre.config.cutover.protocol, fromBlock, batch };
}
