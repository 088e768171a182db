// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {DexetraPositionManager} from "./DexetraPositionManager.sol";
import {DexetraVaultAnalytics} from "./DexetraVaultAnalytics.sol";
import {DexetraVaultBase} from "./DexetraVaultBase.sol";

/// @notice Stand-in for Dexetra v5's CoreVault, written from the interface facts (shared/protocol/dexetra-v5.md):
/// every role's admin is DEFAULT_ADMIN_ROLE, no multicall, no getter for the collateral token, the liquidation
/// manager or the lists of OrderBooks and markets, and pause covers only deposit, withdraw and top-up: OrderBook-driven
/// trading keeps working on a paused vault.
contract DexetraCoreVault is DexetraVaultBase {
    using SafeERC20 for IERC20;

    event VaultMarketSettled(
        bytes32 indexed marketId, uint256 finalPrice, uint256 totalProfit6, uint256 totalLoss6, uint256 badDebt6
    );
    event CollateralDeposited(address indexed user, uint256 amount);
    event CollateralWithdrawn(address indexed user, uint256 amount);
    event ExternalCreditAdded(address indexed user, uint256 amount);
    event ExternalCreditRemoved(address indexed user, uint256 amount);
    event MarketAuthorized(bytes32 indexed marketId, address indexed orderBook);

    constructor(address collateralToken_, address admin) DexetraVaultBase(collateralToken_) {
        require(IERC20Metadata(collateralToken_).decimals() == 6, "collateral must have 6 decimals");
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        (baseMmrBps, penaltyMmrBps, maxMmrBps, scalingSlopeBps, mmrLiquidityDepthLevels) = (1000, 1000, 2000, 1000, 1);
    }

    // ---------------------------------------------------------------- admin

    function setLiquidationManager(address manager) external onlyRole(DEFAULT_ADMIN_ROLE) {
        liquidationManager = manager;
    }

    function setMmrParams(uint256 base, uint256 penalty, uint256 max, uint256 slope, uint256 liquidityDepthLevels)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        _setMmrParams(base, penalty, max, slope, liquidityDepthLevels);
    }

    function setMmrParamsAdvanced(
        uint256 base,
        uint256 penalty,
        uint256 max,
        uint256 slope,
        uint256 liquidityDepthLevels,
        uint256 priceGapSlope
    ) external onlyRole(DEFAULT_ADMIN_ROLE) {
        require(priceGapSlope <= 10_000, "bps");
        _setMmrParams(base, penalty, max, slope, liquidityDepthLevels);
        priceGapSlopeBps = priceGapSlope;
    }

    function _setMmrParams(uint256 base, uint256 penalty, uint256 max, uint256 slope, uint256 depth) private {
        require(base <= 10_000 && penalty <= 10_000 && max <= 10_000 && slope <= 10_000, "bps");
        require(depth >= 1 && depth <= 50, "depth");
        (baseMmrBps, penaltyMmrBps, maxMmrBps, scalingSlopeBps, mmrLiquidityDepthLevels) =
            (base, penalty, max, slope, depth);
    }

    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    // ---------------------------------------------------------------- factory

    function registerOrderBook(address orderBook) external onlyRole(FACTORY_ROLE) {
        require(!registeredOrderBooks[orderBook], "exists");
        registeredOrderBooks[orderBook] = true;
        registeredOrderBookList.push(orderBook);
    }

    function assignMarketToOrderBook(bytes32 marketId, address orderBook) external onlyRole(FACTORY_ROLE) {
        require(registeredOrderBooks[orderBook], "not registered");
        marketToOrderBook[marketId] = orderBook;
        emit MarketAuthorized(marketId, orderBook);
    }

    function deregisterOrderBook(address orderBook) external onlyRole(FACTORY_ROLE) {
        require(registeredOrderBooks[orderBook], "not registered");
        registeredOrderBooks[orderBook] = false;
        uint256 last = registeredOrderBookList.length - 1;
        for (uint256 i = 0; i <= last; i++) {
            if (registeredOrderBookList[i] == orderBook) {
                registeredOrderBookList[i] = registeredOrderBookList[last];
                registeredOrderBookList.pop();
                break;
            }
        }
    }

    // ---------------------------------------------------------------- users (the only paused functions)

    function depositCollateral(uint256 amount) external nonReentrant whenNotPaused {
        require(amount > 0, "amount");
        IERC20(collateralToken).safeTransferFrom(msg.sender, address(this), amount);
        userCollateral[msg.sender] += amount;
        totalCollateralDeposited += amount;
        _know(msg.sender);
        emit CollateralDeposited(msg.sender, amount);
    }

    function withdrawCollateral(uint256 amount) external nonReentrant whenNotPaused {
        require(amount > 0 && amount <= userCollateral[msg.sender], "amount");
        userCollateral[msg.sender] -= amount;
        _requireSolvent(msg.sender);
        totalCollateralDeposited -= amount;
        IERC20(collateralToken).safeTransfer(msg.sender, amount);
        emit CollateralWithdrawn(msg.sender, amount);
    }

    function topUpPositionMargin(bytes32 marketId, uint256 amount) external nonReentrant whenNotPaused {
        (uint256 before, uint256 after_) =
            DexetraPositionManager.addMargin(userPositions[msg.sender], marketId, amount);
        _moveLocked(msg.sender, marketId, before, after_);
        _requireSolvent(msg.sender);
    }

    // ---------------------------------------------------------------- OrderBooks (not paused)

    /// @notice A fill of `sizeDelta` at `executionPrice`; `requiredMargin` is the margin the filled size needs
    /// (locked when the position grows; a reduction releases margin pro rata).
    function updatePositionWithMargin(
        address user,
        bytes32 marketId,
        int256 sizeDelta,
        uint256 executionPrice,
        uint256 requiredMargin
    ) external onlyRole(ORDERBOOK_ROLE) {
        require(!marketSettled[marketId], "settled");
        require(sizeDelta != 0 && executionPrice > 0, "fill");
        _applyFill(user, marketId, sizeDelta, executionPrice, requiredMargin);
        _requireSolvent(user);
    }

    function lockMargin(address user, bytes32 marketId, uint256 amount) external onlyRole(ORDERBOOK_ROLE) {
        uint256 before = userMarketMargin[user][marketId];
        userMarketMargin[user][marketId] = before + amount;
        _moveLocked(user, marketId, before, before + amount);
        _requireSolvent(user);
    }

    function releaseMargin(address user, bytes32 marketId, uint256 amount) external onlyRole(ORDERBOOK_ROLE) {
        uint256 before = userMarketMargin[user][marketId];
        require(amount <= before, "amount");
        userMarketMargin[user][marketId] = before - amount;
        _moveLocked(user, marketId, before, before - amount);
    }

    /// @notice Sets the margin reserved for a resting order (replaces the previous reservation of that order).
    function reserveMargin(address user, bytes32 orderId, bytes32 marketId, uint256 amount)
        external
        onlyRole(ORDERBOOK_ROLE)
    {
        require(!marketSettled[marketId], "settled");
        userReservedTotal[user] = userReservedTotal[user] - orderReservations[user][orderId] + amount;
        orderReservations[user][orderId] = amount;
        _requireSolvent(user);
    }

    function unreserveMargin(address user, bytes32 orderId) external onlyRole(ORDERBOOK_ROLE) {
        userReservedTotal[user] -= orderReservations[user][orderId];
        orderReservations[user][orderId] = 0;
    }

    /// @notice Moves free collateral between users (trading fees).
    function transferCollateral(address from, address to, uint256 amount) external onlyRole(ORDERBOOK_ROLE) {
        require(amount <= userCollateral[from], "amount");
        userCollateral[from] -= amount;
        userCollateral[to] += amount;
        _requireSolvent(from);
    }

    function liquidateLong(address, bytes32, address, uint256) external onlyRole(ORDERBOOK_ROLE) nonReentrant {
        _delegateToLiquidationManager();
    }

    function liquidateShort(address, bytes32, address, uint256) external onlyRole(ORDERBOOK_ROLE) nonReentrant {
        _delegateToLiquidationManager();
    }

    function _delegateToLiquidationManager() private {
        address manager = liquidationManager;
        require(manager != address(0), "no liquidation manager");
        (bool ok, bytes memory returned) = manager.delegatecall(msg.data);
        if (!ok) {
            assembly {
                revert(add(returned, 32), mload(returned))
            }
        }
    }

    // ---------------------------------------------------------------- prices and settlement

    function updateMarkPrice(bytes32 marketId, uint256 price) external onlyRole(SETTLEMENT_ROLE) {
        require(price > 0, "price");
        marketMarkPrices[marketId] = price;
    }

    /// @notice No role check: anyone may settle an assigned market once; every known user's position closes at
    /// `finalPrice`.
    function settleMarket(bytes32 marketId, uint256 finalPrice) external nonReentrant {
        require(marketToOrderBook[marketId] != address(0), "unknown market");
        require(!marketSettled[marketId], "settled");
        require(finalPrice > 0, "price");
        marketSettled[marketId] = true;
        marketMarkPrices[marketId] = finalPrice;
        (uint256 profit, uint256 loss, uint256 badDebt) = (0, 0, 0);
        for (uint256 i = 0; i < allKnownUsers.length; i++) {
            address user = allKnownUsers[i];
            (bool found, int256 size,,) = DexetraPositionManager.positionOf(userPositions[user], marketId);
            if (!found) continue;
            (DexetraPositionManager.Fill memory f, uint256 userBadDebt) =
                _applyFill(user, marketId, -size, finalPrice, 0);
            int256 pnl = f.realizedPnl6;
            badDebt += userBadDebt;
            if (pnl > 0) profit += uint256(pnl);
            else loss += uint256(-pnl);
        }
        emit VaultMarketSettled(marketId, finalPrice, profit, loss, badDebt);
    }

    function getMarkPrice(bytes32 marketId) external view returns (uint256) {
        return marketMarkPrices[marketId];
    }

    // ---------------------------------------------------------------- external credit

    function creditExternal(address user, uint256 amount) external onlyRole(EXTERNAL_CREDITOR_ROLE) {
        userCrossChainCredit[user] += amount;
        _know(user);
        emit ExternalCreditAdded(user, amount);
    }

    function debitExternal(address user, uint256 amount) external onlyRole(EXTERNAL_CREDITOR_ROLE) {
        require(amount <= userCrossChainCredit[user], "amount");
        userCrossChainCredit[user] -= amount;
        _requireSolvent(user);
        emit ExternalCreditRemoved(user, amount);
    }

    // ---------------------------------------------------------------- views

    function getUserPositions(address user) external view returns (DexetraPositionManager.Position[] memory) {
        return userPositions[user];
    }

    function getAvailableCollateral(address user) public view returns (uint256) {
        return DexetraVaultAnalytics.availableCollateral(
            userCollateral[user], userCrossChainCredit[user], userMarginTotal[user], userReservedTotal[user]
        );
    }

    function _requireSolvent(address user) private view {
        require(
            userCollateral[user] + userCrossChainCredit[user] >= userMarginTotal[user] + userReservedTotal[user],
            "insufficient collateral"
        );
    }
}
