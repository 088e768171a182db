// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICoreVault} from "../../interfaces/ICoreVault.sol";
import {LibOrderBook} from "../libraries/LibOrderBook.sol";

/// @notice Order placement, matching and liquidation; all margin and position changes go through the vault.
contract OrderBookTradingFacet {
    uint256 public constant INITIAL_MARGIN_BPS = 1000;
    uint256 private constant BPS = 10_000;
    uint256 private constant SIZE_UNIT = 1e18;

    event OrderPlaced(uint256 indexed orderId, address indexed trader, bool isBuy, uint256 price, uint256 size, uint256 margin);
    event OrderCancelled(uint256 indexed orderId, address indexed trader, uint256 remainingSize, uint256 releasedMargin);
    event OrderMatched(uint256 indexed buyOrderId, uint256 indexed sellOrderId, uint256 price, uint256 size);
    event LiquidationTriggered(address indexed trader, address indexed liquidator);

    error OrderTooSmall(uint256 price, uint256 size);
    error NotOrderTrader(uint256 orderId, address caller);
    error OrderNotActive(uint256 orderId);
    error WrongSides(uint256 buyOrderId, uint256 sellOrderId);
    error PricesDoNotCross(uint256 buyPrice, uint256 sellPrice);

    function placeOrder(bool isBuy, uint256 price, uint256 size) external returns (uint256 orderId) {
        LibOrderBook.Storage storage s = LibOrderBook.initialized();
        uint256 margin = initialMargin(price, size);
        if (margin == 0) revert OrderTooSmall(price, size);
        orderId = s.nextOrderId++;
        s.orders[orderId] = LibOrderBook.Order(orderId, msg.sender, isBuy, price, size, true);
        ICoreVault(s.vault).lockMargin(msg.sender, s.marketId, margin);
        emit OrderPlaced(orderId, msg.sender, isBuy, price, size, margin);
    }

    function cancelOrder(uint256 orderId) external {
        LibOrderBook.Storage storage s = LibOrderBook.initialized();
        LibOrderBook.Order storage order = s.orders[orderId];
        if (order.trader != msg.sender) revert NotOrderTrader(orderId, msg.sender);
        if (!order.active) revert OrderNotActive(orderId);
        order.active = false;
        uint256 released = initialMargin(order.price, order.remainingSize);
        if (released > 0) ICoreVault(s.vault).releaseMargin(msg.sender, s.marketId, released);
        emit OrderCancelled(orderId, msg.sender, order.remainingSize, released);
    }

    /// @notice Fills the smaller remaining size at the resting sell order's price.
    function matchOrders(uint256 buyOrderId, uint256 sellOrderId) external {
        LibOrderBook.Storage storage s = LibOrderBook.initialized();
        LibOrderBook.Order storage buy = s.orders[buyOrderId];
        LibOrderBook.Order storage sell = s.orders[sellOrderId];
        if (!buy.active) revert OrderNotActive(buyOrderId);
        if (!sell.active) revert OrderNotActive(sellOrderId);
        if (!buy.isBuy || sell.isBuy) revert WrongSides(buyOrderId, sellOrderId);
        if (buy.price < sell.price) revert PricesDoNotCross(buy.price, sell.price);

        uint256 price = sell.price;
        uint256 fill = buy.remainingSize < sell.remainingSize ? buy.remainingSize : sell.remainingSize;
        // The buyer locked margin at its limit price; the position only needs it at the fill price.
        uint256 buyExcess = consume(buy, fill) - initialMargin(price, fill);
        consume(sell, fill);

        ICoreVault vault = ICoreVault(s.vault);
        vault.updatePosition(buy.trader, s.marketId, int256(fill), price);
        vault.updatePosition(sell.trader, s.marketId, -int256(fill), price);
        if (buyExcess > 0) vault.releaseMargin(buy.trader, s.marketId, buyExcess);
        emit OrderMatched(buyOrderId, sellOrderId, price, fill);
    }

    function liquidate(address trader) external {
        LibOrderBook.Storage storage s = LibOrderBook.initialized();
        ICoreVault(s.vault).updatePositionWithLiquidation(trader, s.marketId, msg.sender);
        emit LiquidationTriggered(trader, msg.sender);
    }

    function initialMargin(uint256 price, uint256 size) internal pure returns (uint256) {
        return (price * size / SIZE_UNIT) * INITIAL_MARGIN_BPS / BPS;
    }

    /// @dev Reduces the order by `fill` and returns the margin that was locked for that part. Computed as a
    /// difference so that the parts plus the margin of what remains always add up to what placeOrder locked.
    function consume(LibOrderBook.Order storage order, uint256 fill) private returns (uint256 lockedForFill) {
        uint256 before = order.remainingSize;
        order.remainingSize = before - fill;
        if (order.remainingSize == 0) order.active = false;
        lockedForFill = initialMargin(order.price, before) - initialMargin(order.price, order.remainingSize);
    }
}
