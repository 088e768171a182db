// orderbook:rewire --strategy redeploy: each market whose OrderBook points elsewhere gets a new OrderBook on the new
// vault, created the way the profile says OrderBooks are created (`factory.createOrderBook`).
//
// Only the constructor + init path can do this. A factory call creates a market: on dexetra-v5,
// createFuturesMarketDiamond derives a NEW market id from msg.sender, block.timestamp and block.number, and registers it
// on the factory's own (immutable) vault. So the new OrderBook is the protocol's Diamond, deployed by an ordinary engine
// deploy step (its address comes from the receipt), with the SAME facets (the old book's loupe) and owner (the old
// book's) as the market's current OrderBook, initialized with the new vault, the SAME market id and the values the
// profile keeps from the old book (dexetra-v5: its fee recipient, market storage word 2). The init contract is the old
// book's facet serving the init function (its loupe), else the profile's `initContract` (records, factory getter,
// config). On the new vault the new book is registered, assigned its market and granted ORDERBOOK_ROLE; the old book
// loses ORDERBOOK_ROLE there and is deregistered where the profile has a deregister write. The old vault is not touched
// (`corevault:redeploy --halt-old` is what stops trading there); open orders stay on the old books.
import { getAddress, id, Interface, type FunctionFragment } from "ethers";
import type { ContractCatalog } from "../engine/contracts.js";
import type { Reader } from "../engine/reader.js";
import type { CallAction, Plan, Ref, Step, Value } from "../engine/types.js";
import { CutoverInputError } from "../errors.js";
import { fnName, readSources, viewCall, writeCall } from "../profile/interpret.js";
import type { SystemRecord } from "../records/records.js";
import type { CreateOrderBook, Profile, ReadSource } from "../profile/schema.js";
import type { OrderBookState, RewirePart } from "./rewire.js";

const KEY = "cutover.protocol.factory.createOrderBook";
const FACTORY_ROLE = id("FACTORY_ROLE");
const ORDERBOOK_ROLE = id("ORDERBOOK_ROLE");
/** The fact of whether the signer held FACTORY_ROLE on the new vault when the run was planned (its grant writes it). */
export const SIGNER_FACTORY_ROLE = "newVault.signer.FACTORY_ROLE";

type ConstructorPath = Extract<CreateOrderBook, { constructorArtifact: string }>;

/** What creating each market's new OrderBook needs, read before anything is sent. */
export interface Creation {
  artifact: string;
  /** The init function's signature. */
  init: string;
  /** Old OrderBook (lowercase) -> the init contract and the init call's arguments (the new vault as "$vault"). */
  books: Record<string, { initContract: string; initArgs: Value[] }>;
}

/** The profile's constructor + init path; a factory call (or none) is an input error saying why, before anything is sent. */
export function constructorPath(profile: Profile): ConstructorPath {
  const create = profile.factory.createOrderBook;
  if (create && "constructorArtifact" in create) return create;
  throw new CutoverInputError(
    `${KEY} (profile ${profile.name})`,
    create ? create.factoryCall : "(none)",
    `--strategy redeploy needs a constructor + init path: ${create?.why ?? "a factory call creates a market (its own market id, registered on the factory's vault), it does not give an existing market a new OrderBook"}. Give ${KEY} as { constructorArtifact, init, initArgs, initContract, keep }, or use --strategy cut`,
  );
}

function initFragment(create: ConstructorPath): FunctionFragment {
  return new Interface([create.init]).getFunction(fnName(create.init))!;
}

/** The init call's arguments for one book: tokens of `initArgs` resolved, "$vault" kept for the plan to fill. */
function initArgsOf(create: ConstructorPath, book: OrderBookState, kept: Record<string, string>): Value[] {
  return create.initArgs.map((token) => {
    if (token === "$vault") return "$vault";
    if (token === "$marketId") return book.marketId;
    if (token.startsWith("$keep.")) return kept[token.slice(6)];
    return token;
  });
}

/** Refuses initArgs that do not fit the init function, or name a kept value the profile does not read. */
function checkInitArgs(create: ConstructorPath): void {
  const fragment = initFragment(create);
  const bad =
    create.initArgs.length !== fragment.inputs.length
      ? `${create.init} takes ${fragment.inputs.length} argument(s), initArgs gives ${create.initArgs.length}`
      : create.initArgs
          .filter((t) => t.startsWith("$keep.") && !create.keep?.[t.slice(6)])
          .map((t) => `${t} is not read by ${KEY}.keep`)[0];
  if (bad) throw new CutoverInputError(`${KEY}.initArgs`, create.initArgs.join(","), `${bad}; correct the config`);
}

async function readOrRefuse(
  reader: Reader,
  sources: ReadSource | ReadSource[],
  ctx: { target: string; records?: Record<string, string>; address: boolean },
  key: string,
): Promise<string> {
  const outcome = await readSources(reader, sources, ctx);
  if ("value" in outcome) return String(outcome.value);
  throw new CutoverInputError(
    key,
    ctx.target,
    outcome.missing.length > 0
      ? `the chain does not reveal it here; supply it with ${outcome.missing.join(" or ")}`
      : `none of its reads answered (at ${ctx.target}); override ${key}`,
  );
}

/**
 * Reads what the new OrderBooks are created with: the artifact (the project's own), each old book's init contract and
 * kept values. Any fact missing is an input error naming its config key.
 */
export async function observeCreation(
  reader: Reader,
  profile: Profile,
  fleet: OrderBookState[],
  catalog: ContractCatalog,
  context: { records?: Record<string, string>; factory?: string },
): Promise<Creation> {
  const create = constructorPath(profile);
  await catalog.projectArtifact(create.constructorArtifact, `${KEY}.constructorArtifact`);
  checkInitArgs(create);
  const fragment = initFragment(create);
  const addressParam = new Map(create.initArgs.map((t, i) => [t, fragment.inputs[i].type === "address"]));
  // view calls of initContract go to the factory: without one, only records and config can supply it
  const initSources = [create.initContract].flat().filter((s) => !("call" in s) || context.factory !== undefined);
  let fallbackInit: string | undefined;
  const books: Creation["books"] = {};
  for (const book of fleet) {
    const serving = book.facets.find((f) => f.functionSelectors.includes(fragment.selector));
    const initContract =
      serving?.facetAddress ??
      (fallbackInit ??= await readOrRefuse(
        reader,
        initSources,
        { target: context.factory ?? book.address, records: context.records, address: true },
        `${KEY}.initContract (profile ${profile.name})`,
      ));
    const kept: Record<string, string> = {};
    for (const [name, sources] of Object.entries(create.keep ?? {}))
      kept[name] = await readOrRefuse(
        reader,
        sources,
        { target: book.address, records: context.records, address: addressParam.get(`$keep.${name}`) ?? false },
        `${KEY}.keep.${name} (profile ${profile.name})`,
      );
    books[book.address.toLowerCase()] = { initContract, initArgs: initArgsOf(create, book, kept) };
  }
  return { artifact: create.constructorArtifact, init: create.init, books };
}

export interface RedeployBooksInputs {
  fleet: OrderBookState[];
  newVault: string;
  signer: string;
  profile: Profile;
  creation: Creation;
  /** The signer already holds FACTORY_ROLE on the new vault. */
  signerHasFactoryRole: boolean;
  /** The role administering ORDERBOOK_ROLE on the new vault (FACTORY_ROLE on the reference mock). */
  orderBookRoleAdmin: string;
}

/** For each book on another vault: its new OrderBook deployed, then registered in its place on the new vault. */
export function planRedeployBooks(inputs: RedeployBooksInputs): RewirePart {
  const { signer, newVault, profile } = inputs;
  const v = profile.vault;
  const needsFactoryRole =
    inputs.orderBookRoleAdmin === FACTORY_ROLE ||
    [v.orderBooks.register.role, v.markets.assign.role, v.orderBooks.deregister?.role].includes("FACTORY_ROLE");
  const temporary = needsFactoryRole && !inputs.signerHasFactoryRole;
  const part: RewirePart = {
    steps: [],
    stepOf: {},
    refusals: [],
    labels: { [FACTORY_ROLE]: "FACTORY_ROLE", [ORDERBOOK_ROLE]: "ORDERBOOK_ROLE" },
  };
  for (const book of inputs.fleet) {
    if (book.vault.toLowerCase() === newVault.toLowerCase()) continue;
    const steps = replaceBookSteps(book, inputs, temporary ? ["grant:temporary-factory-role"] : []);
    part.steps.push(...steps);
    part.stepOf[book.address] = steps.at(-1)!.id;
    part.labels[book.marketId.toLowerCase()] = book.symbol;
  }
  const last = Object.values(part.stepOf);
  if (last.length === 0) return { ...part, steps: [] };
  if (!temporary) return part;
  const factoryRole = (fn: "grant" | "renounce", holds: boolean): CallAction => ({
    call: writeCall(profile, v.roles[fn], newVault, [FACTORY_ROLE, signer]),
    done: [{ read: viewCall(profile, v.roles.hasRole, newVault, [FACTORY_ROLE, signer]), equals: holds }],
  });
  const role = (stepId: string, label: string, fn: "grant" | "renounce", dependsOn: string[]): Step => ({
    id: stepId,
    kind: "call",
    label,
    from: signer,
    dependsOn,
    writes: fn === "grant" ? [SIGNER_FACTORY_ROLE] : [],
    ...(fn === "grant" ? { temporary: true } : {}),
    actions: [factoryRole(fn, fn === "grant")],
  });
  const registering = part.steps.filter((s) => s.kind === "call").map((s) => s.id);
  part.steps.unshift(
    role("grant:temporary-factory-role", "grant the signer FACTORY_ROLE for the registrations", "grant", []),
  );
  part.steps.push(
    role("renounce:factory-role", "renounce the signer's temporary FACTORY_ROLE", "renounce", registering),
  );
  return part;
}

/** One book's deploy, then its calls on the new vault: one step (multicall), or one step per call in order. */
function replaceBookSteps(book: OrderBookState, inputs: RedeployBooksInputs, after: string[]): Step[] {
  const { profile, newVault, signer, creation } = inputs;
  const v = profile.vault;
  const key = book.address.toLowerCase();
  const record = `OrderBook_${book.symbol}`;
  const fresh: Ref = { $ref: record };
  const { initContract, initArgs } = creation.books[key];
  const cut = book.facets.map((f) => ({
    facetAddress: f.facetAddress,
    action: 0,
    functionSelectors: [...f.functionSelectors],
  }));
  const args = initArgs.map((a) => (a === "$vault" ? newVault : a));
  const initCalldata: Value = { $encode: { contract: creation.init, fn: fnName(creation.init), args } };
  const deploy: Step = {
    id: `redeploy:${key}`,
    kind: "deploy",
    label: `deploy a new ${book.symbol} OrderBook on the new vault`,
    from: signer,
    dependsOn: [],
    writes: [],
    record,
    contract: creation.artifact,
    args: [book.owner, cut, initContract, initCalldata],
    libraries: {},
  };
  const view = (sig: string, a: Value[]) => viewCall(profile, sig, newVault, a);
  const hasRole = (account: Value) => view(v.roles.hasRole, [ORDERBOOK_ROLE, account]);
  const actions: [string, CallAction][] = [
    [
      "register",
      {
        call: writeCall(profile, v.orderBooks.register, newVault, [fresh]),
        done: [{ read: view(v.orderBooks.isRegistered, [fresh]), equals: true }],
      },
    ],
    [
      "assign",
      {
        call: writeCall(profile, v.markets.assign, newVault, [book.marketId, fresh]),
        done: [{ read: view(v.markets.orderBookOf, [book.marketId]), equals: fresh }],
      },
    ],
    [
      "grant",
      {
        call: writeCall(profile, v.roles.grant, newVault, [ORDERBOOK_ROLE, fresh]),
        done: [{ read: hasRole(fresh), equals: true }],
      },
    ],
    [
      "revoke",
      {
        call: writeCall(profile, v.roles.revoke, newVault, [ORDERBOOK_ROLE, book.address]),
        done: [{ read: hasRole(book.address), equals: false }],
      },
    ],
  ];
  if (v.orderBooks.deregister)
    actions.push([
      "deregister",
      {
        call: writeCall(profile, v.orderBooks.deregister, newVault, [book.address]),
        done: [{ read: view(v.orderBooks.isRegistered, [book.address]), equals: false }],
      },
    ]);
  // the old book's facts go once it is retired (deregistered, it is no longer found on the new vault)
  const retired = [`orderBook.${key}.vault`, `orderBook.${key}.owner`, `orderBook.${key}.facets`];
  const base = { kind: "call" as const, from: signer };
  if (v.batching === "multicall")
    return [
      deploy,
      {
        ...base,
        id: `register:${key}`,
        label: `register the new ${book.symbol} OrderBook on the new vault, retire the old one`,
        dependsOn: [deploy.id, ...after],
        writes: retired,
        actions: actions.map(([, a]) => a),
      },
    ];
  // Without multicall, one transaction per call. The old book is retired once its market points at the new one, and
  // deregistered last: a deregistered book (no longer found on the new vault) has nothing left to do.
  const labels: Record<string, string> = {
    register: `register the new ${book.symbol} OrderBook on the new vault`,
    assign: `assign ${book.symbol} to its new OrderBook on the new vault`,
    grant: `grant ORDERBOOK_ROLE to the new ${book.symbol} OrderBook`,
    revoke: `revoke ORDERBOOK_ROLE from the old ${book.symbol} OrderBook on the new vault`,
    deregister: `deregister the old ${book.symbol} OrderBook from the new vault`,
  };
  const steps: Step[] = actions.map(([verb, action], i) => ({
    ...base,
    id: `${verb}:${key}`,
    label: labels[verb],
    dependsOn: i < 3 ? [deploy.id, ...after] : [i === 3 ? `assign:${key}` : `revoke:${key}`],
    writes: i < 3 ? [] : retired,
    actions: [action],
  }));
  return [deploy, ...steps];
}

/** The markets a plan gives a new OrderBook: the old book, its market, and the record the new one is deployed as. */
export function replacedOrderBooks(
  plan: Plan,
  profile: Profile,
): { orderBook: string; marketId: string; symbol: string; record: string }[] {
  const assign = fnName(profile.vault.markets.assign.signature);
  return plan.steps.flatMap((step) => {
    if (step.kind !== "deploy" || !step.id.startsWith("redeploy:")) return [];
    const key = step.id.slice("redeploy:".length);
    const call = plan.steps
      .filter((s) => s.kind === "call" && s.id.endsWith(`:${key}`))
      .flatMap((s) => (s.kind === "call" ? s.actions : []))
      .find((a) => a.call.fn === assign)?.call;
    if (!call) return [];
    const symbol = step.record.slice("OrderBook_".length);
    return [{ orderBook: getAddress(key), marketId: String(call.args[0]), symbol, record: step.record }];
  });
}

/** What a redeploy of OrderBooks leaves as it was: open orders, and the old books on the old vault. */
export function redeployNotes(moved: number, profile: Profile): string[] {
  if (moved === 0) return [];
  return [
    `Open orders stay on the old OrderBooks of the ${moved} redeployed market(s): they are not moved. Traders cancel them there and place them again on the new books.`,
    `The old OrderBooks are left as they are on the old vault (corevault:redeploy --halt-old takes their ORDERBOOK_ROLE there); on the new vault each loses ORDERBOOK_ROLE${profile.vault.orderBooks.deregister ? " and is deregistered" : " (the profile has no deregister write: it stays registered there)"}.`,
  ];
}

/** A market an earlier run gave a new OrderBook, as the report shows it. */
export interface ReplacedRow {
  symbol: string;
  orderBook: string;
  owner: string;
  status: "already done";
  replacedBy: string;
}

/**
 * OrderBooks an earlier redeploy replaced (the records' supersededOrderBooks) whose market the vault maps to their
 * replacement, and which are no longer found on the vault (deregistered): reported "already done", not planned.
 */
export async function replacedEarlier(
  reader: Reader,
  vault: string,
  records: SystemRecord | undefined,
  fleet: OrderBookState[],
  profile: Profile,
): Promise<ReplacedRow[]> {
  const inFleet = new Set(fleet.map((b) => b.address.toLowerCase()));
  const entries = (records?.supersededOrderBooks ?? []).filter((e) => !inFleet.has(e.orderBook.toLowerCase()));
  const orderBookOf = profile.vault.markets.orderBookOf;
  const mapped = await reader.tryCallMany(
    entries.map((e) => ({ to: vault, contract: orderBookOf, fn: fnName(orderBookOf), args: [e.marketId] })),
  );
  const rows: ReplacedRow[] = [];
  for (const [i, e] of entries.entries()) {
    if (typeof mapped[i] !== "string" || (mapped[i] as string).toLowerCase() !== e.replacedBy.toLowerCase()) continue;
    const owner = await readSources(reader, profile.ownership.orderBook.owner, { target: e.orderBook, address: true });
    const status = "already done" as const;
    const ownerOf = "value" in owner ? String(owner.value) : "";
    rows.push({
      symbol: e.symbol,
      orderBook: getAddress(e.orderBook),
      owner: ownerOf,
      status,
      replacedBy: e.replacedBy,
    });
  }
  return rows;
}
