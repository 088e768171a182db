// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

interface IDexetraExternalCreditor {
    function creditExternal(address user, uint256 amount) external;
}

/// @notice Stand-in for Dexetra v5's CollateralHub: credits deposits bridged from other chains on the CoreVault (the
/// hub holds EXTERNAL_CREDITOR_ROLE there). Repointed with `setCoreVaultParams`.
contract DexetraCollateralHub is AccessControl, Pausable {
    bytes32 public constant BRIDGE_INBOX_ROLE = keccak256("BRIDGE_INBOX_ROLE");

    address public coreVault;
    address public coreVaultOperator;
    mapping(bytes32 => bool) public processedDeposits;

    event CoreVaultParamsUpdated(address indexed coreVault, address indexed operator);
    event BridgedDepositCredited(bytes32 indexed depositId, address indexed user, uint256 amount);

    constructor(address admin, address coreVault_, address operator) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(BRIDGE_INBOX_ROLE, admin);
        coreVault = coreVault_;
        coreVaultOperator = operator;
    }

    function setCoreVaultParams(address coreVault_, address operator) external onlyRole(DEFAULT_ADMIN_ROLE) {
        coreVault = coreVault_;
        coreVaultOperator = operator;
        emit CoreVaultParamsUpdated(coreVault_, operator);
    }

    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /// @notice Credits a deposit proven on another chain, once per `depositId`.
    function creditBridgedDeposit(bytes32 depositId, address user, uint256 amount)
        external
        whenNotPaused
        onlyRole(BRIDGE_INBOX_ROLE)
    {
        require(!processedDeposits[depositId], "processed");
        processedDeposits[depositId] = true;
        IDexetraExternalCreditor(coreVault).creditExternal(user, amount);
        emit BridgedDepositCredited(depositId, user, amount);
    }
}
