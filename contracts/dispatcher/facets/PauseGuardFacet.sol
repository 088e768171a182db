// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LibFacetAuth} from "./LibFacetAuth.sol";

/// @notice Per-operation pause switches and usage limits (e.g. "withdraw" at most N per window), in ERC-7201
/// namespaced storage of the host. Its names avoid the dispatcher's own pause()/paused(), which would shadow a route.
contract PauseGuardFacet {
    /// @custom:storage-location erc7201:cutover.facets.pause-guard
    struct GuardStorage {
        mapping(bytes32 operation => bool) halted;
        mapping(bytes32 operation => uint256) limit;
        mapping(bytes32 operation => uint256) used;
    }

    // keccak256(abi.encode(uint256(keccak256("cutover.facets.pause-guard")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant SLOT = 0x45381f3fa43ee20ee85ebce5eceef04edc96128f541590e2aa1f2f3d2a8c9e00;

    event OperationHalted(bytes32 indexed operation, bool halted);
    event LimitSet(bytes32 indexed operation, uint256 limit);
    event UsageRecorded(bytes32 indexed operation, uint256 amount, uint256 used);
    event UsageReset(bytes32 indexed operation);

    error OperationIsHalted(bytes32 operation);
    error LimitExceeded(bytes32 operation, uint256 requested, uint256 remaining);

    function _s() private pure returns (GuardStorage storage s) {
        assembly {
            s.slot := SLOT
        }
    }

    function setOperationHalted(bytes32 operation, bool halted) external {
        LibFacetAuth.enforceConfigurator();
        _s().halted[operation] = halted;
        emit OperationHalted(operation, halted);
    }

    function setLimit(bytes32 operation, uint256 limit) external {
        LibFacetAuth.enforceConfigurator();
        _s().limit[operation] = limit;
        emit LimitSet(operation, limit);
    }

    /// @notice Records `amount` of usage; refused while the operation is halted or beyond its limit.
    function recordUsage(bytes32 operation, uint256 amount) external returns (uint256 used) {
        LibFacetAuth.enforceConfigurator();
        GuardStorage storage s = _s();
        if (s.halted[operation]) revert OperationIsHalted(operation);
        uint256 remaining = s.limit[operation] - s.used[operation];
        if (amount > remaining) revert LimitExceeded(operation, amount, remaining);
        used = s.used[operation] + amount;
        s.used[operation] = used;
        emit UsageRecorded(operation, amount, used);
    }

    function resetUsage(bytes32 operation) external {
        LibFacetAuth.enforceConfigurator();
        delete _s().used[operation];
        emit UsageReset(operation);
    }

    function isOperationHalted(bytes32 operation) external view returns (bool) {
        return _s().halted[operation];
    }

    function limitOf(bytes32 operation) external view returns (uint256 limit, uint256 used) {
        GuardStorage storage s = _s();
        return (s.limit[operation], s.used[operation]);
    }
}
