// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice The one-shot init of an empty diamondCut that rewires any EIP-2535 diamond by storage: delegatecalled by the
/// diamond's own diamondCut (which checks the owner), it writes an address into the low 20 bytes of a storage word,
/// keeping the word's upper bytes (fields packed after the address). Nothing stays installed. Called directly it
/// reverts, so it never writes its own storage.
contract VaultSlotInit {
    address private immutable self;

    error DirectCall();

    constructor() {
        self = address(this);
    }

    function writeAddress(bytes32 slot, address value) external {
        if (address(this) == self) revert DirectCall();
        assembly {
            let kept := and(sload(slot), not(0xffffffffffffffffffffffffffffffffffffffff))
            sstore(slot, or(kept, value))
        }
    }
}
