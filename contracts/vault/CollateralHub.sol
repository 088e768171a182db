// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ICoreVault} from "../interfaces/ICoreVault.sol";

/// @notice Cross-chain collateral hub: when a deposit is proven on another chain, a relayer credits the user on the
/// CoreVault (the hub holds EXTERNAL_CREDITOR_ROLE there). Each message is processed once.
contract CollateralHub is AccessControl {
    bytes32 public constant RELAYER_ROLE = keccak256("RELAYER_ROLE");

    address public vault;
    mapping(bytes32 messageId => bool) public processed;

    event VaultUpdated(address indexed previous, address indexed current);
    event CrossChainCredited(bytes32 indexed messageId, uint32 indexed sourceChain, address indexed user, uint256 amount);
    event CrossChainDebited(bytes32 indexed messageId, address indexed user, uint256 amount);

    error ZeroAddress();
    error MessageAlreadyProcessed(bytes32 messageId);

    constructor(address admin, address initialVault) {
        if (admin == address(0) || initialVault == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(RELAYER_ROLE, admin);
        vault = initialVault;
        emit VaultUpdated(address(0), initialVault);
    }

    function setVault(address newVault) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newVault == address(0)) revert ZeroAddress();
        emit VaultUpdated(vault, newVault);
        vault = newVault;
    }

    function creditFromChain(bytes32 messageId, uint32 sourceChain, address user, uint256 amount)
        external
        onlyRole(RELAYER_ROLE)
    {
        _consume(messageId);
        ICoreVault(vault).creditExternal(user, amount);
        emit CrossChainCredited(messageId, sourceChain, user, amount);
    }

    function debitToChain(bytes32 messageId, address user, uint256 amount) external onlyRole(RELAYER_ROLE) {
        _consume(messageId);
        ICoreVault(vault).debitExternal(user, amount);
        emit CrossChainDebited(messageId, user, amount);
    }

    function _consume(bytes32 messageId) private {
        if (processed[messageId]) revert MessageAlreadyProcessed(messageId);
        processed[messageId] = true;
    }
}
