// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LibDiamond} from "../libraries/LibDiamond.sol";
import {LibOrderBook} from "../libraries/LibOrderBook.sol";

/// @notice Rewires an OrderBook to a new vault. Not installed by the system deployer. Also usable as the init of the
/// diamondCut that adds it: the cut is delegatecalled, so msg.sender is still the owner who called diamondCut.
contract VaultAdminFacet {
    event VaultUpdated(address indexed oldVault, address indexed newVault);

    function setVault(address newVault) external {
        LibDiamond.enforceIsContractOwner();
        if (newVault == address(0)) revert LibOrderBook.ZeroVaultAddress();
        LibOrderBook.Storage storage s = LibOrderBook.initialized();
        emit VaultUpdated(s.vault, newVault);
        s.vault = newVault;
    }
}
