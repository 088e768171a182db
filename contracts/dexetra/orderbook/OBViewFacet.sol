// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LibDexetraOrderBook} from "./LibDexetraOrderBook.sol";

/// @notice Reads of a market. There is no `vault()` or `marketId()`: `marketStatic()` gives both.
contract OBViewFacet {
    function marketStatic() external view returns (address vault, bytes32 marketId, bool useVWAP, uint256 vwapWindow) {
        LibDexetraOrderBook.Layout storage s = LibDexetraOrderBook.layout();
        return (s.vault, s.marketId, s.useVWAP, s.vwapWindow);
    }

    function getOrder(uint256 orderId) external view returns (LibDexetraOrderBook.Order memory) {
        return LibDexetraOrderBook.layout().orders[orderId];
    }

    function lastTradePrice() external view returns (uint256) {
        return LibDexetraOrderBook.layout().lastTradePrice;
    }

    function getTradingParameters()
        external
        view
        returns (uint256 marginRequirementBps, uint256 tradingFeeBps, address feeRecipient)
    {
        LibDexetraOrderBook.Layout storage s = LibDexetraOrderBook.layout();
        return (s.marginRequirementBps, s.tradingFeeBps, s.feeRecipient);
    }
}
