// corevault:migrate-funds --mode claim (pure): deploy the claim contract (the snapshot's Merkle root), let it credit
// the new vault when it pays by credit, and fund it when a sender holds the tokens; the plan states the funding.
import { formatUnits, id as roleId, ZeroAddress } from "ethers";
import type { PlanBody } from "../engine/run.js";
import type { CallSpec, Ref, Step } from "../engine/types.js";
import { contractFor, viewCall, writeCall } from "../profile/interpret.js";
import type { Profile } from "../profile/schema.js";
import type { Snapshot } from "./snapshot.js";

export const CLAIMS_RECORD = "MigrationClaims";
export const CLAIMS_ARTIFACT = "MigrationClaims";
export type Payout = "token" | "credit";
export const PAYOUTS: Payout[] = ["token", "credit"];

export interface ClaimState {
  snapshot: Pick<Snapshot, "vault" | "block" | "merkle" | "totals" | "collateralToken">;
  newVault: string;
  payout: Payout;
  /** Deploys the claim contract. */
  deployer: string;
  /** Grants the claim contract the vault's creditor role (credit payout): the new vault's admin. */
  granter: string;
  /** Sends the claim contract its tokens: an account holding the migrated total, if any. */
  funder?: string;
  /** The external-credit function's selector (credit payout). */
  creditSelector: string;
  decimals: number;
  symbol: string;
}

const claims: Ref = { $ref: CLAIMS_RECORD };
const TRANSFER = "function transfer(address to, uint256 amount) returns (bool)";

/** The collateral amount with its decimals shown right, e.g. "1234.5 USDC (1234500000 units)". */
export function tokenAmount(amount: string | bigint, decimals: number, symbol: string): string {
  return `${formatUnits(amount, decimals)} ${symbol} (${amount} units)`;
}

/** The call that says whether the claim contract holds (or has paid) the whole migrated total. */
export const fundedRead = (): CallSpec => ({ to: claims, contract: CLAIMS_ARTIFACT, fn: "funded", args: [] });

export function planClaim(state: ClaimState, profile: Profile, funds = profile.vault.funds!): PlanBody {
  const { snapshot, newVault, payout } = state;
  const total = snapshot.totals.migrate;
  if (BigInt(total) === 0n) return { steps: [], notes: ["no user has anything to migrate: no claim contract"] };
  const role = roleId(funds.creditorRole);
  const deploy: Step = {
    kind: "deploy",
    id: `deploy:${CLAIMS_RECORD}`,
    label: `deploy the claim contract (root ${snapshot.merkle.root}, ${payout} payout)`,
    from: state.deployer,
    dependsOn: [],
    writes: [],
    record: CLAIMS_RECORD,
    contract: CLAIMS_ARTIFACT,
    args: [
      snapshot.collateralToken,
      snapshot.merkle.root,
      total,
      payout === "credit" ? newVault : ZeroAddress,
      payout === "credit" ? state.creditSelector : "0x00000000",
    ],
    libraries: {},
  };
  const steps: Step[] = [deploy];
  if (payout === "credit")
    steps.push({
      kind: "call",
      id: "grant-claims-creditor",
      label: `grant ${funds.creditorRole} to the claim contract on the new vault`,
      from: state.granter,
      dependsOn: [deploy.id],
      writes: [],
      actions: [
        {
          call: writeCall(profile, profile.vault.roles.grant, newVault, [role, claims]),
          done: [{ read: viewCall(profile, profile.vault.roles.hasRole, newVault, [role, claims]), equals: true }],
        },
      ],
    });
  if (state.funder)
    steps.push({
      kind: "call",
      id: "fund-claims",
      label: `send the claim contract ${tokenAmount(total, state.decimals, state.symbol)}`,
      from: state.funder,
      dependsOn: [deploy.id],
      // the funder's balance drops by the transfer
      writes: ["funder"],
      actions: [
        {
          call: {
            to: snapshot.collateralToken,
            contract: contractFor(profile, TRANSFER, "ERC20"),
            fn: "transfer",
            args: [claims, total],
          },
          done: [{ read: fundedRead(), equals: true }],
        },
      ],
    });
  return { steps, notes: claimNotes(state), labels: { [role]: funds.creditorRole } };
}

function claimNotes(state: ClaimState): string[] {
  const { snapshot, payout } = state;
  const t = snapshot.totals;
  const amount = tokenAmount(t.migrate, state.decimals, state.symbol);
  return [
    `${t.migratedUsers} users may each claim once what the snapshot of ${snapshot.vault} at block ${snapshot.block} migrates for them, ${amount} in total (Merkle root ${snapshot.merkle.root})`,
    payout === "token"
      ? `payout: the collateral token ${snapshot.collateralToken}, sent to the user's own address (anyone may submit a claim)`
      : `payout: credit on the new vault ${state.newVault} (its external credit); the claim contract sends the vault the tokens of each credit, and keeps the creditor role until an admin revokes it`,
    state.funder
      ? `funding: ${state.funder} sends the claim contract ${amount}`
      : `funding: NOT FUNDED by this plan (neither the signer nor the authority holds ${amount}): the treasury must send ${amount} of ${snapshot.collateralToken} to the claim contract; cutover:verify --funds-snapshot says unfunded until it does`,
    t.leftUsers > 0
      ? `${t.leftUsers} users with open positions or reserved margin keep ${t.leftOnOldVault} on the old vault and are not in the tree`
      : "no user of the snapshot holds an open position or reserved margin: every balance migrates",
    "claim files (address, amount, proof, contract, chain id) are written next to the run once the contract is deployed",
  ];
}
