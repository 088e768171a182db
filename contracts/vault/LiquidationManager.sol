// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

interface ILiquidationManager {
    function liquidatorReward(uint256 notional, uint256 remainingMargin) external view returns (uint256);
}

/// @notice Decides the reward a liquidator earns; the CoreVault pays it out of the liquidated position's margin.
contract LiquidationManager is ILiquidationManager, AccessControl {
    uint256 public constant MAX_REWARD_BPS = 1_000;

    uint256 public rewardBps;

    event RewardBpsUpdated(uint256 previous, uint256 current);

    error RewardTooHigh(uint256 rewardBps, uint256 max);

    constructor(address admin, uint256 initialRewardBps) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setRewardBps(initialRewardBps);
    }

    function setRewardBps(uint256 newRewardBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setRewardBps(newRewardBps);
    }

    /// @return reward notional * rewardBps / 10 000, never more than what is left of the margin.
    function liquidatorReward(uint256 notional, uint256 remainingMargin) external view returns (uint256 reward) {
        reward = notional * rewardBps / 10_000;
        if (reward > remainingMargin) reward = remainingMargin;
    }

    function _setRewardBps(uint256 newRewardBps) private {
        if (newRewardBps > MAX_REWARD_BPS) revert RewardTooHigh(newRewardBps, MAX_REWARD_BPS);
        emit RewardBpsUpdated(rewardBps, newRewardBps);
        rewardBps = newRewardBps;
    }
}
