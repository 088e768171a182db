// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LibDiamond} from "../libraries/LibDiamond.sol";
import {LibOrderBook} from "../libraries/LibOrderBook.sol";

interface IRegistry {
    function isRegisteredOrderBook(address orderBook) external view returns (bool);
}

/// @notice Test-only: a vault-admin facet that refuses a vault which has not registered this OrderBook yet (what a
/// protocol's own setter may check). Repointing then depends on the vault's registration, sent by another account.
contract CheckedVaultAdminFacet {
    event VaultUpdated(address indexed oldVault, address indexed newVault);

    error NotRegisteredOn(address vault);

    function setVault(address newVault) external {
        LibDiamond.enforceIsContractOwner();
        if (!IRegistry(newVault).isRegisteredOrderBook(address(this))) revert NotRegisteredOn(newVault);
        LibOrderBook.Storage storage s = LibOrderBook.initialized();
        emit VaultUpdated(s.vault, newVault);
        s.vault = newVault;
    }
}
