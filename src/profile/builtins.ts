import type { Profile } from "./schema.js";

const ROLES = {
  hasRole: "function hasRole(bytes32 role, address account) view returns (bool)",
  getRoleAdmin: "function getRoleAdmin(bytes32 role) view returns (bytes32)",
  grant: { signature: "function grantRole(bytes32 role, address account)" },
  revoke: { signature: "function revokeRole(bytes32 role, address account)" },
  renounce: { signature: "function renounceRole(bytes32 role, address account)" },
};
const ROLE_GRANTED = "event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)";
const ROLE_REVOKED = "event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender)";
const PAUSE = { pause: { signature: "function pause()" }, unpause: { signature: "function unpause()" } };
const LIQUIDATION_MANAGER_WRITE = { signature: "function setLiquidationManager(address manager)" };
const MARKET_TO_ORDER_BOOK = "function marketToOrderBook(bytes32 marketId) view returns (address)";
const UNAUTHORIZED = "error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)";
const UPDATE_MARK_PRICE = { signature: "function updateMarkPrice(bytes32 marketId, uint256 price)" };
const SETTLE_MARKET = { signature: "function settleMarket(bytes32 marketId, uint256 finalPrice)" };
const CREDIT_EXTERNAL = "function creditExternal(address user, uint256 amount)";
const GRANT_ROLE = "function grantRole(bytes32 role, address account)";
const UNAUTHORIZED_ORDER_BOOK = "error UnauthorizedOrderBook(address caller, bytes32 marketId)";
const LOCK_MARGIN = "function lockMargin(address user, bytes32 marketId, uint256 amount)";
const VAULT_ROLE_NAMES = ["FACTORY_ROLE", "SETTLEMENT_ROLE", "EXTERNAL_CREDITOR_ROLE", "ORDERBOOK_ROLE"];
const OWNER = "function owner() view returns (address)";
const TRANSFER_OWNERSHIP = { signature: "function transferOwnership(address newOwner)" };

/** This repository's mock (contracts/): enumerator getters, multicall, an updatable or immutable factory. */
export const REFERENCE: Profile = {
  name: "reference",
  vault: {
    // no users array: every user deposited, traded or was credited, and the vault's events name them
    funds: {
      users: {
        events: [
          { event: "event Deposited(address indexed user, uint256 amount)", user: "user" },
          {
            event: "event ExternalCredited(address indexed user, uint256 amount, address indexed creditor)",
            user: "user",
          },
          {
            event:
              "event PositionUpdated(address indexed user, bytes32 indexed marketId, int256 size, uint256 entryPrice, int256 realizedPnl)",
            user: "user",
          },
        ],
      },
      collateral: "function availableCollateral(address user) view returns (uint256)",
      free: "function availableCollateral(address user) view returns (uint256)",
      positions:
        "function getUserPositions(address user) view returns ((bytes32 marketId, int256 size, uint256 entryPrice, uint256 marginLocked)[])",
      marginInCollateral: false,
      totals: {},
      creditorRole: "EXTERNAL_CREDITOR_ROLE",
      creditWrite: { signature: "function creditExternal(address user, uint256 amount)" },
      credited: {
        event: "event ExternalCredited(address indexed user, uint256 amount, address indexed creditor)",
        user: "user",
        amount: "amount",
      },
      settle: { signature: "function settleMarket(bytes32 marketId, uint256 finalPrice)", role: "SETTLEMENT_ROLE" },
      settled: "function marketSettled(bytes32 marketId) view returns (bool)",
      // settleMarket only fixes the price here: each position is closed by settlePosition (anyone may call it)
      settlePosition: { signature: "function settlePosition(address user, bytes32 marketId)" },
    },
    artifact: "CoreVault",
    libraries: ["VaultAnalytics", "PositionManager"],
    collateral: { call: "function collateralToken() view returns (address)" },
    collateralDecimals: "function decimals() view returns (uint8)",
    liquidationManager: {
      read: { call: "function liquidationManager() view returns (address)" },
      write: LIQUIDATION_MANAGER_WRITE,
    },
    mmrParams: {
      read: ["function mmrParams() view returns (uint256, uint256, uint256, uint256)"],
      write: { signature: "function setMmrParams(uint256 base, uint256 penalty, uint256 max, uint256 slope)" },
      // CoreVault._setMmrParams: MAX_MMR_BPS 5000, MAX_PENALTY_BPS 2000, base in (0, max], slope at most max.
      bounds: {
        base: { min: 1, max: "max", why: "CoreVault: more than 0, at most maxMmrBps" },
        penalty: { max: 2000, why: "CoreVault's MAX_PENALTY_BPS" },
        max: { max: 5000, why: "CoreVault's MAX_MMR_BPS" },
        slope: { max: "max", why: "CoreVault: at most maxMmrBps" },
      },
    },
    pause: { read: "function paused() view returns (bool)", ...PAUSE, haltsTrading: true },
    batching: "multicall",
    watch: {
      events: [
        "event PositionUpdated(address indexed user, bytes32 indexed marketId, int256 size, uint256 entryPrice, int256 realizedPnl)",
        "event MarginLocked(address indexed user, bytes32 indexed marketId, uint256 amount)",
        "event MarginReleased(address indexed user, bytes32 indexed marketId, uint256 amount)",
        "event LiquidationExecuted(address indexed user, bytes32 indexed marketId, address indexed liquidator, uint256 markPrice, uint256 reward)",
        "event VaultMarketSettled(bytes32 indexed marketId, uint256 finalPrice)",
        ROLE_GRANTED,
        ROLE_REVOKED,
      ],
      orderBookActivity: ["PositionUpdated", "MarginLocked", "MarginReleased", "LiquidationExecuted"],
    },
    roles: ROLES,
    orderBooks: {
      list: "function getRegisteredOrderBooks() view returns (address[])",
      isRegistered: "function isRegisteredOrderBook(address orderBook) view returns (bool)",
      register: { signature: "function registerOrderBook(address orderBook)" },
    },
    markets: {
      list: "function getMarketIds() view returns (bytes32[])",
      orderBookOf: MARKET_TO_ORDER_BOOK,
      assign: { signature: "function assignMarketToOrderBook(bytes32 marketId, address orderBook)" },
    },
  },
  factory: {
    detect: "function isVaultUpdatable() view returns (bool)",
    vault: {
      read: { call: "function vault() view returns (address)" },
      write: { signature: "function setVault(address newVault)" },
      updatable: "function isVaultUpdatable() view returns (bool)",
    },
    keep: {
      orderBookInit: { call: "function orderBookInit() view returns (address)" },
      facetTemplate: {
        call: "function facetTemplate() view returns ((address facetAddress, uint8 action, bytes4[] functionSelectors)[])",
      },
    },
    replacement: {
      artifact: "FuturesMarketFactoryImmutable",
      args: ["$newVault", "$admin", "$keep.orderBookInit", "$keep.facetTemplate"],
    },
    // createMarket(symbol) would make a market the factory already has: a new OrderBook for a market is deployed directly
    createOrderBook: {
      constructorArtifact: "OrderBookDiamond",
      init: "function obInitialize(address vault, bytes32 marketId)",
      initArgs: ["$vault", "$marketId"],
      initContract: [
        { record: "ORDERBOOK_INIT" },
        { call: "function orderBookInit() view returns (address)" },
        { supply: "cutover.protocol.factory.createOrderBook.initContract: { value: <OrderBookInit address> }" },
      ],
    },
  },
  hub: {
    detect: "function RELAYER_ROLE() view returns (bytes32)",
    vault: {
      read: { call: "function vault() view returns (address)" },
      write: { signature: "function setVault(address newVault)" },
    },
  },
  orderBook: {
    vault: { call: "function vault() view returns (address)" },
    marketId: { call: "function marketId() view returns (bytes32)" },
    rewire: { facet: { artifact: "VaultAdminFacet", setter: "function setVault(address newVault)" } },
  },
  discovery: { logChunk: 50_000, events: [], recordOrderBooks: [] },
  trading: {
    markPrice: {
      read: "function markPrice(bytes32 marketId) view returns (uint256)",
      write: UPDATE_MARK_PRICE,
      event: "event MarkPriceUpdated(bytes32 indexed marketId, uint256 price)",
    },
    settle: { write: SETTLE_MARKET, event: "event VaultMarketSettled(bytes32 indexed marketId, uint256 finalPrice)" },
    available: "function availableCollateral(address user) view returns (uint256)",
    fund: { credit: { signature: CREDIT_EXTERNAL } },
    order: {
      place: { signature: "function placeOrder(bool isBuy, uint256 price, uint256 size) returns (uint256 orderId)" },
      match: { signature: "function matchOrders(uint256 buyOrderId, uint256 sellOrderId)" },
    },
    liquidate: {
      write: { signature: "function liquidate(address trader)" },
      event:
        "event LiquidationExecuted(address indexed user, bytes32 indexed marketId, address indexed liquidator, uint256 markPrice, uint256 reward)",
    },
    refused: [
      { call: UPDATE_MARK_PRICE.signature, args: ["$0", "$2"], refusedWith: [UNAUTHORIZED] },
      { call: SETTLE_MARKET.signature, args: ["$0", "$2"], refusedWith: [UNAUTHORIZED] },
      {
        call: "function updatePositionWithLiquidation(address user, bytes32 marketId, address liquidator)",
        args: ["$1", "$0", "$1"],
        refusedWith: [UNAUTHORIZED_ORDER_BOOK],
      },
      { call: LOCK_MARGIN, args: ["$1", "$0", "$2"], refusedWith: [UNAUTHORIZED_ORDER_BOOK] },
      { call: CREDIT_EXTERNAL, args: ["$1", "$2"], refusedWith: [UNAUTHORIZED] },
      { call: GRANT_ROLE, args: ["$3", "$1"], refusedWith: [UNAUTHORIZED] },
    ],
    // a paused vault refuses an OrderBook's fills too (pause halts trading on the mock)
    halt: {
      call: "function updatePosition(address user, bytes32 marketId, int256 sizeDelta, uint256 price)",
      args: ["$0", "$1", "$2", "$3"],
      refusedWith: [UNAUTHORIZED_ORDER_BOOK, "error EnforcedPause()"],
    },
  },
  ownership: {
    vault: { roles: VAULT_ROLE_NAMES },
    factory: { roles: ["MARKET_CREATOR_ROLE"] },
    hub: { roles: ["RELAYER_ROLE"] },
    orderBook: { owner: { call: OWNER }, transfer: TRANSFER_OWNERSHIP },
  },
};

const UPDATE_POSITION_WITH_MARGIN =
  "function updatePositionWithMargin(address user, bytes32 marketId, int256 sizeDelta, uint256 executionPrice, uint256 requiredMargin)";
const MARKET_STATIC =
  "function marketStatic() view returns (address vault, bytes32 marketId, bool useVWAP, uint256 vwapWindow)";
const ORDER_BOOK_STORAGE = "keccak256:hyperliquid.orderbook.storage.v1";

/** The production protocol, from ../shared/protocol/dexetra-v5.md: no enumerators, no multicall, immutable factory. */
export const DEXETRA_V5: Profile = {
  name: "dexetra-v5",
  vault: {
    funds: {
      users: { array: "function allKnownUsers(uint256 index) view returns (address)" },
      collateral: "function userCollateral(address user) view returns (uint256)",
      credit: "function userCrossChainCredit(address user) view returns (uint256)",
      realizedPnl: "function userRealizedPnL(address user) view returns (int256)",
      free: "function getAvailableCollateral(address user) view returns (uint256)",
      positions:
        "function getUserPositions(address user) view returns ((bytes32 marketId, int256 size, uint256 entryPrice, uint256 marginLocked, uint256 socializedLossAccrued6, uint256 haircutUnits18, uint256 liquidationPrice)[])",
      marginInCollateral: true,
      totals: {
        collateral: "function totalCollateralDeposited() view returns (uint256)",
        marginLocked: "function totalMarginLocked() view returns (uint256)",
      },
      creditorRole: "EXTERNAL_CREDITOR_ROLE",
      creditWrite: { signature: "function creditExternal(address user, uint256 amount)" },
      credited: {
        event: "event ExternalCreditAdded(address indexed user, uint256 amount)",
        user: "user",
        amount: "amount",
      },
      // no role check on production; it closes every known user's position in the market at the final price
      settle: { signature: "function settleMarket(bytes32 marketId, uint256 finalPrice)" },
      settled: "function marketSettled(bytes32 marketId) view returns (bool)",
    },
    artifact: "CoreVault",
    libraries: ["VaultAnalytics", "PositionManager"],
    // An internal immutable: not in any getter; the protocol's records name it.
    collateral: [
      { record: "MOCK_USDC" },
      { record: "USDC" },
      { supply: "--collateral (or cutover.redeploy.collateral, or cutover.protocol.vault.collateral: { value })" },
    ],
    collateralDecimals: "function decimals() view returns (uint8)",
    liquidationManager: {
      read: [
        { record: "LIQUIDATION_MANAGER" },
        {
          supply: "cutover.redeploy.liquidationManager (or cutover.protocol.vault.liquidationManager.read: { value })",
        },
      ],
      write: LIQUIDATION_MANAGER_WRITE,
    },
    mmrParams: {
      read: [
        "function baseMmrBps() view returns (uint256)",
        "function penaltyMmrBps() view returns (uint256)",
        "function maxMmrBps() view returns (uint256)",
        "function scalingSlopeBps() view returns (uint256)",
        "function mmrLiquidityDepthLevels() view returns (uint256)",
        "function priceGapSlopeBps() view returns (uint256)",
      ],
      write: {
        signature:
          "function setMmrParamsAdvanced(uint256 base, uint256 penalty, uint256 max, uint256 slope, uint256 liquidityDepthLevels, uint256 priceGapSlopeBps)",
      },
      // CoreVault._setMmrParams: every bps at most 10000, depth levels 1–50 (priceGapSlope at most 10000 too).
      bounds: {
        base: { max: 10_000 },
        penalty: { max: 10_000 },
        max: { max: 10_000 },
        slope: { max: 10_000 },
        liquidityDepthLevels: { min: 1, max: 50 },
        priceGapSlopeBps: { max: 10_000 },
      },
    },
    // Pause covers deposit, withdraw and top-up only: OrderBook trading goes on.
    pause: { read: "function paused() view returns (bool)", ...PAUSE, haltsTrading: false },
    batching: "none",
    watch: {
      events: [
        "event PositionUpdated(address indexed user, bytes32 indexed marketId, int256 oldSize, int256 newSize, uint256 entryPrice, uint256 marginLocked)",
        "event MarginLocked(address indexed user, bytes32 indexed marketId, uint256 amount, uint256 totalLockedAfter)",
        "event MarginReleased(address indexed user, bytes32 indexed marketId, uint256 amount, uint256 totalLockedAfter)",
        "event VaultMarketSettled(bytes32 indexed marketId, uint256 finalPrice, uint256 totalProfit6, uint256 totalLoss6, uint256 badDebt6)",
        ROLE_GRANTED,
        ROLE_REVOKED,
      ],
      orderBookActivity: ["PositionUpdated", "MarginLocked", "MarginReleased"],
    },
    roles: ROLES,
    orderBooks: {
      isRegistered: "function registeredOrderBooks(address orderBook) view returns (bool)",
      register: { signature: "function registerOrderBook(address orderBook)", role: "FACTORY_ROLE" },
      deregister: { signature: "function deregisterOrderBook(address orderBook)", role: "FACTORY_ROLE" },
    },
    markets: {
      orderBookOf: MARKET_TO_ORDER_BOOK,
      assign: {
        signature: "function assignMarketToOrderBook(bytes32 marketId, address orderBook)",
        role: "FACTORY_ROLE",
      },
    },
  },
  factory: {
    detect: "function getAllMarkets() view returns (bytes32[])",
    // The runbook's version: the vault is immutable and has no getter.
    vault: { updatable: false },
    keep: {
      feeRecipient: { supply: "cutover.protocol.factory.keep.feeRecipient: { value: <fee recipient> }" },
    },
    replacement: { artifact: "FuturesMarketFactory", args: ["$newVault", "$admin", "$keep.feeRecipient"] },
    // createFuturesMarketDiamond derives a NEW market id (symbol, metricUrl, msg.sender, timestamp, block) and registers
    // it on the factory's own (immutable) vault: it cannot give an existing market a new OrderBook. The factory's own
    // path without it: the Diamond's constructor with the old book's facets and owner, its init obInitialize(new vault,
    // same market id, the old book's fee recipient); the init facet is the one the old book serves obInitialize from.
    createOrderBook: {
      constructorArtifact: "Diamond",
      init: "function obInitialize(address vault, bytes32 marketId, address feeRecipient)",
      initArgs: ["$vault", "$marketId", "$keep.feeRecipient"],
      initContract: [
        { record: "ORDER_BOOK_INIT_FACET" },
        { supply: "cutover.protocol.factory.createOrderBook.initContract: { value: <OrderBookInitFacet address> }" },
      ],
      keep: { feeRecipient: { slot: ORDER_BOOK_STORAGE, word: 2 } },
    },
  },
  hub: {
    detect: "function coreVaultOperator() view returns (address)",
    vault: {
      read: { call: "function coreVault() view returns (address)" },
      write: {
        signature: "function setCoreVaultParams(address coreVault, address operator)",
        args: ["$0", "$keep.operator"],
      },
    },
    keep: { operator: { call: "function coreVaultOperator() view returns (address)" } },
  },
  orderBook: {
    vault: [
      { call: MARKET_STATIC, pick: 0 },
      { slot: ORDER_BOOK_STORAGE, word: 0 },
    ],
    marketId: [
      { call: MARKET_STATIC, pick: 1 },
      { slot: ORDER_BOOK_STORAGE, word: 1 },
    ],
    // no facet can change the vault after obInitialize: the diamond's storage is written by an empty cut's init
    rewire: { storage: { slot: ORDER_BOOK_STORAGE, word: 0 } },
  },
  discovery: {
    logChunk: 50_000,
    events: [
      {
        on: "vault",
        event: "event MarketAuthorized(bytes32 indexed marketId, address indexed orderBook)",
        marketId: "marketId",
        orderBook: "orderBook",
      },
      {
        on: "factory",
        event:
          "event FuturesMarketCreated(address indexed orderBook, bytes32 indexed marketId, string marketSymbol, address indexed creator, uint256 creationFee, string metricUrl, uint256 settlementDate, uint256 startPrice)",
        marketId: "marketId",
        orderBook: "orderBook",
        symbol: "marketSymbol",
      },
      {
        on: "vault",
        event: ROLE_GRANTED,
        orderBook: "account",
        where: { role: "keccak256:ORDERBOOK_ROLE" },
      },
    ],
    recordOrderBooks: ["ALUMINUM_ORDERBOOK"],
  },
  trading: {
    // updateMarkPrice emits nothing: the smoke test reads the price back
    markPrice: { read: "function getMarkPrice(bytes32 marketId) view returns (uint256)", write: UPDATE_MARK_PRICE },
    settle: {
      write: SETTLE_MARKET,
      event:
        "event VaultMarketSettled(bytes32 indexed marketId, uint256 finalPrice, uint256 totalProfit6, uint256 totalLoss6, uint256 badDebt6)",
    },
    available: "function getAvailableCollateral(address user) view returns (uint256)",
    // fees and liquidation rewards move deposited collateral only (credit cannot pay them): test traders deposit
    fund: { deposit: { signature: "function depositCollateral(uint256 amount)" } },
    // an order matches resting orders as it is placed
    order: {
      place: {
        signature: "function placeLimitOrder(uint256 price, uint256 amount, bool isBuy) returns (uint256 orderId)",
        args: ["$1", "$2", "$0"],
      },
    },
    liquidate: { write: { signature: "function liquidate(address user)" } },
    // settleMarket has no role check on this protocol: not a refusal to expect
    refused: [
      { call: UPDATE_MARK_PRICE.signature, args: ["$0", "$2"], refusedWith: [UNAUTHORIZED] },
      { call: UPDATE_POSITION_WITH_MARGIN, args: ["$1", "$0", "$2", "$2", "0"], refusedWith: [UNAUTHORIZED] },
      { call: LOCK_MARGIN, args: ["$1", "$0", "$2"], refusedWith: [UNAUTHORIZED] },
      {
        call: "function liquidateLong(address user, bytes32 marketId, address liquidator, uint256 markPrice)",
        args: ["$1", "$0", "$1", "$2"],
        refusedWith: [UNAUTHORIZED],
      },
      { call: CREDIT_EXTERNAL, args: ["$1", "$2"], refusedWith: [UNAUTHORIZED] },
      { call: GRANT_ROLE, args: ["$3", "$1"], refusedWith: [UNAUTHORIZED] },
    ],
    // pause does not stop fills here: only the missing ORDERBOOK_ROLE refuses them
    halt: { call: UPDATE_POSITION_WITH_MARGIN, args: ["$0", "$1", "$2", "$3", "0"], refusedWith: [UNAUTHORIZED] },
  },
  ownership: {
    vault: { roles: VAULT_ROLE_NAMES },
    // a single admin without a getter: who it is shows in whether updateAdmin(account) from that account is refused
    factory: {
      admin: { probe: ["error OnlyAdmin()"], write: { signature: "function updateAdmin(address newAdmin)" } },
    },
    // the facts file names no hub role besides DEFAULT_ADMIN_ROLE: the stand-in's bridge inbox role
    hub: { roles: ["BRIDGE_INBOX_ROLE"] },
    // owner() is the Diamond's own; the owner also sits at the diamond storage root + 3
    orderBook: {
      owner: [{ call: OWNER }, { slot: "keccak256:diamond.standard.diamond.storage", word: 3 }],
      transfer: TRANSFER_OWNERSHIP,
    },
  },
};

export const BUILTIN_PROFILES: Record<string, Profile> = { reference: REFERENCE, "dexetra-v5": DEXETRA_V5 };
