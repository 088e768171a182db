// corevault:migrate-funds --mode claim: the planner (who deploys, grants, funds), the per-user claim files, and where
// a snapshot's claim contract is (its run's journal) with its Claimed events, for cutover:verify.
import path from "node:path";
import { getAddress, id as topicId, Interface, ZeroHash } from "ethers";
import type { EngineContext } from "../cli/engine-command.js";
import type { Reader } from "../engine/reader.js";
import type { Planner } from "../engine/run.js";
import { RunStore } from "../engine/run-store.js";
import { runKeys } from "../engine/run-key.js";
import { senderFor } from "../engine/authority.js";
import { CutoverInputError } from "../errors.js";
import { fnName } from "../profile/interpret.js";
import type { Profile } from "../profile/schema.js";
import { writeAtomically } from "../util/fs.js";
import { toJson } from "../util/json.js";
import type { MigrateInputs } from "./migrate.js";
import { CLAIM_FILES_DIR, refuseOtherMigrations } from "./other-runs.js";
import { CLAIMS_RECORD, planClaim, type ClaimState, type Payout, PAYOUTS } from "./plan-claim.js";
import type { Snapshot } from "./snapshot.js";
import { fundsOf } from "./take-snapshot.js";
import { tokenBalance } from "./token-balance.js";

const SYMBOL = "function symbol() view returns (string)";

export function parsePayout(given: string): Payout {
  if ((PAYOUTS as string[]).includes(given)) return given as Payout;
  throw new CutoverInputError(
    "--payout",
    given,
    "give --payout token (each claim sends the collateral token to the user) or --payout credit (each claim credits the user on the new vault)",
  );
}

/** The selector of the profile's external credit, which the claim contract calls as (address user, uint256 amount). */
export function creditSelector(profile: Profile): string {
  const write = fundsOf(profile).creditWrite;
  const fragment = new Interface([write.signature]).getFunction(fnName(write.signature))!;
  const types = fragment.inputs.map((p) => p.type).join(",");
  const plain = write.args === undefined || write.args.join(",") === "$0,$1";
  if (types !== "address,uint256" || !plain)
    throw new CutoverInputError(
      "--payout",
      "credit",
      `profile ${profile.name}'s external credit is ${write.signature}${plain ? "" : ` with arguments ${write.args!.join(", ")}`}: the claim contract credits with (address user, uint256 amount) only; use --payout token`,
    );
  return fragment.selector;
}

export const claimRunKey = (payout: Payout, newVault: string, root: string) =>
  runKeys.fundsMigrate(`claim-${payout}`, newVault, root);

/** Who can fund `total`: the chosen authority (a treasury Safe) when it holds it, else the signer when it does. */
async function findFunder(reader: Reader, token: string, total: bigint, ctx: EngineContext): Promise<string> {
  const { chosen, signer } = ctx.authority;
  const holds = async (account: string) => (await tokenBalance(reader, token, account)) >= total;
  if (chosen && (await holds(chosen))) return chosen;
  return (await holds(signer)) ? signer : "none";
}

export async function claimPlanner(
  ctx: EngineContext,
  inputs: MigrateInputs,
  payout: Payout,
): Promise<Planner<ClaimState>> {
  const { profile, snapshot, newVault } = inputs;
  fundsOf(profile); // refuses a profile without funds entries, before anything is read
  const selector = payout === "credit" ? creditSelector(profile) : "0x00000000";
  const token = snapshot.collateralToken;
  const runKey = claimRunKey(payout, newVault, snapshot.merkle.root);
  return {
    task: "corevault:migrate-funds",
    runKey,
    async observe(reader) {
      const hasRole = profile.vault.roles.hasRole;
      const chosen = ctx.authority.chosen;
      const adminHolds = chosen
        ? (await reader.call({ to: newVault, contract: hasRole, fn: fnName(hasRole), args: [ZeroHash, chosen] })) ===
          true
        : false;
      const granter = senderFor(ctx.authority, () => adminHolds);
      const decimals = Number(
        await reader.call({ to: token, contract: profile.vault.collateralDecimals, fn: "decimals", args: [] }),
      );
      const symbol = String((await reader.tryCall({ to: token, contract: SYMBOL, fn: "symbol", args: [] })) ?? "");
      const funder = await findFunder(reader, token, BigInt(snapshot.totals.migrate), ctx);
      const facts = { newVault, snapshotRoot: snapshot.merkle.root, payout, token, granter, funder };
      const state: ClaimState = {
        snapshot,
        newVault,
        payout,
        deployer: ctx.signer,
        granter,
        funder: funder === "none" ? undefined : funder,
        creditSelector: selector,
        decimals,
        symbol: symbol || "tokens",
      };
      return { facts, state };
    },
    async preflight(_plan, _reader, pending) {
      if (!pending.some((s) => s.kind === "deploy")) return;
      const where = { root: ctx.hre.config.paths.root, network: ctx.conn.networkName, runKey };
      refuseOtherMigrations(where, snapshot, inputs.snapshotFile);
    },
    // funding changes who holds the tokens: a rerun plans from what the run started with
    planFromStoredFacts: true,
    plan: (state, facts) =>
      planClaim({ ...state, funder: facts.funder === "none" ? undefined : facts.funder }, profile),
  };
}

export interface ClaimFile {
  address: string;
  amount: string;
  proof: string[];
  contract: string;
  chainId: number;
  merkleRoot: string;
  token: string;
  payout: Payout;
  call: string;
}

/** One file per migrated user, <dir>/claims/<address>.json: all a user (or a relayer) needs to claim. */
export async function writeClaimFiles(
  dir: string,
  snapshot: Snapshot,
  contract: string,
  payout: Payout,
): Promise<string> {
  const out = path.join(dir, CLAIM_FILES_DIR);
  for (const user of snapshot.users.filter((u) => u.proof)) {
    const file: ClaimFile = {
      address: user.address,
      amount: user.migrate,
      proof: user.proof!,
      contract,
      chainId: snapshot.chainId,
      merkleRoot: snapshot.merkle.root,
      token: snapshot.collateralToken,
      payout,
      call: "claim(address user, uint256 amount, bytes32[] proof)",
    };
    await writeAtomically(path.join(out, `${user.address}.json`), toJson(file));
  }
  return out;
}

/**
 * The claim contract a run of this snapshot onto `newVault` deployed, its payout and its deployment block, from the
 * run's journal (its receipt was checked against the chain when the run resumed).
 */
export function findClaimContract(
  root: string,
  network: string,
  newVault: string,
  snapshot: Snapshot,
): { address: string; payout: Payout; fromBlock: number } | undefined {
  for (const payout of PAYOUTS) {
    const store = new RunStore(root, network, claimRunKey(payout, newVault, snapshot.merkle.root));
    const receipt = store.loadPlan() && store.confirmedReceipts().get(`deploy:${CLAIMS_RECORD}`);
    if (receipt?.contractAddress) return { address: receipt.contractAddress, payout, fromBlock: receipt.blockNumber };
  }
  return undefined;
}

const CLAIMED = new Interface(["event Claimed(address indexed user, uint256 amount, address indexed submitter)"]);

/** The claim contract's Claimed events since `fromBlock`, in order. */
export async function claimEvents(
  reader: Reader,
  contract: string,
  fromBlock: number,
  logChunk: number,
): Promise<{ user: string; amount: bigint; hash: string }[]> {
  const out: { user: string; amount: bigint; hash: string }[] = [];
  const topic = topicId("Claimed(address,uint256,address)");
  for (let from = fromBlock; from <= reader.block; from += logChunk) {
    const to = Math.min(from + logChunk - 1, reader.block);
    const logs = await reader.provider.getLogs({ address: contract, topics: [topic], fromBlock: from, toBlock: to });
    for (const log of logs) {
      const args = CLAIMED.parseLog({ topics: [...log.topics], data: log.data })!.args;
      out.push({ user: getAddress(args[0] as string), amount: BigInt(args[1]), hash: log.transactionHash });
    }
  }
  return out;
}
