// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice The CoreVault functions an OrderBook calls (it needs ORDERBOOK_ROLE on the vault for them).
interface IDexetraVaultForOrderBook {
    struct Position {
        bytes32 marketId;
        int256 size;
        uint256 entryPrice;
        uint256 marginLocked;
        uint256 socializedLossAccrued6;
        uint256 haircutUnits18;
        uint256 liquidationPrice;
    }

    function updatePositionWithMargin(address user, bytes32 marketId, int256 sizeDelta, uint256 price, uint256 margin)
        external;
    function reserveMargin(address user, bytes32 orderId, bytes32 marketId, uint256 amount) external;
    function unreserveMargin(address user, bytes32 orderId) external;
    function transferCollateral(address from, address to, uint256 amount) external;
    function liquidateLong(address user, bytes32 marketId, address liquidator, uint256 markPrice) external;
    function liquidateShort(address user, bytes32 marketId, address liquidator, uint256 markPrice) external;
    function getMarkPrice(bytes32 marketId) external view returns (uint256);
    function getUserPositions(address user) external view returns (Position[] memory);
}

/// @notice Dexetra v5's market storage at keccak256("hyperliquid.orderbook.storage.v1"): word 0 `vault`, word 1
/// `marketId`, word 2 `feeRecipient`. Set once by `obInitialize`; no facet writes `vault` afterwards.
library LibDexetraOrderBook {
    bytes32 internal constant STORAGE_POSITION = keccak256("hyperliquid.orderbook.storage.v1");

    struct Order {
        address trader;
        bool isBuy;
        uint256 price;
        uint256 amount;
    }

    struct Layout {
        address vault; // word 0
        bytes32 marketId; // word 1
        address feeRecipient; // word 2
        uint256 vwapWindow; // word 3
        bool useVWAP; // word 4
        uint256 marginRequirementBps;
        uint256 tradingFeeBps;
        uint256 nextOrderId;
        uint256 lastTradePrice;
        uint256[] bids;
        uint256[] asks;
        mapping(uint256 => Order) orders;
    }

    event OrderPlaced(uint256 indexed orderId, address indexed trader, bool isBuy, uint256 price, uint256 amount);
    event OrderCancelled(uint256 indexed orderId, address indexed trader);
    event TradeExecuted(address indexed buyer, address indexed seller, uint256 price, uint256 amount);

    function layout() internal pure returns (Layout storage s) {
        bytes32 position = STORAGE_POSITION;
        assembly {
            s.slot := position
        }
    }

    function vault() internal view returns (IDexetraVaultForOrderBook) {
        return IDexetraVaultForOrderBook(layout().vault);
    }

    /// @return margin the vault must hold for `amount` (18 decimals) at `price` (6 decimals).
    function marginFor(uint256 price, uint256 amount) internal view returns (uint256) {
        return (amount * price / 1e18) * layout().marginRequirementBps / 10_000;
    }

    /// @dev Books a fill of `amount` at `price` on both sides in the vault; the taker pays the trading fee.
    function trade(address buyer, address seller, address taker, uint256 price, uint256 amount) internal {
        Layout storage s = layout();
        uint256 margin = marginFor(price, amount);
        vault().updatePositionWithMargin(buyer, s.marketId, int256(amount), price, margin);
        vault().updatePositionWithMargin(seller, s.marketId, -int256(amount), price, margin);
        uint256 fee = (amount * price / 1e18) * s.tradingFeeBps / 10_000;
        if (fee > 0 && s.feeRecipient != address(0)) vault().transferCollateral(taker, s.feeRecipient, fee);
        s.lastTradePrice = price;
        emit TradeExecuted(buyer, seller, price, amount);
    }
}
