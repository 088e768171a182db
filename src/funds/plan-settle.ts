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

/** The settlement role borrowed for the run (granted to the sender, renounced after), where the sender lacks it. */
function borrowedRole(
  state: SettleState,
  profile: Profile,
): { grant?: CallStep; renounce?: (after: string[]) => Step } {
  const { vault, sender, role } = state;
  if (!role || role.held) return {};
  const id = roleId(role.name);
  const { grant, renounce, hasRole } = profile.vault.roles;
  const held = (equals: boolean) => [{ read: viewCall(profile, hasRole, vault, [id, sender]), equals }];
  const step = (stepId: string, label: string, write: typeof grant, equals: boolean, after: string[]): CallStep => ({
    kind: "call",
    id: stepId,
    label,
    from: sender,
    dependsOn: after,
    writes: ["settle.roleHeld"],
    actions: [{ call: writeCall(profile, write, vault, [id, sender]), done: held(equals) }],
  });
  return {
    grant: {
      ...step(
        "grant-settlement-role",
        `grant ${role.name} to ${sender} on the old vault, for the settlement only`,
        grant,
        true,
        [],
      ),
      temporary: true,
    },
    renounce: (after) =>
      step("renounce-settlement-role", `${sender} renounces ${role.name} on the old vault`, renounce, false, after),
  };
}

export function planSettle(state: SettleState, profile: Profile, funds: FundsProfile): PlanBody {
  const { vault, sender } = state;
  const settled = funds.settled;
  const { grant, renounce } = borrowedRole(state, profile);
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
  // no read says a position was closed: a batch is done only by this run's journaled transaction (resolved by hash)
  const closes: Step[] = funds.settlePosition
    ? chunks(state.positions, state.batch).map((batch, i) => ({
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
      }))
    : [];
  const steps = [...(grant ? [grant] : []), ...settles, ...closes];
  if (renounce) steps.push(renounce(settles.map((s) => s.id)));
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

/** The price of each market (validated, or read), the sender and whether it holds the settlement role. */
async function observeSettle(
  reader: Reader,
  ctx: EngineContext,
  inputs: { snapshot: Snapshot; profile: Profile; settleAt: string },
  open: { markets: string[]; positions: SettleState["positions"] },
): Promise<{ facts: Record<string, string>; state: SettleState }> {
  const { snapshot, profile, settleAt } = inputs;
  const funds = fundsOf(profile);
  const vault = snapshot.vault;
  const call = (to: string, signature: string, args: unknown[]) =>
    reader.call({ to, contract: signature, fn: fnName(signature), args });
  const decimals = Number(await call(snapshot.collateralToken, profile.vault.collateralDecimals, []));
  const given = parseSettleAt(settleAt, decimals);
  if (funds.settlePosition && (await call(vault, profile.vault.pause.read, [])))
    throw new CutoverInputError(
      "--settle-at",
      settleAt,
      `the old vault ${vault} is paused, and profile ${profile.name} closes settled positions with ${fnName(funds.settlePosition.signature)}, which a paused vault refuses: run --mode withdraw-only first (it unpauses the vault and halts trading), then --settle-at`,
    );
  const senders = await adminSenders(
    reader,
    [{ key: "oldVault", address: vault, contract: profile.vault.roles.hasRole }],
    ctx.authority,
  );
  const sender = senders.oldVault;
  const roleName = funds.settle!.role;
  const held = roleName ? (await call(vault, profile.vault.roles.hasRole, [roleId(roleName), sender])) === true : true;
  const prices = await settlePrices(reader, profile, vault, open.markets, given);
  const facts = {
    oldVault: vault.toLowerCase(),
    sender: sender.toLowerCase(),
    "settle.roleHeld": String(held),
    ...Object.fromEntries(prices.map((m) => [`settle.price.${m.marketId}`, m.price])),
  };
  const batch = profile.vault.batching === "multicall" ? ctx.hre.config.cutover.redeploy.batchSize : 1;
  const role = roleName ? { name: roleName, held } : undefined;
  return { facts, state: { vault, markets: prices, positions: open.positions, sender, role, batch } };
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
  return {
    task: "corevault:migrate-funds --settle-at",
    // the price chosen is part of the run: another --settle-at is another run
    runKey: runKeys.fundsMigrate(`settle-${inputs.settleAt.replace(/[^0-9a-z.]/gi, "_")}`, vault, snapshot.merkle.root),
    observe: (reader) => observeSettle(reader, ctx, inputs, openPositions(snapshot)),
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
