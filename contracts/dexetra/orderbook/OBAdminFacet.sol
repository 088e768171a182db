// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LibDexetraDiamond} from "./LibDexetraDiamond.sol";
import {LibDexetraOrderBook} from "./LibDexetraOrderBook.sol";

/// @notice Owner-only trading parameters. No pause, and nothing here can change the market's vault.
contract OBAdminFacet {
    event TradingParametersUpdated(uint256 marginRequirementBps, uint256 tradingFeeBps, address feeRecipient);

    function updateTradingParameters(uint256 marginRequirementBps, uint256 tradingFeeBps, address feeRecipient)
        external
    {
        LibDexetraDiamond.enforceIsContractOwner();
        require(marginRequirementBps > 0 && marginRequirementBps <= 10_000 && tradingFeeBps <= 1_000, "OB: bad params");
        LibDexetraOrderBook.Layout storage s = LibDexetraOrderBook.layout();
        (s.marginRequirementBps, s.tradingFeeBps, s.feeRecipient) = (marginRequirementBps, tradingFeeBps, feeRecipient);
        emit TradingParametersUpdated(marginRequirementBps, tradingFeeBps, feeRecipient);
    }
}
