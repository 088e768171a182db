// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice A position-aware Merkle verifier with PayRox's leaf encoding (shared/protocol/payrox-dispatcher.md and the
/// rules in src/manifest/merkle.ts): leaf = keccak256(abi.encode(bytes4 selector, address facet, bytes32 codehash)),
/// leaf node = keccak256(0x00 ‖ leaf), inner node = keccak256(0x01 ‖ left ‖ right), isRight[i] = the sibling is on the
/// right. Written here for the test vectors of both odd-node rules; it verifies either.
contract OrderedMerkleVerifier {
    function leafOf(bytes4 selector, address facet, bytes32 codehash) public pure returns (bytes32) {
        return keccak256(abi.encode(selector, facet, codehash));
    }

    function verify(
        bytes32 root,
        bytes4 selector,
        address facet,
        bytes32 codehash,
        bytes32[] calldata proof,
        bool[] calldata isRight
    ) external pure returns (bool) {
        if (proof.length != isRight.length) return false;
        bytes32 node = keccak256(abi.encodePacked(bytes1(0x00), leafOf(selector, facet, codehash)));
        for (uint256 i; i < proof.length; ++i) {
            node = isRight[i]
                ? keccak256(abi.encodePacked(bytes1(0x01), node, proof[i]))
                : keccak256(abi.encodePacked(bytes1(0x01), proof[i], node));
        }
        return node == root;
    }
}
