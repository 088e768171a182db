import { z } from "zod";

/**
 * A protocol profile: how one protocol is read and written. Every concept a task touches says where its value comes
 * from (a view call given by its human-readable signature, an event scan, a storage slot, the records, a value given
 * in config, or nowhere: then the key that supplies it is named) and which function writes it.
 */

const fnSig = z
  .string()
  .regex(
    /^function \w+\(.*\)/,
    'Expected a human-readable function signature, e.g. "function vault() view returns (address)"',
  );
const eventSig = z
  .string()
  .regex(
    /^event \w+\(.*\)$/,
    'Expected a human-readable event signature, e.g. "event RoleGranted(bytes32 indexed role, …)"',
  );

/** One source of a value. A concept lists its sources in the order they are tried. */
export const readSourceSchema = z.union([
  /** A view call on the concept's contract; `pick` takes one output of several (e.g. marketStatic()'s vault). */
  z.object({ call: fnSig, pick: z.number().int().min(0).optional() }).strict(),
  /** A storage word: `slot` is a 0x word or `keccak256:<text>` (a namespaced storage root), plus `word` words. */
  z
    .object({
      slot: z.string().regex(/^(0x[0-9a-fA-F]{1,64}|keccak256:.+)$/, 'Expected a 0x slot or "keccak256:<namespace>"'),
      word: z.number().int().min(0).optional(),
    })
    .strict(),
  /** A key of `contracts` in deployments/<network>-deployment.json. */
  z.object({ record: z.string().min(1) }).strict(),
  /** The value itself, given in config (for a fact the chain does not reveal). */
  z.object({ value: z.string().min(1) }).strict(),
  /** Not readable: the fact must be supplied; `supply` names the config key or flag that does it. */
  z.object({ supply: z.string().min(1) }).strict(),
]);
export type ReadSource = z.infer<typeof readSourceSchema>;

const readSchema = z.union([readSourceSchema, z.array(readSourceSchema).min(1)]);

/** A write: the function and its arguments: "$0", "$1"… are the task's values, "$keep.<name>" a value read before. */
export const writeSchema = z
  .object({ signature: fnSig, args: z.array(z.string()).optional(), role: z.string().optional() })
  .strict();
export type WriteSpec = z.infer<typeof writeSchema>;

/** Logs that name OrderBooks and/or markets; `where` filters indexed topics by value (`keccak256:<text>` allowed). */
export const eventScanSchema = z
  .object({
    on: z.enum(["vault", "factory"]),
    event: eventSig,
    orderBook: z.string().optional(),
    marketId: z.string().optional(),
    /** The argument naming the market's symbol (labels and record names where the records do not list markets). */
    symbol: z.string().optional(),
    where: z.record(z.string(), z.string()).optional(),
  })
  .strict();
export type EventScan = z.infer<typeof eventScanSchema>;

const boundValue = z.union([z.number().int().min(0), z.string().min(1)]);
const boundSchema = z
  .object({ min: boundValue.optional(), max: boundValue.optional(), why: z.string().optional() })
  .strict();

/**
 * Users' money on the vault: how users are enumerated (a public array probed index by index until it reverts, or event
 * scans naming them), per-user reads (each `function f(address) view returns (...)`), the vault's totals, and the
 * writes a funds migration uses.
 */
export const fundsSchema = z
  .object({
    users: z.union([
      z.object({ array: fnSig }).strict(),
      z.object({ events: z.array(z.object({ event: eventSig, user: z.string().min(1) }).strict()).min(1) }).strict(),
    ]),
    collateral: fnSig,
    /** Cross-chain credit kept apart from collateral, where the vault keeps it apart. */
    credit: fnSig.optional(),
    realizedPnl: fnSig.optional(),
    /** What the user could withdraw now. */
    free: fnSig,
    /** Returns (marketId, size, entryPrice, marginLocked, …)[]: the first four outputs of each entry are read. */
    positions: fnSig,
    /** Whether collateral (+ credit) already counts the margin locked in positions, or the vault holds it apart. */
    marginInCollateral: z.boolean(),
    totals: z.object({ collateral: fnSig.optional(), marginLocked: fnSig.optional() }).strict(),
    creditorRole: z.string().min(1),
    creditWrite: writeSchema,
    /** The event the credit write emits; `user` and `amount` name its arguments. */
    credited: z.object({ event: eventSig, user: z.string().min(1), amount: z.string().min(1) }).strict(),
    settle: writeSchema.optional(),
    /** Whether a market is settled ($0 market): the done check of `settle`. */
    settled: fnSig.optional(),
    /** Where settling a market does not close its positions: the call that closes one ($0 user, $1 market). */
    settlePosition: writeSchema.optional(),
  })
  .strict();
export type FundsProfile = z.infer<typeof fundsSchema>;

const vaultSchema = z
  .object({
    funds: fundsSchema.optional(),
    /** The artifact the new vault is deployed from: constructor(collateral, admin), libraries linked. */
    artifact: z.string().min(1),
    /** Linked libraries, read from the old vault's bytecode at the artifact's link references. */
    libraries: z.array(z.string().min(1)),
    collateral: readSchema,
    collateralDecimals: fnSig,
    liquidationManager: z.object({ read: readSchema, write: writeSchema }).strict(),
    /**
     * Several calls (one value each), or one call returning them all; written by one call with every value. `bounds`:
     * what the setter accepts, by its parameter names (a bound is a number or another parameter's name), checked on
     * configured values before anything is sent.
     */
    mmrParams: z
      .object({ read: z.array(fnSig).min(1), write: writeSchema, bounds: z.record(z.string(), boundSchema).optional() })
      .strict(),
    pause: z.object({ read: fnSig, pause: writeSchema, unpause: writeSchema, haltsTrading: z.boolean() }).strict(),
    batching: z.enum(["multicall", "none"]),
    /** Events cutover:watch follows on both vaults; `orderBookActivity` names those only an OrderBook causes. */
    watch: z.object({ events: z.array(eventSig).min(1), orderBookActivity: z.array(z.string()) }).strict(),
    roles: z
      .object({
        hasRole: fnSig,
        getRoleAdmin: fnSig,
        grant: writeSchema,
        revoke: writeSchema,
        renounce: writeSchema,
      })
      .strict(),
    orderBooks: z
      .object({
        /** An enumerator getter, where the vault has one; else the event scans and the records find them. */
        list: fnSig.optional(),
        isRegistered: fnSig,
        register: writeSchema,
        /** Takes an OrderBook off the registry (an OrderBook redeploy retires the replaced one with it). */
        deregister: writeSchema.optional(),
      })
      .strict(),
    markets: z.object({ list: fnSig.optional(), orderBookOf: fnSig, assign: writeSchema }).strict(),
  })
  .strict();

const factorySchema = z
  .object({
    /** A view call only the factory answers: how a FACTORY_ROLE holder is recognised as the factory. */
    detect: fnSig,
    /** Its vault pointer: read (when it has a getter), written (when updatable), and whether it is updatable. */
    vault: z
      .object({ read: readSchema.optional(), write: writeSchema.optional(), updatable: z.union([z.boolean(), fnSig]) })
      .strict(),
    /** Values read from the old factory that its replacement (immutable vault) is deployed with. */
    keep: z.record(z.string(), readSchema).optional(),
    /** How a factory for the new vault is deployed when the old one's vault is immutable. */
    replacement: z
      .object({ artifact: z.string().min(1), args: z.array(z.string()) })
      .strict()
      .optional(),
    /**
     * How an OrderBook is created, which is how `orderbook:rewire --strategy redeploy` gives a market a new one: a
     * factory call (its signature; refused by that strategy, see `why`), or a constructor + init: the diamond artifact
     * deployed as `constructor(owner, cut, init, initCalldata)` with the old OrderBook's owner and facets, `init`
     * called with `initArgs` ("$vault" the new vault, "$marketId" the market's id, "$keep.<name>" a value `keep` reads
     * on the old OrderBook). The init contract: the old OrderBook's facet serving `init` (its loupe), else
     * `initContract` (view calls there go to the factory).
     */
    createOrderBook: z
      .union([
        z.object({ factoryCall: fnSig, why: z.string().min(1).optional() }).strict(),
        z
          .object({
            constructorArtifact: z.string().min(1),
            init: fnSig,
            initArgs: z.array(z.string()),
            initContract: readSchema,
            keep: z.record(z.string(), readSchema).optional(),
          })
          .strict(),
      ])
      .optional(),
  })
  .strict();

const hubSchema = z
  .object({
    detect: fnSig,
    vault: z.object({ read: readSchema, write: writeSchema }).strict(),
    keep: z.record(z.string(), readSchema).optional(),
  })
  .strict();

const slotSchema = z
  .string()
  .regex(/^(0x[0-9a-fA-F]{1,64}|keccak256:.+)$/, 'Expected a 0x slot or "keccak256:<namespace>"');

const orderBookSchema = z
  .object({
    vault: readSchema,
    marketId: readSchema.optional(),
    /**
     * How an OrderBook diamond is moved to the new vault: by storage (an empty diamondCut whose one-shot init writes
     * the new vault into `slot` + `word`), or by an admin facet the cut adds (its artifact and its setter).
     */
    rewire: z.union([
      z.object({ storage: z.object({ slot: slotSchema, word: z.number().int().min(0).optional() }).strict() }).strict(),
      z.object({ facet: z.object({ artifact: z.string().min(1), setter: fnSig }).strict() }).strict(),
    ]),
  })
  .strict();

const discoverySchema = z
  .object({
    /** First block scanned for events (default: the vault's deployment block from the records, else 0). */
    fromBlock: z.number().int().min(0).optional(),
    /** Blocks per eth_getLogs request. */
    logChunk: z.number().int().min(1).max(10_000_000),
    events: z.array(eventScanSchema),
    /** Records keys holding an OrderBook, besides the records' markets list. */
    recordOrderBooks: z.array(z.string()),
  })
  .strict();

const errorSig = z
  .string()
  .regex(/^error \w+\(.*\)$/, 'Expected a human-readable error signature, e.g. "error EnforcedPause()"');

/** A call that must be refused: its arguments a template over the probe's values, the errors that count as refused. */
const probeSchema = z
  .object({ call: fnSig, args: z.array(z.string()), refusedWith: z.array(errorSig).min(1) })
  .strict();

/**
 * The money paths verify's smoke tests exercise on a throwaway copy of the chain, and how a halted vault is proven
 * halted there. Argument templates: "$0", "$1"… the values each entry names; anything else is a literal.
 */
const tradingSchema = z
  .object({
    /** On the vault: a market's mark price, read ($0 market) and written by a settlement operator ($0 market, $1 price). */
    markPrice: z.object({ read: fnSig, write: writeSchema, event: eventSig.optional() }).strict(),
    /** On the vault: a market settled by a settlement operator ($0 market, $1 price), and the event that says so. */
    settle: z.object({ write: writeSchema, event: eventSig }).strict(),
    /** On the vault: a user's free collateral ($0 user). */
    available: fnSig,
    /**
     * How a test trader gets collateral on the throwaway chain: credited by an EXTERNAL_CREDITOR_ROLE holder ($0 user,
     * $1 amount), or deposited ($0 amount) after its collateral-token balance is written there.
     */
    fund: z.union([z.object({ credit: writeSchema }).strict(), z.object({ deposit: writeSchema }).strict()]),
    /**
     * On an OrderBook: place an order ($0 isBuy, $1 price, $2 size, returning its id), and match a buy with a sell
     * ($0 buy id, $1 sell id) where orders do not match as they are placed.
     */
    order: z.object({ place: writeSchema, match: writeSchema.optional() }).strict(),
    /** On an OrderBook: liquidate a user ($0 user; the caller is the liquidator); the vault's event with its reward. */
    liquidate: z.object({ write: writeSchema, event: eventSig.optional() }).strict(),
    /** Vault calls an account without roles must be refused: $0 market, $1 the caller, $2 one unit, $3 the zero role. */
    refused: z.array(probeSchema).min(1),
    /** The vault call an OrderBook makes for a fill, which a halted vault refuses: $0 user, $1 market, $2 size, $3 price. */
    halt: probeSchema,
  })
  .strict();

const roleName = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'Expected a role constant\'s name, e.g. "FACTORY_ROLE"');

/** An OpenZeppelin AccessControl contract: its roles besides DEFAULT_ADMIN_ROLE (each id keccak256 of its name). */
const accessControlSchema = z.object({ roles: z.array(roleName) }).strict();

/**
 * A contract with one admin address. `read` where it has a getter; else `probe`: an eth_call of the write from an
 * account, handing the admin to that account, is refused with one of these errors unless the account is the admin.
 */
const singleAdminSchema = z
  .object({
    admin: z
      .object({ read: readSchema.optional(), probe: z.array(errorSig).min(1).optional(), write: writeSchema })
      .strict()
      .refine((a) => a.read !== undefined || a.probe !== undefined, {
        message: "Expected read (a getter) or probe (the errors the write is refused with), to tell who the admin is",
      }),
  })
  .strict();

/** Who administers what, and how it is handed over (cutover:transfer-ownership). */
const ownershipSchema = z
  .object({
    vault: accessControlSchema,
    factory: z.union([accessControlSchema, singleAdminSchema]),
    hub: accessControlSchema,
    /** The OrderBook diamonds' ERC-173 owner: read, and written by a one-step transfer ($0 the new owner). */
    orderBook: z.object({ owner: readSchema, transfer: writeSchema }).strict(),
  })
  .strict();
export type OwnershipProfile = z.infer<typeof ownershipSchema>;

export const profileSchema = z
  .object({
    name: z.string().min(1),
    vault: vaultSchema,
    factory: factorySchema,
    hub: hubSchema,
    orderBook: orderBookSchema,
    discovery: discoverySchema,
    trading: tradingSchema,
    ownership: ownershipSchema,
    /** Custom errors the protocol's contracts revert with, beyond those of the artifacts the profile names. */
    errors: z.array(errorSig).optional(),
  })
  .strict();
export type Profile = z.infer<typeof profileSchema>;
export type CreateOrderBook = NonNullable<Profile["factory"]["createOrderBook"]>;

/** `cutover.protocol`: a built-in profile by name, with entries replaced section by section. */
export const protocolUserConfigSchema = z
  .object({
    profile: z.enum(["reference", "dexetra-v5"]).optional(),
    vault: vaultSchema.partial().optional(),
    factory: factorySchema.partial().optional(),
    hub: hubSchema.partial().optional(),
    orderBook: orderBookSchema.partial().optional(),
    discovery: discoverySchema.partial().optional(),
    trading: tradingSchema.partial().optional(),
    ownership: ownershipSchema.partial().optional(),
    /** Added to the built-in's: custom errors to decode reverts with, e.g. ["error OnlyAdmin()"]. */
    errors: z.array(errorSig).optional(),
  })
  .strict();
export type ProtocolUserConfig = z.infer<typeof protocolUserConfigSchema>;
