// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Who may configure a facet, wherever it runs: on the ManifestDispatcher, an account holding its
/// DEFAULT_ADMIN_ROLE; on an EIP-2535 diamond, its ERC-173 owner. Both are read from the host itself (the facet runs by
/// delegatecall, so `address(this)` is the dispatcher or the diamond).
library LibFacetAuth {
    error NotConfigurator(address account);

    function enforceConfigurator() internal view {
        (bool ok, bytes memory ret) =
            address(this).staticcall(abi.encodeWithSignature("hasRole(bytes32,address)", bytes32(0), msg.sender));
        if (ok && ret.length == 32 && abi.decode(ret, (bool))) return;
        (ok, ret) = address(this).staticcall(abi.encodeWithSignature("owner()"));
        if (ok && ret.length == 32 && abi.decode(ret, (address)) == msg.sender) return;
        revert NotConfigurator(msg.sender);
    }
}
