// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ICoreVault} from "../interfaces/ICoreVault.sol";
import {ILiquidationManager} from "./LiquidationManager.sol";
import {PositionManager} from "./PositionManager.sol";
import {VaultAnalytics} from "./VaultAnalytics.sol";

/// @notice Mock of the protocol's CoreVault: USDC collateral, per-market margin and positions kept for the market's
/// OrderBook, mark prices and settlement, external (cross-chain) credit. Linked against VaultAnalytics and
/// PositionManager. Every state change emits an event.
contract CoreVault is ICoreVault, AccessControl, Pausable, Multicall {
    using SafeERC20 for IERC20;
    using PositionManager for PositionManager.Position;

    bytes32 public constant FACTORY_ROLE = keccak256("FACTORY_ROLE");
    bytes32 public constant SETTLEMENT_ROLE = keccak256("SETTLEMENT_ROLE");
    bytes32 public constant EXTERNAL_CREDITOR_ROLE = keccak256("EXTERNAL_CREDITOR_ROLE");
    bytes32 public constant ORDERBOOK_ROLE = keccak256("ORDERBOOK_ROLE");

    uint8 public constant COLLATERAL_DECIMALS = 6;
    uint256 public constant MAX_MMR_BPS = 5_000;
    uint256 public constant MAX_PENALTY_BPS = 2_000;

    struct MmrParams {
        uint256 baseMmrBps;
        uint256 penaltyMmrBps;
        uint256 maxMmrBps;
        uint256 scalingSlopeBps; // extra bps per 1 000 000 USDC of position notional
    }

    address public immutable override collateralToken;
    address public liquidationManager;
    MmrParams public mmrParams;

    mapping(address user => uint256) public override availableCollateral;
    mapping(address user => mapping(bytes32 marketId => uint256)) public lockedMargin;
    mapping(address user => mapping(bytes32 marketId => PositionManager.Position)) private _positions;
    mapping(bytes32 marketId => uint256) public override markPrice;
    mapping(bytes32 marketId => bool) public marketSettled;

    address[] private _orderBooks;
    mapping(address orderBook => bool) public isRegisteredOrderBook;
    bytes32[] private _marketIds;
    mapping(bytes32 marketId => address) public override marketToOrderBook;

    event Deposited(address indexed user, uint256 amount);
    event Withdrawn(address indexed user, uint256 amount);
    event MarginLocked(address indexed user, bytes32 indexed marketId, uint256 amount);
    event MarginReleased(address indexed user, bytes32 indexed marketId, uint256 amount);
    event PositionUpdated(
        address indexed user, bytes32 indexed marketId, int256 size, uint256 entryPrice, int256 realizedPnl
    );
    event LiquidationExecuted(
        address indexed user, bytes32 indexed marketId, address indexed liquidator, uint256 markPrice, uint256 reward
    );
    event MarkPriceUpdated(bytes32 indexed marketId, uint256 price);
    event VaultMarketSettled(bytes32 indexed marketId, uint256 finalPrice);
    event PositionSettled(address indexed user, bytes32 indexed marketId, int256 realizedPnl);
    event OrderBookRegistered(address indexed orderBook);
    event MarketAssigned(bytes32 indexed marketId, address indexed orderBook, address previousOrderBook);
    event LiquidationManagerUpdated(address indexed previous, address indexed current);
    event MmrParamsUpdated(uint256 baseMmrBps, uint256 penaltyMmrBps, uint256 maxMmrBps, uint256 scalingSlopeBps);
    event ExternalCredited(address indexed user, uint256 amount, address indexed creditor);
    event ExternalDebited(address indexed user, uint256 amount, address indexed creditor);

    error InvalidCollateralDecimals(address token, uint8 decimals);
    error ZeroAddress(string what);
    error ZeroAmount();
    error InsufficientCollateral(address user, uint256 available, uint256 needed);
    error InsufficientMargin(address user, bytes32 marketId, uint256 locked, uint256 needed);
    error UnauthorizedOrderBook(address caller, bytes32 marketId);
    error UnauthorizedRegistrar(address caller);
    error OrderBookAlreadyRegistered(address orderBook);
    error OrderBookNotRegistered(address orderBook);
    error InvalidMmrParams(string reason);
    error MarketIsSettled(bytes32 marketId);
    error MarketNotSettled(bytes32 marketId);
    error NotLiquidatable(address user, bytes32 marketId);
    error NoLiquidationManager();
    error InvalidPrice();

    modifier onlyMarketOrderBook(bytes32 marketId) {
        if (!hasRole(ORDERBOOK_ROLE, msg.sender) || marketToOrderBook[marketId] != msg.sender) {
            revert UnauthorizedOrderBook(msg.sender, marketId);
        }
        if (marketSettled[marketId]) revert MarketIsSettled(marketId);
        _;
    }

    modifier onlyRegistrar() {
        if (!hasRole(FACTORY_ROLE, msg.sender) && !hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            revert UnauthorizedRegistrar(msg.sender);
        }
        _;
    }

    constructor(address collateral, address admin) {
        if (collateral == address(0)) revert ZeroAddress("collateral");
        if (admin == address(0)) revert ZeroAddress("admin");
        uint8 decimals = IERC20Metadata(collateral).decimals();
        if (decimals != COLLATERAL_DECIMALS) revert InvalidCollateralDecimals(collateral, decimals);
        collateralToken = collateral;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        // A factory may grant ORDERBOOK_ROLE to the markets it creates.
        _setRoleAdmin(ORDERBOOK_ROLE, FACTORY_ROLE);
        _setMmrParams(MmrParams({baseMmrBps: 500, penaltyMmrBps: 100, maxMmrBps: 2_000, scalingSlopeBps: 10}));
    }

    // ---------------------------------------------------------------- admin

    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    function setLiquidationManager(address manager) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (manager == address(0)) revert ZeroAddress("liquidationManager");
        emit LiquidationManagerUpdated(liquidationManager, manager);
        liquidationManager = manager;
    }

    function setMmrParams(uint256 baseMmrBps, uint256 penaltyMmrBps, uint256 maxMmrBps, uint256 scalingSlopeBps)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        _setMmrParams(MmrParams(baseMmrBps, penaltyMmrBps, maxMmrBps, scalingSlopeBps));
    }

    function _setMmrParams(MmrParams memory p) private {
        if (p.baseMmrBps == 0) revert InvalidMmrParams("baseMmrBps must be > 0");
        if (p.maxMmrBps > MAX_MMR_BPS) revert InvalidMmrParams("maxMmrBps must be <= 5000");
        if (p.baseMmrBps > p.maxMmrBps) revert InvalidMmrParams("baseMmrBps must be <= maxMmrBps");
        if (p.penaltyMmrBps > MAX_PENALTY_BPS) revert InvalidMmrParams("penaltyMmrBps must be <= 2000");
        if (p.scalingSlopeBps > p.maxMmrBps) revert InvalidMmrParams("scalingSlopeBps must be <= maxMmrBps");
        mmrParams = p;
        emit MmrParamsUpdated(p.baseMmrBps, p.penaltyMmrBps, p.maxMmrBps, p.scalingSlopeBps);
    }

    // ---------------------------------------------------------------- registry

    function registerOrderBook(address orderBook) external override onlyRegistrar {
        if (orderBook == address(0)) revert ZeroAddress("orderBook");
        if (isRegisteredOrderBook[orderBook]) revert OrderBookAlreadyRegistered(orderBook);
        isRegisteredOrderBook[orderBook] = true;
        _orderBooks.push(orderBook);
        emit OrderBookRegistered(orderBook);
    }

    function assignMarketToOrderBook(bytes32 marketId, address orderBook) external override onlyRegistrar {
        if (!isRegisteredOrderBook[orderBook]) revert OrderBookNotRegistered(orderBook);
        address previous = marketToOrderBook[marketId];
        if (previous == address(0)) _marketIds.push(marketId);
        marketToOrderBook[marketId] = orderBook;
        emit MarketAssigned(marketId, orderBook, previous);
    }

    function getRegisteredOrderBooks() external view returns (address[] memory) {
        return _orderBooks;
    }

    function registeredOrderBookCount() external view returns (uint256) {
        return _orderBooks.length;
    }

    function getMarketIds() external view returns (bytes32[] memory) {
        return _marketIds;
    }

    // ---------------------------------------------------------------- users

    function deposit(uint256 amount) external whenNotPaused {
        if (amount == 0) revert ZeroAmount();
        IERC20(collateralToken).safeTransferFrom(msg.sender, address(this), amount);
        availableCollateral[msg.sender] += amount;
        emit Deposited(msg.sender, amount);
    }

    function withdraw(uint256 amount) external whenNotPaused {
        if (amount == 0) revert ZeroAmount();
        _debit(msg.sender, amount);
        IERC20(collateralToken).safeTransfer(msg.sender, amount);
        emit Withdrawn(msg.sender, amount);
    }

    function getPosition(address user, bytes32 marketId) external view returns (int256 size, uint256 entryPrice) {
        PositionManager.Position storage position = _positions[user][marketId];
        return (position.size, position.entryPrice);
    }

    struct UserPosition {
        bytes32 marketId;
        int256 size;
        uint256 entryPrice;
        uint256 marginLocked;
    }

    /// @notice The user's positions and locked margin: one entry per market where either is non-zero.
    function getUserPositions(address user) external view returns (UserPosition[] memory positions) {
        uint256 count;
        for (uint256 i = 0; i < _marketIds.length; i++) {
            if (_positions[user][_marketIds[i]].size != 0 || lockedMargin[user][_marketIds[i]] != 0) count++;
        }
        positions = new UserPosition[](count);
        uint256 n;
        for (uint256 i = 0; i < _marketIds.length; i++) {
            bytes32 id = _marketIds[i];
            PositionManager.Position storage position = _positions[user][id];
            if (position.size == 0 && lockedMargin[user][id] == 0) continue;
            positions[n++] = UserPosition(id, position.size, position.entryPrice, lockedMargin[user][id]);
        }
    }

    // ---------------------------------------------------------------- OrderBooks

    function lockMargin(address user, bytes32 marketId, uint256 amount)
        external
        override
        whenNotPaused
        onlyMarketOrderBook(marketId)
    {
        _debit(user, amount);
        lockedMargin[user][marketId] += amount;
        emit MarginLocked(user, marketId, amount);
    }

    function releaseMargin(address user, bytes32 marketId, uint256 amount)
        external
        override
        whenNotPaused
        onlyMarketOrderBook(marketId)
    {
        uint256 locked = lockedMargin[user][marketId];
        if (locked < amount) revert InsufficientMargin(user, marketId, locked, amount);
        lockedMargin[user][marketId] = locked - amount;
        availableCollateral[user] += amount;
        emit MarginReleased(user, marketId, amount);
    }

    function updatePosition(address user, bytes32 marketId, int256 sizeDelta, uint256 price)
        external
        override
        whenNotPaused
        onlyMarketOrderBook(marketId)
    {
        if (price == 0) revert InvalidPrice();
        PositionManager.Position storage position = _positions[user][marketId];
        int256 realized = position.applyFill(sizeDelta, price);
        _applyToMargin(user, marketId, realized);
        emit PositionUpdated(user, marketId, position.size, position.entryPrice, realized);
    }

    function isLiquidatable(address user, bytes32 marketId) public view override returns (bool) {
        PositionManager.Position storage position = _positions[user][marketId];
        uint256 mark = markPrice[marketId];
        return VaultAnalytics.isLiquidatable(
            lockedMargin[user][marketId], position.size, position.entryPrice, mark, effectiveMmrBps(position.size, mark)
        );
    }

    /// @notice Maintenance margin rate for a position: base + penalty + slope per 1M USDC notional, capped at max.
    function effectiveMmrBps(int256 size, uint256 mark) public view returns (uint256) {
        MmrParams memory p = mmrParams;
        uint256 notional = (size >= 0 ? uint256(size) : uint256(-size)) * mark / 1e18;
        uint256 bps = p.baseMmrBps + p.penaltyMmrBps + p.scalingSlopeBps * notional / 1e12;
        return bps > p.maxMmrBps ? p.maxMmrBps : bps;
    }

    function updatePositionWithLiquidation(address user, bytes32 marketId, address liquidator)
        external
        override
        whenNotPaused
        onlyMarketOrderBook(marketId)
    {
        if (liquidationManager == address(0)) revert NoLiquidationManager();
        if (!isLiquidatable(user, marketId)) revert NotLiquidatable(user, marketId);
        PositionManager.Position storage position = _positions[user][marketId];
        uint256 mark = markPrice[marketId];
        uint256 notional = (position.size >= 0 ? uint256(position.size) : uint256(-position.size)) * mark / 1e18;
        int256 realized = position.applyFill(-position.size, mark);
        _applyToMargin(user, marketId, realized);
        uint256 remaining = lockedMargin[user][marketId];
        uint256 reward = ILiquidationManager(liquidationManager).liquidatorReward(notional, remaining);
        lockedMargin[user][marketId] = 0;
        availableCollateral[liquidator] += reward;
        availableCollateral[user] += remaining - reward;
        emit PositionUpdated(user, marketId, 0, 0, realized);
        emit LiquidationExecuted(user, marketId, liquidator, mark, reward);
    }

    // ---------------------------------------------------------------- settlement

    function updateMarkPrice(bytes32 marketId, uint256 price) external onlyRole(SETTLEMENT_ROLE) {
        if (price == 0) revert InvalidPrice();
        if (marketSettled[marketId]) revert MarketIsSettled(marketId);
        markPrice[marketId] = price;
        emit MarkPriceUpdated(marketId, price);
    }

    function settleMarket(bytes32 marketId, uint256 finalPrice) external onlyRole(SETTLEMENT_ROLE) {
        if (finalPrice == 0) revert InvalidPrice();
        if (marketSettled[marketId]) revert MarketIsSettled(marketId);
        marketSettled[marketId] = true;
        markPrice[marketId] = finalPrice;
        emit VaultMarketSettled(marketId, finalPrice);
    }

    /// @notice After settlement anyone may close a user's position at the final price and free its margin.
    function settlePosition(address user, bytes32 marketId) external whenNotPaused {
        if (!marketSettled[marketId]) revert MarketNotSettled(marketId);
        PositionManager.Position storage position = _positions[user][marketId];
        int256 realized = position.applyFill(-position.size, markPrice[marketId]);
        _applyToMargin(user, marketId, realized);
        uint256 freed = lockedMargin[user][marketId];
        lockedMargin[user][marketId] = 0;
        availableCollateral[user] += freed;
        emit PositionSettled(user, marketId, realized);
    }

    // ---------------------------------------------------------------- external credit

    function creditExternal(address user, uint256 amount) external override onlyRole(EXTERNAL_CREDITOR_ROLE) {
        if (amount == 0) revert ZeroAmount();
        availableCollateral[user] += amount;
        emit ExternalCredited(user, amount, msg.sender);
    }

    function debitExternal(address user, uint256 amount) external override onlyRole(EXTERNAL_CREDITOR_ROLE) {
        if (amount == 0) revert ZeroAmount();
        _debit(user, amount);
        emit ExternalDebited(user, amount, msg.sender);
    }

    // ---------------------------------------------------------------- internals

    function grantRole(bytes32 role, address account) public override(AccessControl, ICoreVault) {
        super.grantRole(role, account);
    }

    function _debit(address user, uint256 amount) private {
        uint256 available = availableCollateral[user];
        if (available < amount) revert InsufficientCollateral(user, available, amount);
        availableCollateral[user] = available - amount;
    }

    /// @dev Realized pnl moves the market's locked margin; a loss beyond it is floored (the mock has no insurance fund).
    function _applyToMargin(address user, bytes32 marketId, int256 realized) private {
        if (realized == 0) return;
        uint256 locked = lockedMargin[user][marketId];
        if (realized > 0) {
            lockedMargin[user][marketId] = locked + uint256(realized);
        } else {
            uint256 loss = uint256(-realized);
            lockedMargin[user][marketId] = loss >= locked ? 0 : locked - loss;
        }
    }
}
