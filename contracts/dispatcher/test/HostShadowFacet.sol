// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice A facet with a function PayRox's dispatcher answers itself (pendingSince()) and our mock does not: a route
/// for it on PayRox's dispatcher would never be reached, so planning it there is refused as shadowed.
contract HostShadowFacet {
    function pendingSince() external pure returns (uint64) {
        return 42;
    }

    function shadowProbe() external pure returns (uint256) {
        return 7;
    }
}
