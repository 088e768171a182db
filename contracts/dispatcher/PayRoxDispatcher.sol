// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IDispatcherLoupe} from "./IDispatcherLoupe.sol";

/// @title PayRoxDispatcher
/// @notice A stand-in with the interface of PayRox's production ManifestDispatcher, written here from the interface
/// facts in shared/protocol/payrox-dispatcher.md (not from its source), so the tool's dispatcher profile `payrox` is
/// tested against the reads and writes the real contract has:
///  - one owner, set once by `initialize(owner)`; owner-only writes revert `NotOwner()`; no AccessControl, no hasRole;
///  - `commitRoot(root, epoch)` records the pending root and `pendingSince = block.timestamp`; there is no
///    `earliestActivation()` (it is `pendingSince + activationDelay`) and no `stagedRoute(bytes4)`;
///  - `applyRoutes(...)` writes LIVE routes at once: proofs are ignored and no delay is checked (only a non-zero
///    codehash must equal the facet's EXTCODEHASH). The delay protects nothing unless the caller refuses to apply early;
///  - `activateCommittedRoot()` reverts `ActivationDelayNotElapsed(needUntil, now)` before the delay, then moves the
///    pending root to active.
/// The loupe (`facets()` …) is the EIP-2535 one, as on our mock.
contract PayRoxDispatcher is IDispatcherLoupe {
    struct Route {
        address facet;
        bytes32 codehash;
    }

    mapping(bytes4 selector => Route) public routes;
    address public owner;
    bytes32 public pendingRoot;
    uint64 public pendingEpoch;
    uint64 public pendingSince;
    bytes32 public activeRoot;
    uint64 public activeEpoch;
    uint64 public activationDelay;
    bool public frozen;
    bool public paused;

    address[] private _facetList;
    mapping(address facet => bytes4[]) private _selectorsOf;

    event RootCommitted(bytes32 indexed root, uint64 indexed epoch);
    event RootActivated(bytes32 indexed root, uint64 indexed epoch);
    event RouteAdded(bytes4 indexed selector, address indexed facet, bytes32 codehash);
    event RouteRemoved(bytes4 indexed selector);

    error NotOwner();
    error AlreadyInitialized();
    error Frozen();
    error Paused();
    error LengthMismatch();
    error NoRoute(bytes4 selector);
    error BadEpoch(uint64 expected, uint64 given);
    error NoPendingRoot();
    error DispatcherCodehashMismatch(address facet, bytes32 expected, bytes32 actual);
    error ActivationDelayNotElapsed(uint64 needUntil, uint64 nowTs);

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    modifier notFrozen() {
        if (frozen) revert Frozen();
        _;
    }

    function initialize(address owner_) external {
        if (owner != address(0)) revert AlreadyInitialized();
        owner = owner_;
        pendingEpoch = 1;
    }

    function commitRoot(bytes32 root, uint64 epoch) external onlyOwner notFrozen {
        if (epoch != activeEpoch + 1) revert BadEpoch(activeEpoch + 1, epoch);
        pendingRoot = root;
        pendingEpoch = epoch;
        pendingSince = uint64(block.timestamp);
        emit RootCommitted(root, epoch);
    }

    function applyRoutes(
        bytes4[] calldata selectors,
        address[] calldata facetAddrs,
        bytes32[] calldata codehashes,
        bytes32[][] calldata proofs,
        bool[][] calldata isRight
    ) external onlyOwner notFrozen {
        uint256 n = selectors.length;
        if (facetAddrs.length != n || codehashes.length != n || proofs.length != n || isRight.length != n) {
            revert LengthMismatch();
        }
        for (uint256 i; i < n; ++i) {
            if (codehashes[i] != bytes32(0) && facetAddrs[i].codehash != codehashes[i]) {
                revert DispatcherCodehashMismatch(facetAddrs[i], codehashes[i], facetAddrs[i].codehash);
            }
            _setRoute(selectors[i], facetAddrs[i], codehashes[i]);
        }
    }

    function activateCommittedRoot() external onlyOwner notFrozen {
        if (pendingRoot == bytes32(0)) revert NoPendingRoot();
        uint64 needUntil = pendingSince + activationDelay;
        if (block.timestamp < needUntil) revert ActivationDelayNotElapsed(needUntil, uint64(block.timestamp));
        activeRoot = pendingRoot;
        activeEpoch = pendingEpoch;
        pendingRoot = bytes32(0);
        pendingEpoch = activeEpoch + 1;
        emit RootActivated(activeRoot, activeEpoch);
    }

    function removeRoutes(bytes4[] calldata selectors) external onlyOwner notFrozen {
        for (uint256 i; i < selectors.length; ++i) {
            if (routes[selectors[i]].facet == address(0)) revert NoRoute(selectors[i]);
            _removeRoute(selectors[i]);
        }
    }

    function setActivationDelay(uint64 delay) external onlyOwner notFrozen {
        activationDelay = delay;
    }

    function freeze() external onlyOwner {
        frozen = true;
    }

    function setPaused(bool value) external onlyOwner {
        paused = value;
    }

    function getManifestInfo()
        external
        view
        returns (bytes32 active, uint64 activeEpoch_, bytes32 pending, uint64 pendingEpoch_, uint64 since)
    {
        return (activeRoot, activeEpoch, pendingRoot, pendingEpoch, pendingSince);
    }

    function facets() external view returns (Facet[] memory out) {
        out = new Facet[](_facetList.length);
        for (uint256 i; i < _facetList.length; ++i) out[i] = Facet(_facetList[i], _selectorsOf[_facetList[i]]);
    }

    function facetFunctionSelectors(address facet) external view returns (bytes4[] memory) {
        return _selectorsOf[facet];
    }

    function facetAddresses() external view returns (address[] memory) {
        return _facetList;
    }

    function facetAddress(bytes4 selector) external view returns (address) {
        return routes[selector].facet;
    }

    fallback() external payable {
        if (paused) revert Paused();
        address facet = routes[msg.sig].facet;
        if (facet == address(0)) revert NoRoute(msg.sig);
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), facet, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    function _setRoute(bytes4 selector, address facet, bytes32 codehash) private {
        if (routes[selector].facet != address(0)) _removeRoute(selector);
        routes[selector] = Route(facet, codehash);
        if (_selectorsOf[facet].length == 0) _facetList.push(facet);
        _selectorsOf[facet].push(selector);
        emit RouteAdded(selector, facet, codehash);
    }

    function _removeRoute(bytes4 selector) private {
        address facet = routes[selector].facet;
        bytes4[] storage list = _selectorsOf[facet];
        for (uint256 i; i < list.length; ++i) {
            if (list[i] == selector) {
                list[i] = list[list.length - 1];
                list.pop();
                break;
            }
        }
        if (list.length == 0) {
            for (uint256 i; i < _facetList.length; ++i) {
                if (_facetList[i] == facet) {
                    _facetList[i] = _facetList[_facetList.length - 1];
                    _facetList.pop();
                    break;
                }
            }
        }
        delete routes[selector];
        emit RouteRemoved(selector);
    }
}
