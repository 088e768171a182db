// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Test-only facet whose feeRecipient() has the same selector as FeeConfigFacet's: planned together they
/// collide; planned against a host where FeeConfigFacet is live it would take that route over.
contract CollidingFacet {
    function feeRecipient() external pure returns (address) {
        return address(0xdead);
    }

    function collidingPing() external pure returns (uint256) {
        return 7;
    }
}
