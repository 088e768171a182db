// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Position bookkeeping of the CoreVault. An external library: the vault must be linked against it.
library PositionManager {
    struct Position {
        int256 size; // 18 decimals; > 0 long, < 0 short
        uint256 entryPrice; // collateral units per 1e18 size
    }

    /// @notice Applies a fill of `sizeDelta` at `price`. Adding to a position averages the entry price; reducing keeps
    /// it; flipping sides opens the remainder at `price`.
    /// @return realizedPnl profit (+) or loss (-) on the closed part, in collateral units.
    function applyFill(Position storage position, int256 sizeDelta, uint256 price)
        external
        returns (int256 realizedPnl)
    {
        int256 oldSize = position.size;
        int256 newSize = oldSize + sizeDelta;
        if (oldSize == 0 || (oldSize > 0) == (sizeDelta > 0)) {
            uint256 oldAbs = _abs(oldSize);
            uint256 deltaAbs = _abs(sizeDelta);
            position.entryPrice = (oldAbs * position.entryPrice + deltaAbs * price) / (oldAbs + deltaAbs);
        } else {
            int256 closed = _abs(sizeDelta) <= _abs(oldSize) ? -sizeDelta : oldSize;
            realizedPnl = closed * (int256(price) - int256(position.entryPrice)) / 1e18;
            if (newSize != 0 && (newSize > 0) != (oldSize > 0)) position.entryPrice = price;
        }
        if (newSize == 0) position.entryPrice = 0;
        position.size = newSize;
    }

    function _abs(int256 x) private pure returns (uint256) {
        return x >= 0 ? uint256(x) : uint256(-x);
    }
}
