// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IDiamondCut} from "../interfaces/IDiamondCut.sol";
import {IERC173} from "../interfaces/IERC173.sol";

/// @notice EIP-2535 diamond storage and diamondCut.
library LibDiamond {
    bytes32 internal constant DIAMOND_STORAGE_POSITION = keccak256("diamond.standard.diamond.storage");

    struct FacetAddressAndPosition {
        address facetAddress;
        uint96 selectorPosition; // index in facetFunctionSelectors[facetAddress].selectors
    }

    struct FacetFunctionSelectors {
        bytes4[] selectors;
        uint256 facetAddressPosition; // index in facetAddresses
    }

    struct DiamondStorage {
        mapping(bytes4 => FacetAddressAndPosition) selectorToFacetAndPosition;
        mapping(address => FacetFunctionSelectors) facetFunctionSelectors;
        address[] facetAddresses;
        mapping(bytes4 => bool) supportedInterfaces;
        address contractOwner;
    }

    error NotContractOwner(address user, address owner);
    error NoSelectorsProvidedForFacetForCut(address facet);
    error NoBytecodeAtAddress(address contractAddress);
    error CannotAddSelectorThatAlreadyExists(bytes4 selector);
    error CannotReplaceFunctionThatDoesNotExist(bytes4 selector);
    error CannotReplaceFunctionWithTheSameFacet(bytes4 selector);
    error CannotReplaceImmutableFunction(bytes4 selector);
    error RemoveFacetAddressMustBeZero(address facet);
    error CannotRemoveFunctionThatDoesNotExist(bytes4 selector);
    error CannotRemoveImmutableFunction(bytes4 selector);
    error InitializationFunctionReverted(address init, bytes data);
    error InitCalldataWithoutInitAddress(bytes data);

    function diamondStorage() internal pure returns (DiamondStorage storage ds) {
        bytes32 position = DIAMOND_STORAGE_POSITION;
        assembly {
            ds.slot := position
        }
    }

    function setContractOwner(address newOwner) internal {
        DiamondStorage storage ds = diamondStorage();
        address previousOwner = ds.contractOwner;
        ds.contractOwner = newOwner;
        emit IERC173.OwnershipTransferred(previousOwner, newOwner);
    }

    function contractOwner() internal view returns (address) {
        return diamondStorage().contractOwner;
    }

    function enforceIsContractOwner() internal view {
        address owner = diamondStorage().contractOwner;
        if (msg.sender != owner) revert NotContractOwner(msg.sender, owner);
    }

    function diamondCut(IDiamondCut.FacetCut[] memory cuts, address init, bytes memory data) internal {
        for (uint256 i; i < cuts.length; ++i) {
            IDiamondCut.FacetCut memory cut = cuts[i];
            if (cut.functionSelectors.length == 0) revert NoSelectorsProvidedForFacetForCut(cut.facetAddress);
            if (cut.action == IDiamondCut.FacetCutAction.Add) {
                addFunctions(cut.facetAddress, cut.functionSelectors);
            } else if (cut.action == IDiamondCut.FacetCutAction.Replace) {
                replaceFunctions(cut.facetAddress, cut.functionSelectors);
            } else {
                removeFunctions(cut.facetAddress, cut.functionSelectors);
            }
        }
        emit IDiamondCut.DiamondCut(cuts, init, data);
        initializeDiamondCut(init, data);
    }

    function addFunctions(address facet, bytes4[] memory selectors) internal {
        // A facet equal to the diamond itself marks immutable functions; during its constructor it has no code yet.
        if (facet != address(this)) enforceHasContractCode(facet);
        DiamondStorage storage ds = diamondStorage();
        for (uint256 i; i < selectors.length; ++i) {
            bytes4 selector = selectors[i];
            if (ds.selectorToFacetAndPosition[selector].facetAddress != address(0)) {
                revert CannotAddSelectorThatAlreadyExists(selector);
            }
            addFunction(ds, selector, facet);
        }
    }

    function replaceFunctions(address facet, bytes4[] memory selectors) internal {
        enforceHasContractCode(facet);
        DiamondStorage storage ds = diamondStorage();
        for (uint256 i; i < selectors.length; ++i) {
            bytes4 selector = selectors[i];
            address oldFacet = ds.selectorToFacetAndPosition[selector].facetAddress;
            if (oldFacet == address(0)) revert CannotReplaceFunctionThatDoesNotExist(selector);
            if (oldFacet == address(this)) revert CannotReplaceImmutableFunction(selector);
            if (oldFacet == facet) revert CannotReplaceFunctionWithTheSameFacet(selector);
            removeFunction(ds, oldFacet, selector);
            addFunction(ds, selector, facet);
        }
    }

    function removeFunctions(address facet, bytes4[] memory selectors) internal {
        if (facet != address(0)) revert RemoveFacetAddressMustBeZero(facet);
        DiamondStorage storage ds = diamondStorage();
        for (uint256 i; i < selectors.length; ++i) {
            bytes4 selector = selectors[i];
            address oldFacet = ds.selectorToFacetAndPosition[selector].facetAddress;
            if (oldFacet == address(0)) revert CannotRemoveFunctionThatDoesNotExist(selector);
            if (oldFacet == address(this)) revert CannotRemoveImmutableFunction(selector);
            removeFunction(ds, oldFacet, selector);
        }
    }

    function addFunction(DiamondStorage storage ds, bytes4 selector, address facet) private {
        FacetFunctionSelectors storage fs = ds.facetFunctionSelectors[facet];
        if (fs.selectors.length == 0) {
            fs.facetAddressPosition = ds.facetAddresses.length;
            ds.facetAddresses.push(facet);
        }
        ds.selectorToFacetAndPosition[selector] = FacetAddressAndPosition(facet, uint96(fs.selectors.length));
        fs.selectors.push(selector);
    }

    /// @dev Swap-and-pop the selector out of its facet's list; drop the facet when its last selector goes.
    function removeFunction(DiamondStorage storage ds, address facet, bytes4 selector) private {
        FacetFunctionSelectors storage fs = ds.facetFunctionSelectors[facet];
        uint256 position = ds.selectorToFacetAndPosition[selector].selectorPosition;
        uint256 last = fs.selectors.length - 1;
        if (position != last) {
            bytes4 moved = fs.selectors[last];
            fs.selectors[position] = moved;
            ds.selectorToFacetAndPosition[moved].selectorPosition = uint96(position);
        }
        fs.selectors.pop();
        delete ds.selectorToFacetAndPosition[selector];

        if (last == 0) {
            uint256 facetPosition = fs.facetAddressPosition;
            uint256 lastFacet = ds.facetAddresses.length - 1;
            if (facetPosition != lastFacet) {
                address movedFacet = ds.facetAddresses[lastFacet];
                ds.facetAddresses[facetPosition] = movedFacet;
                ds.facetFunctionSelectors[movedFacet].facetAddressPosition = facetPosition;
            }
            ds.facetAddresses.pop();
            delete fs.facetAddressPosition;
        }
    }

    /// @dev EIP-2535: with `init` == address(0) the calldata is not executed (it may carry custom information).
    function initializeDiamondCut(address init, bytes memory data) internal {
        if (init == address(0)) {
            // Calldata with no init contract is an operator mistake (e.g. a rewire that would silently not set the
            // vault), so it is refused rather than ignored.
            if (data.length > 0) revert InitCalldataWithoutInitAddress(data);
            return;
        }
        enforceHasContractCode(init);
        (bool success, bytes memory err) = init.delegatecall(data);
        if (!success) {
            if (err.length > 0) {
                assembly {
                    revert(add(err, 32), mload(err))
                }
            }
            revert InitializationFunctionReverted(init, data);
        }
    }

    function enforceHasContractCode(address target) internal view {
        if (target.code.length == 0) revert NoBytecodeAtAddress(target);
    }
}
