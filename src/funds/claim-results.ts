// What corevault:migrate-funds --mode claim reports after a run: the claim contract, its claim files, its funding and
// the claims made so far, all read from the chain.
import path from "node:path";
import type { CommandResult, EngineContext } from "../cli/engine-command.js";
import { ContractCatalog } from "../engine/contracts.js";
import { Reader } from "../engine/reader.js";
import type { RunOutcome } from "../engine/run.js";
import { renderResults } from "../report/results.js";
import { writeClaimFiles } from "./claim.js";
import type { MigrateInputs } from "./migrate.js";
import { CLAIMS_ARTIFACT, CLAIMS_RECORD, tokenAmount, type ClaimState, type Payout } from "./plan-claim.js";
import { tokenBalance } from "./token-balance.js";

export interface ClaimStatus {
  contract: string;
  funded: boolean;
  balance: string;
  claimed: string;
  needed: string;
  claimFiles: string;
}

export async function claimResults(
  ctx: EngineContext,
  outcome: RunOutcome<ClaimState>,
  inputs: MigrateInputs,
  payout: Payout,
): Promise<CommandResult> {
  const contract = outcome.report?.deployed[CLAIMS_RECORD];
  if (!outcome.report || !contract) return outcome.report ? { text: [renderResults(outcome.report)] } : {};
  const provider = ctx.conn.ethers.provider;
  const reader = new Reader(provider, new ContractCatalog(ctx.hre), await provider.getBlockNumber());
  const call = (fn: string) => reader.call({ to: contract, contract: CLAIMS_ARTIFACT, fn, args: [] });
  const [funded, claimed] = [(await call("funded")) === true, BigInt(String(await call("claimedTotal")))];
  const balance = await tokenBalance(reader, inputs.snapshot.collateralToken, contract);
  const dir = await writeClaimFiles(path.dirname(outcome.planFile), inputs.snapshot, contract, payout);
  const needed = BigInt(inputs.snapshot.totals.migrate) - claimed;
  const { decimals, symbol } = outcome.state;
  const show = (n: bigint) => tokenAmount(n, decimals, symbol);
  const status: ClaimStatus = {
    contract,
    funded,
    balance: balance.toString(),
    claimed: claimed.toString(),
    needed: needed.toString(),
    claimFiles: path.relative(ctx.hre.config.paths.root, dir),
  };
  const lines = [
    `claim contract ${contract} (${payout} payout): ${funded ? "funded" : "NOT FUNDED"}: holds ${show(balance)} for ${show(needed)} still claimable; claimed so far ${show(claimed)}`,
    ...(funded
      ? []
      : [
          `send ${show(needed - balance)} of ${inputs.snapshot.collateralToken} to ${contract}; until then claims fail and cutover:verify --funds-snapshot reports it unfunded`,
        ]),
    `claim files: ${status.claimFiles}/<address>.json (${inputs.snapshot.totals.migratedUsers} users)`,
  ];
  return { json: { claims: status }, text: [renderResults(outcome.report), ...lines] };
}
