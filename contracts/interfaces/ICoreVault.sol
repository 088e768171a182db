// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice What an OrderBook (and the factory, hub and keepers) may call on the CoreVault.
/// Amounts are in collateral units (USDC, 6 decimals). Sizes are base-asset units with 18 decimals;
/// prices are collateral units (6 decimals) per 1e18 of size. A position's notional = |size| * price / 1e18.
interface ICoreVault {
    // --- OrderBook-only (caller must hold ORDERBOOK_ROLE and be the OrderBook assigned to marketId) ---
    function lockMargin(address user, bytes32 marketId, uint256 amount) external;
    function releaseMargin(address user, bytes32 marketId, uint256 amount) external;
    /// @dev Applies a fill: sizeDelta > 0 buys, < 0 sells, at `price`.
    function updatePosition(address user, bytes32 marketId, int256 sizeDelta, uint256 price) external;
    /// @dev Closes a liquidatable position at the mark price and pays `liquidator` the reward.
    function updatePositionWithLiquidation(address user, bytes32 marketId, address liquidator) external;

    // --- views ---
    function isLiquidatable(address user, bytes32 marketId) external view returns (bool);
    function markPrice(bytes32 marketId) external view returns (uint256);
    function collateralToken() external view returns (address);
    function availableCollateral(address user) external view returns (uint256);

    // --- registry (FACTORY_ROLE or admin) ---
    function registerOrderBook(address orderBook) external;
    function assignMarketToOrderBook(bytes32 marketId, address orderBook) external;
    function marketToOrderBook(bytes32 marketId) external view returns (address);

    // --- roles used across the system ---
    function ORDERBOOK_ROLE() external view returns (bytes32);
    function grantRole(bytes32 role, address account) external;

    // --- external credit (EXTERNAL_CREDITOR_ROLE) ---
    function creditExternal(address user, uint256 amount) external;
    function debitExternal(address user, uint256 amount) external;
}
