// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice EIP-2535 diamondCut interface (interface id 0x1f931c1c).
interface IDiamondCut {
    enum FacetCutAction {
        Add,
        Replace,
        Remove
    }

    struct FacetCut {
        address facetAddress;
        FacetCutAction action;
        bytes4[] functionSelectors;
    }

    event DiamondCut(FacetCut[] _diamondCut, address _init, bytes _calldata);

    /// @notice Add/replace/remove any number of functions, then optionally delegatecall `_init` with `_calldata`.
    function diamondCut(FacetCut[] calldata _diamondCut, address _init, bytes calldata _calldata) external;
}
