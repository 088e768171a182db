// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LibDexetraDiamond} from "./LibDexetraDiamond.sol";

/// @notice Stand-in for Dexetra v5's OrderBook `Diamond`: EIP-2535 with `diamondCut`, the loupe and ERC-173 ownership
/// (one step) as functions of the diamond itself, not facets. `diamondCut` applies the cuts, emits `DiamondCut`, then
/// delegatecalls `init` when it is not zero: an empty cut list with an init is accepted.
contract DexetraDiamond {
    struct Facet {
        address facetAddress;
        bytes4[] functionSelectors;
    }

    event DiamondCut(LibDexetraDiamond.FacetCut[] _diamondCut, address _init, bytes _calldata);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    error FunctionNotFound(bytes4 selector);
    error NoCode(address facet);
    error SelectorExists(bytes4 selector);
    error SelectorMissing(bytes4 selector);
    error InitializationFunctionReverted(address init, bytes data);

    constructor(address owner_, LibDexetraDiamond.FacetCut[] memory cut, address init, bytes memory initCalldata) {
        LibDexetraDiamond.diamondStorage().contractOwner = owner_;
        emit OwnershipTransferred(address(0), owner_);
        _diamondCut(cut, init, initCalldata);
    }

    // ---------------------------------------------------------------- cut

    function diamondCut(LibDexetraDiamond.FacetCut[] calldata cut, address init, bytes calldata data) external {
        LibDexetraDiamond.enforceIsContractOwner();
        _diamondCut(cut, init, data);
    }

    function _diamondCut(LibDexetraDiamond.FacetCut[] memory cut, address init, bytes memory data) private {
        for (uint256 i = 0; i < cut.length; i++) {
            bytes4[] memory selectors = cut[i].functionSelectors;
            (address facet, LibDexetraDiamond.FacetCutAction action) = (cut[i].facetAddress, cut[i].action);
            for (uint256 j = 0; j < selectors.length; j++) {
                if (action == LibDexetraDiamond.FacetCutAction.Add) _add(facet, selectors[j]);
                else if (action == LibDexetraDiamond.FacetCutAction.Replace) _replace(facet, selectors[j]);
                else _remove(selectors[j]);
            }
        }
        emit DiamondCut(cut, init, data);
        if (init == address(0)) return;
        if (init.code.length == 0) revert NoCode(init);
        (bool ok, bytes memory returned) = init.delegatecall(data);
        if (ok) return;
        if (returned.length > 0) {
            assembly {
                revert(add(returned, 32), mload(returned))
            }
        }
        revert InitializationFunctionReverted(init, data);
    }

    function _add(address facet, bytes4 selector) private {
        LibDexetraDiamond.DiamondStorage storage ds = LibDexetraDiamond.diamondStorage();
        if (facet.code.length == 0) revert NoCode(facet);
        if (ds.selectorToFacetAndPosition[selector].facetAddress != address(0)) revert SelectorExists(selector);
        ds.selectorToFacetAndPosition[selector] =
            LibDexetraDiamond.FacetAddressAndPosition(facet, uint16(ds.selectors.length));
        ds.selectors.push(selector);
        ds.facetFunctionCount[facet]++;
    }

    function _replace(address facet, bytes4 selector) private {
        LibDexetraDiamond.DiamondStorage storage ds = LibDexetraDiamond.diamondStorage();
        if (facet.code.length == 0) revert NoCode(facet);
        address old = ds.selectorToFacetAndPosition[selector].facetAddress;
        if (old == address(0)) revert SelectorMissing(selector);
        ds.facetFunctionCount[old]--;
        ds.facetFunctionCount[facet]++;
        ds.selectorToFacetAndPosition[selector].facetAddress = facet;
    }

    function _remove(bytes4 selector) private {
        LibDexetraDiamond.DiamondStorage storage ds = LibDexetraDiamond.diamondStorage();
        LibDexetraDiamond.FacetAddressAndPosition memory entry = ds.selectorToFacetAndPosition[selector];
        if (entry.facetAddress == address(0)) revert SelectorMissing(selector);
        bytes4 last = ds.selectors[ds.selectors.length - 1];
        ds.selectors[entry.position] = last;
        ds.selectorToFacetAndPosition[last].position = entry.position;
        ds.selectors.pop();
        ds.facetFunctionCount[entry.facetAddress]--;
        delete ds.selectorToFacetAndPosition[selector];
    }

    // ---------------------------------------------------------------- loupe and ERC-165

    function facetAddress(bytes4 selector) external view returns (address) {
        return LibDexetraDiamond.diamondStorage().selectorToFacetAndPosition[selector].facetAddress;
    }

    function facetAddresses() public view returns (address[] memory addresses) {
        LibDexetraDiamond.DiamondStorage storage ds = LibDexetraDiamond.diamondStorage();
        addresses = new address[](ds.selectors.length);
        uint256 count = 0;
        for (uint256 i = 0; i < ds.selectors.length; i++) {
            address facet = ds.selectorToFacetAndPosition[ds.selectors[i]].facetAddress;
            bool seen = false;
            for (uint256 j = 0; j < count && !seen; j++) seen = addresses[j] == facet;
            if (!seen) addresses[count++] = facet;
        }
        assembly {
            mstore(addresses, count)
        }
    }

    function facetFunctionSelectors(address facet) public view returns (bytes4[] memory selectors) {
        LibDexetraDiamond.DiamondStorage storage ds = LibDexetraDiamond.diamondStorage();
        selectors = new bytes4[](ds.facetFunctionCount[facet]);
        uint256 count = 0;
        for (uint256 i = 0; i < ds.selectors.length; i++) {
            bytes4 selector = ds.selectors[i];
            if (ds.selectorToFacetAndPosition[selector].facetAddress == facet) selectors[count++] = selector;
        }
    }

    function facets() external view returns (Facet[] memory all) {
        address[] memory addresses = facetAddresses();
        all = new Facet[](addresses.length);
        for (uint256 i = 0; i < addresses.length; i++) {
            all[i] = Facet(addresses[i], facetFunctionSelectors(addresses[i]));
        }
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == 0x01ffc9a7 // ERC-165
            || interfaceId == 0x1f931c1c // IDiamondCut
            || interfaceId == 0x48e2b093 // IDiamondLoupe
            || interfaceId == 0x7f5828d0; // ERC-173
    }

    // ---------------------------------------------------------------- ERC-173

    function owner() external view returns (address) {
        return LibDexetraDiamond.diamondStorage().contractOwner;
    }

    function transferOwnership(address newOwner) external {
        LibDexetraDiamond.enforceIsContractOwner();
        LibDexetraDiamond.DiamondStorage storage ds = LibDexetraDiamond.diamondStorage();
        emit OwnershipTransferred(ds.contractOwner, newOwner);
        ds.contractOwner = newOwner;
    }

    // ---------------------------------------------------------------- dispatch

    fallback() external payable {
        address facet = LibDexetraDiamond.diamondStorage().selectorToFacetAndPosition[msg.sig].facetAddress;
        if (facet == address(0)) revert FunctionNotFound(msg.sig);
        assembly {
            calldatacopy(0, 0, calldatasize())
            let result := delegatecall(gas(), facet, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            switch result
            case 0 { revert(0, returndatasize()) }
            default { return(0, returndatasize()) }
        }
    }

    receive() external payable {}
}
