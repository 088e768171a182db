// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {OrderBookDiamond} from "../OrderBookDiamond.sol";
import {IDiamondCut} from "../interfaces/IDiamondCut.sol";
import {LibDiamond} from "../libraries/LibDiamond.sol";

/// @notice Test-only diamond with one immutable function (registered with facet = the diamond itself).
contract TestImmutableDiamond is OrderBookDiamond {
    constructor(address owner, IDiamondCut.FacetCut[] memory cuts, address init, bytes memory initData)
        OrderBookDiamond(owner, cuts, init, initData)
    {
        bytes4[] memory selectors = new bytes4[](1);
        selectors[0] = TestImmutableDiamond.immutableVersion.selector;
        IDiamondCut.FacetCut[] memory immutableCut = new IDiamondCut.FacetCut[](1);
        immutableCut[0] = IDiamondCut.FacetCut(address(this), IDiamondCut.FacetCutAction.Add, selectors);
        LibDiamond.diamondCut(immutableCut, address(0), "");
    }

    function immutableVersion() external pure returns (uint256) {
        return 1;
    }
}
