// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LibFacetAuth} from "../facets/LibFacetAuth.sol";

/// @notice Test-only second version of MarketInfoFacet, for the ABI shape diff: listMarket gains a tick size (same
/// name, changed signature), delistMarket is dropped (a breaking removal), tickSize() is new; the views keep their
/// signatures. Same ERC-7201 namespace and layout as V1.
contract MarketInfoFacetV2 {
    struct Market {
        string symbol;
        uint8 decimals;
        bool listed;
        uint256 tickSize;
    }

    /// @custom:storage-location erc7201:cutover.facets.market-info
    struct MarketStorage {
        mapping(bytes32 marketId => Market) markets;
        bytes32[] ids;
    }

    bytes32 private constant SLOT = 0x0185949da2c8ffff0736eec5d6003f7f31fd44eea2d11f6244ee51a86659be00;

    event MarketListed(bytes32 indexed marketId, string symbol, uint8 decimals);

    error AlreadyListed(bytes32 marketId);

    function _s() private pure returns (MarketStorage storage s) {
        assembly {
            s.slot := SLOT
        }
    }

    function listMarket(bytes32 marketId, string calldata symbol, uint8 decimals, uint256 tick) external {
        LibFacetAuth.enforceConfigurator();
        MarketStorage storage s = _s();
        Market storage m = s.markets[marketId];
        if (m.listed) revert AlreadyListed(marketId);
        if (bytes(m.symbol).length == 0) s.ids.push(marketId);
        m.symbol = symbol;
        m.decimals = decimals;
        m.listed = true;
        m.tickSize = tick;
        emit MarketListed(marketId, symbol, decimals);
    }

    function marketInfo(bytes32 marketId) external view returns (string memory symbol, uint8 decimals, bool listed) {
        Market storage m = _s().markets[marketId];
        return (m.symbol, m.decimals, m.listed);
    }

    function tickSize(bytes32 marketId) external view returns (uint256) {
        return _s().markets[marketId].tickSize;
    }

    function marketCount() external view returns (uint256) {
        return _s().ids.length;
    }

    function marketIdAt(uint256 index) external view returns (bytes32) {
        return _s().ids[index];
    }
}
