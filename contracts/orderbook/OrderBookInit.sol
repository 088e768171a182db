// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LibOrderBook} from "./libraries/LibOrderBook.sol";

/// @notice diamondCut init for a new OrderBook: sets its vault and market once. Never added as a facet.
contract OrderBookInit {
    event OrderBookInitialized(address indexed vault, bytes32 indexed marketId);

    function obInitialize(address vault, bytes32 marketId) external {
        LibOrderBook.Storage storage s = LibOrderBook.layout();
        if (s.initialized) revert LibOrderBook.AlreadyInitialized();
        if (vault == address(0)) revert LibOrderBook.ZeroVaultAddress();
        s.vault = vault;
        s.marketId = marketId;
        s.initialized = true;
        s.nextOrderId = 1;
        emit OrderBookInitialized(vault, marketId);
    }
}
