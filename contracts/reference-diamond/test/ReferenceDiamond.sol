// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// A reference EIP-2535 diamond written here from the EIP and the public description of the reference
/// implementations' layout (a facet-address-and-position map, a per-facet selector list, a facet list), so the facet
/// plans are tested against a diamond we did not shape around the tool: its storage is under another position than
/// our LibDiamond's, and its owner sits in a slot of its own (ERC-173 `owner()` is the only way to read it).

struct FacetCut {
    address facetAddress;
    uint8 action; // 0 Add, 1 Replace, 2 Remove
    bytes4[] functionSelectors;
}

struct LoupeFacet {
    address facetAddress;
    bytes4[] functionSelectors;
}

library LibReferenceDiamond {
    bytes32 internal constant POSITION = keccak256("reference.eip2535.diamond.storage");
    bytes32 internal constant OWNER_POSITION = keccak256("reference.eip173.owner");

    struct Position {
        address facet;
        uint96 index;
    }

    struct Layout {
        mapping(bytes4 => Position) selectorInfo;
        mapping(address => bytes4[]) selectorsOf;
        mapping(address => uint256) facetIndex; // index + 1 in facets
        address[] facets;
    }

    event DiamondCut(FacetCut[] diamondCut, address init, bytes data);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    error NotOwner(address caller);
    error SelectorExists(bytes4 selector);
    error SelectorMissing(bytes4 selector);
    error SameFacet(bytes4 selector);
    error NoCode(address facet);
    error RemoveNeedsZeroAddress(address facet);
    error BadAction(uint8 action);
    error InitFailed(address init, bytes data);

    function layout() internal pure returns (Layout storage l) {
        bytes32 position = POSITION;
        assembly {
            l.slot := position
        }
    }

    function owner() internal view returns (address o) {
        bytes32 position = OWNER_POSITION;
        assembly {
            o := sload(position)
        }
    }

    function setOwner(address next) internal {
        address previous = owner();
        bytes32 position = OWNER_POSITION;
        assembly {
            sstore(position, next)
        }
        emit OwnershipTransferred(previous, next);
    }

    function enforceOwner() internal view {
        if (msg.sender != owner()) revert NotOwner(msg.sender);
    }

    function cut(FacetCut[] memory cuts, address init, bytes memory data) internal {
        for (uint256 i; i < cuts.length; ++i) {
            FacetCut memory c = cuts[i];
            for (uint256 j; j < c.functionSelectors.length; ++j) {
                bytes4 s = c.functionSelectors[j];
                address current = layout().selectorInfo[s].facet;
                if (c.action == 0) {
                    if (current != address(0)) revert SelectorExists(s);
                    add(s, c.facetAddress);
                } else if (c.action == 1) {
                    if (current == address(0)) revert SelectorMissing(s);
                    if (current == c.facetAddress) revert SameFacet(s);
                    remove(s);
                    add(s, c.facetAddress);
                } else if (c.action == 2) {
                    if (c.facetAddress != address(0)) revert RemoveNeedsZeroAddress(c.facetAddress);
                    if (current == address(0)) revert SelectorMissing(s);
                    remove(s);
                } else {
                    revert BadAction(c.action);
                }
            }
        }
        emit DiamondCut(cuts, init, data);
        if (init != address(0)) {
            (bool ok,) = init.delegatecall(data);
            if (!ok) revert InitFailed(init, data);
        }
    }

    function add(bytes4 s, address facet) private {
        if (facet.code.length == 0) revert NoCode(facet);
        Layout storage l = layout();
        if (l.facetIndex[facet] == 0) {
            l.facets.push(facet);
            l.facetIndex[facet] = l.facets.length;
        }
        l.selectorInfo[s] = Position(facet, uint96(l.selectorsOf[facet].length));
        l.selectorsOf[facet].push(s);
    }

    function remove(bytes4 s) private {
        Layout storage l = layout();
        Position memory p = l.selectorInfo[s];
        bytes4[] storage list = l.selectorsOf[p.facet];
        bytes4 last = list[list.length - 1];
        list[p.index] = last;
        l.selectorInfo[last].index = p.index;
        list.pop();
        delete l.selectorInfo[s];
        if (list.length == 0) {
            uint256 i = l.facetIndex[p.facet] - 1;
            address moved = l.facets[l.facets.length - 1];
            l.facets[i] = moved;
            l.facetIndex[moved] = i + 1;
            l.facets.pop();
            delete l.facetIndex[p.facet];
        }
    }
}

contract ReferenceDiamond {
    /// Like the reference implementations: the owner and the cut facet at construction, the rest by diamondCut.
    constructor(address owner_, address cutFacet) {
        LibReferenceDiamond.setOwner(owner_);
        FacetCut[] memory cuts = new FacetCut[](1);
        bytes4[] memory selectors = new bytes4[](1);
        selectors[0] = ReferenceDiamondCutFacet.diamondCut.selector;
        cuts[0] = FacetCut(cutFacet, 0, selectors);
        LibReferenceDiamond.cut(cuts, address(0), "");
    }

    fallback() external payable {
        address facet = LibReferenceDiamond.layout().selectorInfo[msg.sig].facet;
        require(facet != address(0), "Diamond: Function does not exist");
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), facet, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    receive() external payable {}
}

contract ReferenceDiamondCutFacet {
    function diamondCut(FacetCut[] calldata cuts, address init, bytes calldata data) external {
        LibReferenceDiamond.enforceOwner();
        LibReferenceDiamond.cut(cuts, init, data);
    }
}

contract ReferenceDiamondLoupeFacet {
    function facets() external view returns (LoupeFacet[] memory out) {
        LibReferenceDiamond.Layout storage l = LibReferenceDiamond.layout();
        out = new LoupeFacet[](l.facets.length);
        for (uint256 i; i < l.facets.length; ++i) out[i] = LoupeFacet(l.facets[i], l.selectorsOf[l.facets[i]]);
    }

    function facetFunctionSelectors(address facet) external view returns (bytes4[] memory) {
        return LibReferenceDiamond.layout().selectorsOf[facet];
    }

    function facetAddresses() external view returns (address[] memory) {
        return LibReferenceDiamond.layout().facets;
    }

    function facetAddress(bytes4 selector) external view returns (address) {
        return LibReferenceDiamond.layout().selectorInfo[selector].facet;
    }
}

contract ReferenceOwnershipFacet {
    function owner() external view returns (address) {
        return LibReferenceDiamond.owner();
    }

    function transferOwnership(address next) external {
        LibReferenceDiamond.enforceOwner();
        LibReferenceDiamond.setOwner(next);
    }
}
