// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Stand-in for Dexetra v5's `PositionManager` external library: a user's positions, one per market, kept
/// in an array (what `getUserPositions` returns). Sizes have 18 decimals, prices and margins 6.
library DexetraPositionManager {
    struct Position {
        bytes32 marketId;
        int256 size;
        uint256 entryPrice;
        uint256 marginLocked;
        uint256 socializedLossAccrued6;
        uint256 haircutUnits18;
        uint256 liquidationPrice;
    }

    struct Fill {
        int256 oldSize;
        int256 newSize;
        uint256 entryPrice;
        uint256 marginBefore;
        uint256 marginAfter;
        int256 realizedPnl6;
    }

    /// @notice Applies a fill of `sizeDelta` at `price`. Adding locks `marginForDelta` more; reducing releases
    /// margin in proportion; flipping locks `marginForDelta` pro rata for the part opened. A closed position is
    /// removed.
    function applyFill(
        Position[] storage positions,
        bytes32 marketId,
        int256 sizeDelta,
        uint256 price,
        uint256 marginForDelta
    )
        external
        returns (Fill memory f)
    {
        uint256 i = _indexOrPush(positions, marketId);
        Position storage p = positions[i];
        f.oldSize = p.size;
        f.marginBefore = p.marginLocked;
        int256 newSize = p.size + sizeDelta;
        uint256 oldAbs = _abs(p.size);
        uint256 deltaAbs = _abs(sizeDelta);
        if (p.size == 0 || (p.size > 0) == (sizeDelta > 0)) {
            p.entryPrice = (oldAbs * p.entryPrice + deltaAbs * price) / (oldAbs + deltaAbs);
            p.marginLocked += marginForDelta;
        } else {
            uint256 closedAbs = deltaAbs <= oldAbs ? deltaAbs : oldAbs;
            int256 closed = p.size > 0 ? int256(closedAbs) : -int256(closedAbs);
            f.realizedPnl6 = closed * (int256(price) - int256(p.entryPrice)) / 1e18;
            if (deltaAbs <= oldAbs) {
                p.marginLocked = p.marginLocked * _abs(newSize) / oldAbs;
            } else {
                p.entryPrice = price;
                p.marginLocked = marginForDelta * _abs(newSize) / deltaAbs;
            }
        }
        p.size = newSize;
        f.newSize = newSize;
        if (newSize == 0) {
            positions[i] = positions[positions.length - 1];
            positions.pop();
        } else {
            p.liquidationPrice = _liquidationPrice(newSize, p.entryPrice, p.marginLocked);
            f.entryPrice = p.entryPrice;
            f.marginAfter = p.marginLocked;
        }
    }

    /// @notice Adds `amount` to the margin of an existing position.
    function addMargin(Position[] storage positions, bytes32 marketId, uint256 amount)
        external
        returns (uint256 marginBefore, uint256 marginAfter)
    {
        (bool found, uint256 i) = _find(positions, marketId);
        require(found, "no position");
        Position storage p = positions[i];
        marginBefore = p.marginLocked;
        marginAfter = marginBefore + amount;
        p.marginLocked = marginAfter;
        p.liquidationPrice = _liquidationPrice(p.size, p.entryPrice, marginAfter);
    }

    function positionOf(Position[] storage positions, bytes32 marketId)
        external
        view
        returns (bool found, int256 size, uint256 entryPrice, uint256 marginLocked)
    {
        uint256 i;
        (found, i) = _find(positions, marketId);
        if (!found) return (false, 0, 0, 0);
        Position storage p = positions[i];
        (size, entryPrice, marginLocked) = (p.size, p.entryPrice, p.marginLocked);
    }

    function _indexOrPush(Position[] storage positions, bytes32 marketId) private returns (uint256) {
        (bool found, uint256 i) = _find(positions, marketId);
        if (found) return i;
        positions.push(Position(marketId, 0, 0, 0, 0, 0, 0));
        return positions.length - 1;
    }

    function _find(Position[] storage positions, bytes32 marketId) private view returns (bool, uint256) {
        for (uint256 i = 0; i < positions.length; i++) {
            if (positions[i].marketId == marketId) return (true, i);
        }
        return (false, 0);
    }

    /// @dev The price at which the position's loss equals its margin.
    function _liquidationPrice(int256 size, uint256 entryPrice, uint256 margin) private pure returns (uint256) {
        uint256 perUnit = margin * 1e18 / _abs(size);
        if (size < 0) return entryPrice + perUnit;
        return entryPrice > perUnit ? entryPrice - perUnit : 0;
    }

    function _abs(int256 x) private pure returns (uint256) {
        return x >= 0 ? uint256(x) : uint256(-x);
    }
}
