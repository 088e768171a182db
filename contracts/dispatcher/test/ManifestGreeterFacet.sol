// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Test-only facet: a greeting in an ERC-7201 namespaced slot of the caller's (dispatcher's) storage.
contract ManifestGreeterFacet {
    /// @custom:storage-location erc7201:cutover.test.greeter
    struct GreeterStorage {
        string greeting;
    }

    // keccak256(abi.encode(uint256(keccak256("cutover.test.greeter")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant SLOT = 0x94b9a03169a5a6249bd4c77f52799e6937724d777a66d2e92edb57509f722200;

    function _s() private pure returns (GreeterStorage storage s) {
        assembly {
            s.slot := SLOT
        }
    }

    function setGreeting(string calldata greeting_) external {
        require(bytes(greeting_).length != 0, "empty greeting");
        _s().greeting = greeting_;
    }

    function greeting() external view returns (string memory) {
        return _s().greeting;
    }
}
