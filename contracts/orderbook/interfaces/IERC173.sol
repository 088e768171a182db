// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice ERC-173 contract ownership (interface id 0x7f5828d0).
interface IERC173 {
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    function owner() external view returns (address owner_);

    /// @dev Set to address(0) to renounce ownership.
    function transferOwnership(address _newOwner) external;
}
