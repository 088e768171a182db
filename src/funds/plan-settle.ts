// corevault:migrate-funds --settle-at mark|<price>: the markets where the snapshot's users hold positions settled on
// the old vault through the profile's settlement call, so those users' money becomes free and a new snapshot migrates
// them too. Its own run (plan, journal, done checks), before the migration.
import { id as roleId, parseUnits } from "ethers";
import type { EngineContext } from "../cli/engine-command.js";
import { adminSenders } from "../engine/authority.js";
import type { Reader } from "../engine/reader.js";
import type { PlanBody, Planner } from "../engine/run.js";
import { runKeys } from "../engine/run-key.js";
import type { CallStep, Step } from "../engine/types.js";
import { CutoverInputError } from "../errors.js";
import { fnName, viewCall, writeCall } from "../profile/interpret.js";
import type { FundsProfile, Profile } from "../profile/schema.js";
import { chunks } from "../util/chunks.js";
import type { Snapshot } from "./snapshot.js";
import { fundsOf } from "./take-snapshot.js";

export interface SettleState {
  vault: string;
  /** Each market with open positions in the snapshot, with its settlement price (collateral units). */
  markets: { marketId: string; price: string }[];
  /** Open positions, closed one by one where settling a market does not close them (the profile's settlePosition). */
  positions: { user: string; marketId: string }[];
  sender: string;
  /** The role the settlement call needs, and whether the sender held it before the run. */
  role?: { name: string; held: boolean };
  /** Position closes per transaction (one multicall where the vault batches). */
  batch: number;
}

/** --settle-at: "mark", or one price (a positive decimal with at most the collateral's decimals) for every market. */
export function parseSettleAt(input: string, decimals: number): "mark" | bigint {
  if (input === "mark") return "mark";
  const match = /^\d+(\.(\d+))?$/.exec(input);
  const fix = `give "mark" (each market's mark price) or a positive price with at most ${decimals} decimals, e.g. --settle-at 101.5`;
  if (!match || (match[2]?.length ?? 0) > decimals) throw new CutoverInputError("--settle-at", input, fix);
  const price = parseUnits(input, decimals);
  if (price <= 0n) throw new CutoverInputError("--settle-at", input, fix);
  return price;
}

/** The markets where the snapshot's users hold open positions, and those positions. */
export function openPositions(snapshot: Snapshot): { markets: string[]; positions: SettleState["positions"] } {
  const positions = snapshot.users.flatMap((u) =>
    u.positions.filter((p) => BigInt(p.size) !== 0n).map((p) => ({ user: u.address, marketId: p.marketId })),
  );
  return { markets: [...new Set(positions.map((p) => p.marketId))].sort(), positions };
}

export function planSettle(state: SettleState, profile: Profile, funds: FundsProfile): PlanBody {
  const { vault, sender, role } = state;
  const settled = funds.settled;
  const steps: Step[] = [];
  const borrow = role && !role.held ? role.name : undefined;
  const roleHeld = (equals: boolean) => [
    { read: viewCall(profile, profile.vault.roles.hasRole, vault, [roleId(borrow ?? ""), sender]), equals },
  ];
  const grant: CallStep | undefined = borrow
    ? {
        kind: "call",
        id: "grant-settlement-role",
        label: `grant ${borrow} to ${sender} on the old vault, for the settlement only`,
        from: sender,
        dependsOn: [],
        writes: ["settle.roleHeld"],
        temporary: true,
        actions: [
          {
            call: writeCall(profile, profile.vault.roles.grant, vault, [roleId(borrow), sender]),
            done: roleHeld(true),
          },
        ],
      }
    : undefined;
  if (grant) steps.push(grant);
  const settles: Step[] = state.markets.map((m) => ({
    kind: "call",
    id: `settle:${m.marketId}`,
    label: `settle market ${m.marketId} at ${m.price}`,
    from: sender,
    dependsOn: grant ? [grant.id] : [],
    writes: [],
    actions: [
      {
        call: writeCall(profile, funds.settle!, vault, [m.marketId, m.price]),
        // without a settled read, done only by this run's journaled transaction
        done: settled ? [{ read: viewCall(profile, settled, vault, [m.marketId]), equals: true }] : [],
      },
    ],
  }));
  steps.push(...settles);
  // closing a settled position twice closes nothing: done by this run's journaled transaction
  if (funds.settlePosition)
    for (const [i, batch] of chunks(state.positions, state.batch).entries())
      steps.push({
        kind: "call",
        id: `settle-positions:${i}`,
        label: `close ${batch.length} settled position${batch.length > 1 ? "s" : ""} (${batch[0].user}…)`,
        from: sender,
        dependsOn: settles.map((s) => s.id),
        writes: [],
        actions: batch.map((p) => ({
          call: writeCall(profile, funds.settlePosition!, vault, [p.user, p.marketId]),
          done: [],
        })),
      });
  if (grant)
    steps.push({
      kind: "call",
      id: "renounce-settlement-role",
      label: `${sender} renounces ${borrow} on the old vault`,
      from: sender,
      dependsOn: settles.map((s) => s.id),
      writes: ["settle.roleHeld"],
      actions: [
        {
          call: writeCall(profile, profile.vault.roles.renounce, vault, [roleId(borrow!), sender]),
          done: roleHeld(false),
        },
      ],
    });
  return { steps, notes: settleNotes(state), labels: {} };
}

function settleNotes(state: SettleState): string[] {
  return [
    `settles ${state.markets.length} markets on the old vault ${state.vault} where the snapshot's users hold ${state.positions.length} open positions: ${state.markets.map((m) => `${m.marketId} at ${m.price}`).join(", ")}`,
    "their position margin becomes free (margin held by resting orders stays until their owners cancel them): take a new snapshot (corevault:snapshot) once this run is complete and migrate with it, so those users are migrated too; the snapshot given here leaves them on the old vault",
  ];
}

async function settlePrices(
  reader: Reader,
  profile: Profile,
  vault: string,
  markets: string[],
  given: "mark" | bigint,
): Promise<SettleState["markets"]> {
  if (given !== "mark") return markets.map((marketId) => ({ marketId, price: given.toString() }));
  const read = profile.trading.markPrice.read;
  const prices = await Promise.all(
    markets.map((m) => reader.call({ to: vault, contract: read, fn: fnName(read), args: [m] })),
  );
  return markets.map((marketId, i) => ({ marketId, price: String(prices[i]) }));
}

export async function settlePlanner(
  ctx: EngineContext,
  inputs: { snapshot: Snapshot; profile: Profile; settleAt: string },
): Promise<Planner<SettleState>> {
  const { snapshot, profile } = inputs;
  const funds = fundsOf(profile);
  if (!funds.settle)
    throw new CutoverInputError(
      "--settle-at",
      inputs.settleAt,
      `profile ${profile.name} declares no settlement call (cutover.protocol.vault.funds.settle): add it, or leave --settle-at out`,
    );
  const vault = snapshot.vault;
  const { markets, positions } = openPositions(snapshot);
  return {
    task: "corevault:migrate-funds --settle-at",
    // the price chosen is part of the run: another --settle-at is another run
    runKey: runKeys.fundsMigrate(`settle-${inputs.settleAt.replace(/[^0-9a-z.]/gi, "_")}`, vault, snapshot.merkle.root),
    async observe(reader) {
      const decimalsRead = profile.vault.collateralDecimals;
      const decimals = Number(
        await reader.call({ to: snapshot.collateralToken, contract: decimalsRead, fn: fnName(decimalsRead), args: [] }),
      );
      const given = parseSettleAt(inputs.settleAt, decimals);
      const pause = profile.vault.pause.read;
      if (funds.settlePosition && (await reader.call({ to: vault, contract: pause, fn: fnName(pause), args: [] })))
        throw new CutoverInputError(
          "--settle-at",
          inputs.settleAt,
          `the old vault ${vault} is paused, and profile ${profile.name} closes settled positions with ${fnName(funds.settlePosition.signature)}, which a paused vault refuses: run --mode withdraw-only first (it unpauses the vault and halts trading), then --settle-at`,
        );
      const senders = await adminSenders(
        reader,
        [{ key: "oldVault", address: vault, contract: profile.vault.roles.hasRole }],
        ctx.authority,
      );
      const sender = senders.oldVault;
      const roleName = funds.settle!.role;
      const hasRole = profile.vault.roles.hasRole;
      const held = roleName
        ? (await reader.call({
            to: vault,
            contract: hasRole,
            fn: fnName(hasRole),
            args: [roleId(roleName), sender],
          })) === true
        : true;
      const prices = await settlePrices(reader, profile, vault, markets, given);
      const facts = {
        oldVault: vault.toLowerCase(),
        sender: sender.toLowerCase(),
        "settle.roleHeld": String(held),
        ...Object.fromEntries(prices.map((m) => [`settle.price.${m.marketId}`, m.price])),
      };
      const batch = profile.vault.batching === "multicall" ? ctx.hre.config.cutover.redeploy.batchSize : 1;
      const role = roleName ? { name: roleName, held } : undefined;
      return { facts, state: { vault, markets: prices, positions, sender, role, batch } };
    },
    // the run's own grant changes whether the sender holds the role: a rerun plans from what the run started with
    planFromStoredFacts: true,
    plan: (state, facts) =>
      planSettle(
        {
          ...state,
          role: state.role && { ...state.role, held: facts["settle.roleHeld"] === "true" },
          markets: state.markets.map((m) => ({ ...m, price: facts[`settle.price.${m.marketId}`] ?? m.price })),
        },
        profile,
        funds,
      ),
  };
}
