// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICoreVault} from "../../interfaces/ICoreVault.sol";

/// @notice Test-only: records every OrderBook -> vault call as an event (caller included). Not a real vault.
contract RecordingVault is ICoreVault {
    event LockMarginCalled(address caller, address user, bytes32 marketId, uint256 amount);
    event ReleaseMarginCalled(address caller, address user, bytes32 marketId, uint256 amount);
    event UpdatePositionCalled(address caller, address user, bytes32 marketId, int256 sizeDelta, uint256 price);
    event LiquidationCalled(address caller, address user, bytes32 marketId, address liquidator);

    function lockMargin(address user, bytes32 marketId, uint256 amount) external {
        emit LockMarginCalled(msg.sender, user, marketId, amount);
    }

    function releaseMargin(address user, bytes32 marketId, uint256 amount) external {
        emit ReleaseMarginCalled(msg.sender, user, marketId, amount);
    }

    function updatePosition(address user, bytes32 marketId, int256 sizeDelta, uint256 price) external {
        emit UpdatePositionCalled(msg.sender, user, marketId, sizeDelta, price);
    }

    function updatePositionWithLiquidation(address user, bytes32 marketId, address liquidator) external {
        emit LiquidationCalled(msg.sender, user, marketId, liquidator);
    }

    function isLiquidatable(address, bytes32) external pure returns (bool) {
        return false;
    }

    function markPrice(bytes32) external pure returns (uint256) {
        return 0;
    }

    function collateralToken() external pure returns (address) {
        return address(0);
    }

    function availableCollateral(address) external pure returns (uint256) {
        return 0;
    }

    function registerOrderBook(address) external {}

    function assignMarketToOrderBook(bytes32, address) external {}

    function marketToOrderBook(bytes32) external pure returns (address) {
        return address(0);
    }

    function ORDERBOOK_ROLE() external pure returns (bytes32) {
        return keccak256("ORDERBOOK_ROLE");
    }

    function grantRole(bytes32, address) external {}

    function creditExternal(address, uint256) external {}

    function debitExternal(address, uint256) external {}
}
