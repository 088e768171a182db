// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IDexetraVaultForOrderBook, LibDexetraOrderBook} from "./LibDexetraOrderBook.sol";

/// @notice Liquidates a user's position in this market at the vault's mark price; the caller is the liquidator.
contract OBLiquidationFacet {
    function liquidate(address user) external {
        LibDexetraOrderBook.Layout storage s = LibDexetraOrderBook.layout();
        IDexetraVaultForOrderBook vault = LibDexetraOrderBook.vault();
        IDexetraVaultForOrderBook.Position[] memory positions = vault.getUserPositions(user);
        uint256 mark = vault.getMarkPrice(s.marketId);
        for (uint256 i = 0; i < positions.length; i++) {
            if (positions[i].marketId != s.marketId) continue;
            if (positions[i].size > 0) vault.liquidateLong(user, s.marketId, msg.sender, mark);
            else vault.liquidateShort(user, s.marketId, msg.sender, mark);
            return;
        }
        revert("OB: no position");
    }
}
