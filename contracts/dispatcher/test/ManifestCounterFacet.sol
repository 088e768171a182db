// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Test-only facet: a counter in an ERC-7201 namespaced slot of the caller's (dispatcher's) storage.
contract ManifestCounterFacet {
    /// @custom:storage-location erc7201:cutover.test.counter
    struct CounterStorage {
        uint256 count;
        address lastCaller;
    }

    // keccak256(abi.encode(uint256(keccak256("cutover.test.counter")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant SLOT = 0x262d643ec349da80a53894f9ce0802131fb18a1ec8d57b7a9e6e9f996f17ab00;

    error CounterFailure(uint256 code);

    event Incremented(uint256 count, address caller);

    function _s() private pure returns (CounterStorage storage s) {
        assembly {
            s.slot := SLOT
        }
    }

    function increment() external returns (uint256) {
        CounterStorage storage s = _s();
        s.count += 1;
        s.lastCaller = msg.sender;
        emit Incremented(s.count, msg.sender);
        return s.count;
    }

    function count() external view returns (uint256) {
        return _s().count;
    }

    function lastCaller() external view returns (address) {
        return _s().lastCaller;
    }

    function fail(uint256 code) external pure {
        revert CounterFailure(code);
    }
}
