// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice The EIP-2535 loupe (same selectors, so same interface id 0x48e2b093 as IDiamondLoupe).
interface IDispatcherLoupe {
    struct Facet {
        address facetAddress;
        bytes4[] functionSelectors;
    }

    function facets() external view returns (Facet[] memory);
    function facetFunctionSelectors(address facet) external view returns (bytes4[] memory);
    function facetAddresses() external view returns (address[] memory);
    function facetAddress(bytes4 selector) external view returns (address);
}
