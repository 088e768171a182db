// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LibDexetraOrderBook} from "./LibDexetraOrderBook.sol";

/// @notice Limit orders: an order first matches resting orders of the other side at their price, the rest rests with
/// its margin reserved in the vault. Every fill moves margin and positions through the vault (ORDERBOOK_ROLE).
contract OBOrderPlacementFacet {
    function placeLimitOrder(uint256 price, uint256 amount, bool isBuy) external returns (uint256 orderId) {
        require(price > 0 && amount > 0, "OB: invalid order");
        LibDexetraOrderBook.Layout storage s = LibDexetraOrderBook.layout();
        orderId = ++s.nextOrderId;
        uint256 remaining = _match(s, price, amount, isBuy);
        if (remaining == 0) return orderId;
        s.orders[orderId] = LibDexetraOrderBook.Order(msg.sender, isBuy, price, remaining);
        (isBuy ? s.bids : s.asks).push(orderId);
        LibDexetraOrderBook.vault().reserveMargin(
            msg.sender, bytes32(orderId), s.marketId, LibDexetraOrderBook.marginFor(price, remaining)
        );
        emit LibDexetraOrderBook.OrderPlaced(orderId, msg.sender, isBuy, price, remaining);
    }

    function cancelOrder(uint256 orderId) external {
        LibDexetraOrderBook.Layout storage s = LibDexetraOrderBook.layout();
        LibDexetraOrderBook.Order storage order = s.orders[orderId];
        require(order.trader == msg.sender, "OB: not your order");
        _unlist(order.isBuy ? s.bids : s.asks, orderId);
        delete s.orders[orderId];
        LibDexetraOrderBook.vault().unreserveMargin(msg.sender, bytes32(orderId));
        emit LibDexetraOrderBook.OrderCancelled(orderId, msg.sender);
    }

    /// @return remaining what is left of `amount` after matching crossing resting orders.
    function _match(LibDexetraOrderBook.Layout storage s, uint256 price, uint256 amount, bool isBuy)
        private
        returns (uint256 remaining)
    {
        remaining = amount;
        uint256[] storage resting = isBuy ? s.asks : s.bids;
        uint256 i = 0;
        while (i < resting.length && remaining > 0) {
            uint256 makerId = resting[i];
            LibDexetraOrderBook.Order storage maker = s.orders[makerId];
            if (isBuy ? maker.price > price : maker.price < price) {
                i++;
                continue;
            }
            uint256 fill = remaining < maker.amount ? remaining : maker.amount;
            (uint256 makerPrice, address makerTrader) = (maker.price, maker.trader);
            remaining -= fill;
            maker.amount -= fill;
            if (maker.amount == 0) {
                resting[i] = resting[resting.length - 1];
                resting.pop();
                delete s.orders[makerId];
                LibDexetraOrderBook.vault().unreserveMargin(makerTrader, bytes32(makerId));
            } else {
                LibDexetraOrderBook.vault().reserveMargin(
                    makerTrader, bytes32(makerId), s.marketId, LibDexetraOrderBook.marginFor(makerPrice, maker.amount)
                );
                i++;
            }
            if (isBuy) LibDexetraOrderBook.trade(msg.sender, makerTrader, msg.sender, makerPrice, fill);
            else LibDexetraOrderBook.trade(makerTrader, msg.sender, msg.sender, makerPrice, fill);
        }
    }

    function _unlist(uint256[] storage list, uint256 orderId) private {
        for (uint256 i = 0; i < list.length; i++) {
            if (list[i] == orderId) {
                list[i] = list[list.length - 1];
                list.pop();
                return;
            }
        }
    }
}
