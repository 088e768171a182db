// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Dexetra v5's diamond storage at keccak256("diamond.standard.diamond.storage"). Its struct has no
/// interface map, so the owner sits at that slot + 3 (mudgen's reference layout keeps it elsewhere).
library LibDexetraDiamond {
    bytes32 internal constant DIAMOND_STORAGE_POSITION = keccak256("diamond.standard.diamond.storage");

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

    struct FacetAddressAndPosition {
        address facetAddress;
        uint16 position;
    }

    struct DiamondStorage {
        mapping(bytes4 => FacetAddressAndPosition) selectorToFacetAndPosition;
        bytes4[] selectors;
        mapping(address => uint16) facetFunctionCount;
        address contractOwner;
    }

    error NotContractOwner(address user, address contractOwner);

    function diamondStorage() internal pure returns (DiamondStorage storage ds) {
        bytes32 position = DIAMOND_STORAGE_POSITION;
        assembly {
            ds.slot := position
        }
    }

    function enforceIsContractOwner() internal view {
        address owner = diamondStorage().contractOwner;
        if (msg.sender != owner) revert NotContractOwner(msg.sender, owner);
    }
}
