// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Risk math of the CoreVault. An external library: the vault must be linked against a deployed instance.
library VaultAnalytics {
    uint256 internal constant SIZE_UNIT = 1e18;
    uint256 internal constant BPS = 10_000;

    /// @return pnl unrealized profit (+) or loss (-) in collateral units of `size` opened at `entryPrice`, at `mark`.
    function unrealizedPnl(int256 size, uint256 entryPrice, uint256 mark) external pure returns (int256 pnl) {
        return _pnl(size, entryPrice, mark);
    }

    /// @return maintenance margin required for `size` at `mark`: notional * mmrBps / 10 000.
    function maintenanceMargin(int256 size, uint256 mark, uint256 mmrBps) public pure returns (uint256) {
        return (_abs(size) * mark / SIZE_UNIT) * mmrBps / BPS;
    }

    /// @return equity margin + unrealized pnl, floored at zero.
    function equity(uint256 margin, int256 size, uint256 entryPrice, uint256 mark) public pure returns (uint256) {
        int256 value = int256(margin) + _pnl(size, entryPrice, mark);
        return value > 0 ? uint256(value) : 0;
    }

    function isLiquidatable(uint256 margin, int256 size, uint256 entryPrice, uint256 mark, uint256 mmrBps)
        external
        pure
        returns (bool)
    {
        if (size == 0 || mark == 0) return false;
        return equity(margin, size, entryPrice, mark) < maintenanceMargin(size, mark, mmrBps);
    }

    function _pnl(int256 size, uint256 entryPrice, uint256 mark) private pure returns (int256) {
        return size * (int256(mark) - int256(entryPrice)) / int256(SIZE_UNIT);
    }

    function _abs(int256 x) private pure returns (uint256) {
        return x >= 0 ? uint256(x) : uint256(-x);
    }
}
