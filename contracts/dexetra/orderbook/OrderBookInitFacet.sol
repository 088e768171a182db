// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LibDexetraOrderBook} from "./LibDexetraOrderBook.sol";

/// @notice Sets a market's static state once, run by the diamond's constructor as its init (delegatecall).
contract OrderBookInitFacet {
    function obInitialize(address vault, bytes32 marketId, address feeRecipient) external {
        LibDexetraOrderBook.Layout storage s = LibDexetraOrderBook.layout();
        require(s.vault == address(0), "OB: already initialized");
        require(vault != address(0), "OB: zero vault");
        s.vault = vault;
        s.marketId = marketId;
        s.feeRecipient = feeRecipient;
        s.useVWAP = true;
        s.vwapWindow = 3600;
        s.marginRequirementBps = 1000;
        s.tradingFeeBps = 5;
    }
}
