// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title CodeReader
/// @notice Never deployed. Its creation code is run by an eth_call without a `to` (at any block, on any node): the
/// constructor returns the runtime code of every address it is given, so reading many contracts' code takes one
/// request instead of one eth_getCode each.
contract CodeReader {
    constructor(address[] memory targets) {
        bytes[] memory codes = new bytes[](targets.length);
        for (uint256 i = 0; i < targets.length; ++i) {
            codes[i] = targets[i].code;
        }
        bytes memory encoded = abi.encode(codes);
        assembly {
            return(add(encoded, 32), mload(encoded))
        }
    }
}
