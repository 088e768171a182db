// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Test-only facets for Add / Replace / Remove.
contract TestFacetA {
    function ping() external pure returns (uint256) {
        return 1;
    }

    function pong() external pure returns (uint256) {
        return 11;
    }
}

contract TestFacetB {
    function ping() external pure returns (uint256) {
        return 2;
    }
}

/// @notice Test-only diamondCut init contract.
contract TestInit {
    error InitFailed(uint256 code);

    function failWithError(uint256 code) external pure {
        revert InitFailed(code);
    }

    function failWithoutData() external pure {
        revert();
    }
}
