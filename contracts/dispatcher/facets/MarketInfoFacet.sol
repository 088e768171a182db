// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LibFacetAuth} from "./LibFacetAuth.sol";

/// @notice A registry of listed markets (symbol, decimals), in ERC-7201 namespaced storage of the host.
contract MarketInfoFacet {
    struct Market {
        string symbol;
        uint8 decimals;
        bool listed;
        uint256 tickSize; // used from MarketInfoFacetV2 on; appended, so V1 storage stays valid
    }

    /// @custom:storage-location erc7201:cutover.facets.market-info
    struct MarketStorage {
        mapping(bytes32 marketId => Market) markets;
        bytes32[] ids;
    }

    // keccak256(abi.encode(uint256(keccak256("cutover.facets.market-info")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant SLOT = 0x0185949da2c8ffff0736eec5d6003f7f31fd44eea2d11f6244ee51a86659be00;

    event MarketListed(bytes32 indexed marketId, string symbol, uint8 decimals);
    event MarketDelisted(bytes32 indexed marketId);

    error AlreadyListed(bytes32 marketId);
    error NotListed(bytes32 marketId);

    function _s() private pure returns (MarketStorage storage s) {
        assembly {
            s.slot := SLOT
        }
    }

    function listMarket(bytes32 marketId, string calldata symbol, uint8 decimals) external {
        LibFacetAuth.enforceConfigurator();
        MarketStorage storage s = _s();
        Market storage m = s.markets[marketId];
        if (m.listed) revert AlreadyListed(marketId);
        if (bytes(m.symbol).length == 0) s.ids.push(marketId);
        m.symbol = symbol;
        m.decimals = decimals;
        m.listed = true;
        emit MarketListed(marketId, symbol, decimals);
    }

    function delistMarket(bytes32 marketId) external {
        LibFacetAuth.enforceConfigurator();
        Market storage m = _s().markets[marketId];
        if (!m.listed) revert NotListed(marketId);
        m.listed = false;
        emit MarketDelisted(marketId);
    }

    function marketInfo(bytes32 marketId) external view returns (string memory symbol, uint8 decimals, bool listed) {
        Market storage m = _s().markets[marketId];
        return (m.symbol, m.decimals, m.listed);
    }

    function marketCount() external view returns (uint256) {
        return _s().ids.length;
    }

    function marketIdAt(uint256 index) external view returns (bytes32) {
        return _s().ids[index];
    }
}
