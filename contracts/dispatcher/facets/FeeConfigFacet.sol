// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LibFacetAuth} from "./LibFacetAuth.sol";

/// @notice Trading fee configuration (maker/taker basis points and the recipient), in ERC-7201 namespaced storage of
/// the host (ManifestDispatcher or diamond) it is routed from.
contract FeeConfigFacet {
    /// @custom:storage-location erc7201:cutover.facets.fee-config
    struct FeeStorage {
        uint16 makerBps;
        uint16 takerBps;
        address recipient;
    }

    // keccak256(abi.encode(uint256(keccak256("cutover.facets.fee-config")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant SLOT = 0xe5be9c7b2af92f7b9fba9f432838aba13097c4bc6f7611f78ca68ee1c643a500;
    uint16 public constant MAX_FEE_BPS = 1_000;

    event FeesSet(uint16 makerBps, uint16 takerBps);
    event FeeRecipientSet(address indexed recipient);

    error FeeTooHigh(uint16 bps, uint16 max);
    error ZeroRecipient();

    function _s() private pure returns (FeeStorage storage s) {
        assembly {
            s.slot := SLOT
        }
    }

    function setFees(uint16 makerBps, uint16 takerBps) external {
        LibFacetAuth.enforceConfigurator();
        if (makerBps > MAX_FEE_BPS) revert FeeTooHigh(makerBps, MAX_FEE_BPS);
        if (takerBps > MAX_FEE_BPS) revert FeeTooHigh(takerBps, MAX_FEE_BPS);
        FeeStorage storage s = _s();
        s.makerBps = makerBps;
        s.takerBps = takerBps;
        emit FeesSet(makerBps, takerBps);
    }

    function setFeeRecipient(address recipient) external {
        LibFacetAuth.enforceConfigurator();
        if (recipient == address(0)) revert ZeroRecipient();
        _s().recipient = recipient;
        emit FeeRecipientSet(recipient);
    }

    function fees() external view returns (uint16 makerBps, uint16 takerBps) {
        FeeStorage storage s = _s();
        return (s.makerBps, s.takerBps);
    }

    function feeRecipient() external view returns (address) {
        return _s().recipient;
    }

    /// @notice The fee on `notional` (same units) for a maker or a taker, rounded down.
    function quoteFee(uint256 notional, bool isMaker) external view returns (uint256) {
        FeeStorage storage s = _s();
        return (notional * (isMaker ? s.makerBps : s.takerBps)) / 10_000;
    }
}
