// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LibOrderBook} from "../libraries/LibOrderBook.sol";

contract OrderBookViewFacet {
    function vault() external view returns (address) {
        return LibOrderBook.layout().vault;
    }

    function marketId() external view returns (bytes32) {
        return LibOrderBook.layout().marketId;
    }

    function getOrder(uint256 orderId) external view returns (LibOrderBook.Order memory) {
        return LibOrderBook.layout().orders[orderId];
    }

    function nextOrderId() external view returns (uint256) {
        return LibOrderBook.layout().nextOrderId;
    }
}
