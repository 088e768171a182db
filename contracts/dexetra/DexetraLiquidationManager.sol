// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {DexetraPositionManager} from "./DexetraPositionManager.sol";
import {DexetraVaultAnalytics} from "./DexetraVaultAnalytics.sol";
import {DexetraVaultBase} from "./DexetraVaultBase.sol";

/// @notice Stand-in for Dexetra v5's LiquidationManager: the vault delegatecalls its liquidations here, so this code
/// runs on the vault's storage (same layout, `DexetraVaultBase`). Called directly it only sees its own empty storage.
contract DexetraLiquidationManager is DexetraVaultBase {
    uint256 internal constant LIQUIDATOR_REWARD_BPS = 50;

    constructor(address collateralToken_, address admin) DexetraVaultBase(collateralToken_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    function liquidateLong(address user, bytes32 marketId, address liquidator, uint256 markPrice) external {
        _liquidate(user, marketId, liquidator, markPrice, true);
    }

    function liquidateShort(address user, bytes32 marketId, address liquidator, uint256 markPrice) external {
        _liquidate(user, marketId, liquidator, markPrice, false);
    }

    function _liquidate(address user, bytes32 marketId, address liquidator, uint256 markPrice, bool isLong) private {
        (bool found, int256 size, uint256 entryPrice, uint256 margin) =
            DexetraPositionManager.positionOf(userPositions[user], marketId);
        require(found && (isLong ? size > 0 : size < 0), "no position");
        uint256 mmrBps = DexetraVaultAnalytics.effectiveMmrBps(baseMmrBps, penaltyMmrBps, maxMmrBps);
        require(DexetraVaultAnalytics.isLiquidatable(size, entryPrice, margin, markPrice, mmrBps), "not liquidatable");
        _applyFill(user, marketId, -size, markPrice, 0);
        uint256 absSize = size >= 0 ? uint256(size) : uint256(-size);
        uint256 reward = (absSize * markPrice / 1e18) * LIQUIDATOR_REWARD_BPS / 10_000;
        if (reward > userCollateral[user]) reward = userCollateral[user];
        userCollateral[user] -= reward;
        userCollateral[liquidator] += reward;
        emit LiquidationExecuted(user, marketId, liquidator, markPrice, reward);
    }
}
