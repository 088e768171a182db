// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Stand-in for Dexetra v5's `VaultAnalytics` external library: collateral and risk math (6-decimal money,
/// 18-decimal sizes).
library DexetraVaultAnalytics {
    /// @return free collateral: deposits + cross-chain credit - locked margin - reserved margin, floored at zero.
    function availableCollateral(uint256 collateral, uint256 credit, uint256 locked, uint256 reserved)
        external
        pure
        returns (uint256)
    {
        uint256 total = collateral + credit;
        uint256 used = locked + reserved;
        return total > used ? total - used : 0;
    }

    /// @return bps the maintenance margin rate: base + penalty, capped at max.
    function effectiveMmrBps(uint256 baseMmrBps, uint256 penaltyMmrBps, uint256 maxMmrBps)
        external
        pure
        returns (uint256 bps)
    {
        bps = baseMmrBps + penaltyMmrBps;
        if (bps > maxMmrBps) bps = maxMmrBps;
    }

    /// @return whether margin + unrealized pnl at `mark` is below the maintenance margin.
    function isLiquidatable(int256 size, uint256 entryPrice, uint256 margin, uint256 mark, uint256 mmrBps)
        external
        pure
        returns (bool)
    {
        if (size == 0 || mark == 0) return false;
        uint256 absSize = size >= 0 ? uint256(size) : uint256(-size);
        int256 equity = int256(margin) + size * (int256(mark) - int256(entryPrice)) / 1e18;
        return equity < int256((absSize * mark / 1e18) * mmrBps / 10_000);
    }
}
