// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Create2} from "@openzeppelin/contracts/utils/Create2.sol";

/// @title Create2Factory
/// @notice Idempotent CREATE2 deployer: deploying the same (salt, initCode) twice returns the existing contract.
/// `expectedCodeHash` is the EXTCODEHASH the runtime code must have; bytes32(0) skips the check.
contract Create2Factory {
    event Deployed(address indexed addr, bytes32 indexed salt, bytes32 codehash);

    error CodehashMismatch(address addr, bytes32 expected, bytes32 actual);

    function deploy(bytes32 salt, bytes calldata initCode, bytes32 expectedCodeHash) external returns (address addr) {
        addr = Create2.computeAddress(salt, keccak256(initCode));
        if (addr.code.length == 0) {
            // Bubbles the constructor's revert data; reverts with Errors.FailedDeployment if there is none.
            addr = Create2.deploy(0, salt, initCode);
            _check(addr, expectedCodeHash);
            emit Deployed(addr, salt, addr.codehash);
        } else {
            _check(addr, expectedCodeHash);
        }
    }

    function predict(bytes32 salt, bytes32 initCodeHash) external view returns (address) {
        return Create2.computeAddress(salt, initCodeHash);
    }

    function _check(address addr, bytes32 expected) private view {
        if (expected != bytes32(0) && addr.codehash != expected) revert CodehashMismatch(addr, expected, addr.codehash);
    }
}
