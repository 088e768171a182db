// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

/// @notice Pays each user of a funds snapshot (corevault:snapshot) what the snapshot migrates for them, once. The
/// Merkle root is the snapshot's OpenZeppelin standard tree of (address, uint256). Anyone may submit a claim; the
/// money always goes to (or is credited to) the leaf's address. Everything is fixed at construction: nothing to
/// initialise again, no owner, no way to take the tokens out other than a valid claim.
/// Payout: with `vault` zero, the collateral token is transferred to the user. Otherwise the token is transferred to
/// the vault and the user is credited there with `creditSelector(address user, uint256 amount)` (the vault's external
/// credit, which needs this contract to hold the vault's creditor role): the credit is backed by the tokens sent.
contract MigrationClaims is ReentrancyGuard {
    using SafeERC20 for IERC20;

    IERC20 public immutable token;
    bytes32 public immutable merkleRoot;
    /// @notice The snapshot's migrated total: what all claims together pay.
    uint256 public immutable total;
    /// @notice Zero: pay the token to the user; else credit the user on this vault.
    address public immutable vault;
    bytes4 public immutable creditSelector;

    mapping(address user => bool) public claimed;
    uint256 public claimedTotal;

    event Claimed(address indexed user, uint256 amount, address indexed submitter);

    error AlreadyClaimed(address user);
    error InvalidProof(address user, uint256 amount);
    error CreditFailed(address user, uint256 amount, bytes reason);

    constructor(IERC20 token_, bytes32 merkleRoot_, uint256 total_, address vault_, bytes4 creditSelector_) {
        require(address(token_) != address(0) && merkleRoot_ != bytes32(0) && total_ > 0, "MigrationClaims: args");
        require((vault_ == address(0)) == (creditSelector_ == bytes4(0)), "MigrationClaims: vault and selector");
        token = token_;
        merkleRoot = merkleRoot_;
        total = total_;
        vault = vault_;
        creditSelector = creditSelector_;
    }

    /// @notice Holds (or has paid) the whole migrated total: its token balance plus what was claimed.
    function funded() external view returns (bool) {
        return token.balanceOf(address(this)) + claimedTotal >= total;
    }

    function leaf(address user, uint256 amount) public pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(user, amount))));
    }

    function claim(address user, uint256 amount, bytes32[] calldata proof) external nonReentrant {
        if (claimed[user]) revert AlreadyClaimed(user);
        if (!MerkleProof.verifyCalldata(proof, merkleRoot, leaf(user, amount))) revert InvalidProof(user, amount);
        // effects before interactions
        claimed[user] = true;
        claimedTotal += amount;
        emit Claimed(user, amount, msg.sender);
        if (vault == address(0)) {
            token.safeTransfer(user, amount);
            return;
        }
        token.safeTransfer(vault, amount);
        (bool ok, bytes memory reason) = vault.call(abi.encodeWithSelector(creditSelector, user, amount));
        if (!ok) revert CreditFailed(user, amount, reason);
    }
}
