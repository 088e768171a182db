// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IDispatcherLoupe} from "./IDispatcherLoupe.sol";

/// @title ManifestDispatcher
/// @notice Selector router whose routes come from a Merkle manifest committed ahead of time.
///
/// Lifecycle of an epoch:
///  1. `commitRoot(root, activeEpoch + 1)` (COMMIT_ROLE) records a pending root; it may be applied/activated from
///     `earliestActivation = now + activationDelay`. Committing again before activation replaces the pending root,
///     discards its staged routes and restarts the delay.
///  2. `applyRoutes(...)` (APPLY_ROLE, only from `earliestActivation`) verifies each entry against the PENDING root and
///     the facet's current EXTCODEHASH, and STAGES it. Staged routes are not live: the fallback and the loupe ignore
///     them. May be called several times per epoch; a selector can be staged once per epoch.
///  3. `activateCommittedRoot()` (APPLY_ROLE, only from `earliestActivation`) re-checks every staged facet's code hash,
///     makes the staged routes live (adding or replacing), and makes the pending root the active root.
/// Manifests are additive: a live selector absent from a new manifest stays live; `removeRoutes` (APPLY_ROLE or
/// EMERGENCY_ROLE) takes routes out, so the live set may be a subset of what the active root describes.
///
/// Merkle rules (mirrored by src/manifest/merkle.ts):
///   leaf = keccak256(abi.encode(bytes4 selector, address facet, bytes32 codehash));
///   leaf node = keccak256(0x00 ‖ leaf); inner node = keccak256(0x01 ‖ left ‖ right), position-aware (not sorted);
///   on a level with an odd number of nodes the last node is promoted unchanged (its proof has no entry there);
///   isRight[i] == true means the sibling at level i is on the right of the running hash.
///
/// `freeze()` ends all configuration forever (commit, apply, activate, remove, setActivationDelay). Pausing only stops
/// routing; configuration stays possible while paused so an emergency fix can be staged.
/// Facets run by delegatecall in this contract's storage: they must keep their state in namespaced (ERC-7201) slots.
contract ManifestDispatcher is AccessControl, Pausable, IDispatcherLoupe {
    bytes32 public constant COMMIT_ROLE = keccak256("COMMIT_ROLE");
    bytes32 public constant APPLY_ROLE = keccak256("APPLY_ROLE");
    bytes32 public constant EMERGENCY_ROLE = keccak256("EMERGENCY_ROLE");

    struct Route {
        address facet;
        bytes32 codehash;
    }

    /// @notice Live routes: selector => (facet, codehash recorded when the route went live).
    mapping(bytes4 selector => Route) public routes;

    bytes32 public activeRoot;
    uint64 public activeEpoch;
    bytes32 public pendingRoot;
    uint64 public pendingEpoch;
    /// @notice Timestamp from which the pending root may be applied and activated (0 when nothing is pending).
    uint64 public earliestActivation;
    uint64 public activationDelay;
    bool public frozen;

    // Loupe bookkeeping (swap-and-pop on removal).
    address[] private _facetList;
    mapping(address facet => uint256) private _facetPosition; // index + 1 in _facetList, 0 = absent
    mapping(address facet => bytes4[]) private _selectorsOf;
    mapping(bytes4 selector => uint256) private _selectorPosition; // index in _selectorsOf[facet]

    bytes4[] private _stagedSelectors;
    mapping(bytes4 selector => Route) private _staged;

    event RootCommitted(bytes32 indexed root, uint64 indexed epoch, uint64 earliestActivation);
    event PendingRootDiscarded(bytes32 indexed root, uint64 indexed epoch, uint256 stagedRoutes);
    event RouteStaged(bytes4 indexed selector, address indexed facet, bytes32 codehash);
    event RoutesApplied(bytes32 indexed root, uint64 indexed epoch, uint256 count);
    event RootActivated(bytes32 indexed root, uint64 indexed epoch, uint256 routesActivated);
    event RouteAdded(bytes4 indexed selector, address indexed facet, bytes32 codehash);
    event RouteRemoved(bytes4 indexed selector, address indexed facet);
    event ActivationDelaySet(uint64 previousDelay, uint64 newDelay);
    event Frozen(address indexed by);

    error DispatcherFrozen();
    error UnknownSelector(bytes4 selector);
    error FacetCodehashChanged(bytes4 selector, address facet, bytes32 recorded, bytes32 current);
    error ZeroRoot();
    error InvalidEpoch(uint64 expected, uint64 given);
    error NoPendingRoot();
    error ActivationTooEarly(uint64 earliestActivation, uint256 currentTimestamp);
    error LengthMismatch();
    error InvalidProof(bytes4 selector, address facet, bytes32 codehash);
    error FacetHasNoCode(address facet);
    error CodehashMismatch(address facet, bytes32 expected, bytes32 actual);
    error SelectorAlreadyStaged(bytes4 selector);
    error RouteNotFound(bytes4 selector);
    error NotApplyOrEmergency(address account);
    error DelayShortenedWhilePending(uint64 currentDelay, uint64 requestedDelay);

    modifier notFrozen() {
        if (frozen) revert DispatcherFrozen();
        _;
    }

    modifier pendingAndDue() {
        if (pendingRoot == bytes32(0)) revert NoPendingRoot();
        if (block.timestamp < earliestActivation) revert ActivationTooEarly(earliestActivation, block.timestamp);
        _;
    }

    constructor(address admin, uint64 delay) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(COMMIT_ROLE, admin);
        _grantRole(APPLY_ROLE, admin);
        _grantRole(EMERGENCY_ROLE, admin);
        activationDelay = delay;
        emit ActivationDelaySet(0, delay);
    }

    // ---------------------------------------------------------------- manifest lifecycle

    function commitRoot(bytes32 root, uint64 epoch) external onlyRole(COMMIT_ROLE) notFrozen {
        if (root == bytes32(0)) revert ZeroRoot();
        if (epoch != activeEpoch + 1) revert InvalidEpoch(activeEpoch + 1, epoch);
        if (pendingRoot != bytes32(0)) {
            emit PendingRootDiscarded(pendingRoot, pendingEpoch, _stagedSelectors.length);
            _clearStaged();
        }
        pendingRoot = root;
        pendingEpoch = epoch;
        earliestActivation = uint64(block.timestamp) + activationDelay;
        emit RootCommitted(root, epoch, earliestActivation);
    }

    function applyRoutes(
        bytes4[] calldata selectors,
        address[] calldata facetAddrs,
        bytes32[] calldata codehashes,
        bytes32[][] calldata proofs,
        bool[][] calldata isRight
    ) external onlyRole(APPLY_ROLE) notFrozen pendingAndDue {
        uint256 n = selectors.length;
        if (facetAddrs.length != n || codehashes.length != n || proofs.length != n || isRight.length != n) {
            revert LengthMismatch();
        }
        for (uint256 i; i < n; ++i) {
            _stage(selectors[i], facetAddrs[i], codehashes[i], proofs[i], isRight[i]);
        }
        emit RoutesApplied(pendingRoot, pendingEpoch, n);
    }

    function activateCommittedRoot() external onlyRole(APPLY_ROLE) notFrozen pendingAndDue {
        uint256 n = _stagedSelectors.length;
        for (uint256 i; i < n; ++i) {
            bytes4 selector = _stagedSelectors[i];
            Route memory r = _staged[selector];
            _requireCodehash(r.facet, r.codehash);
            _setRoute(selector, r.facet, r.codehash);
        }
        _clearStaged();
        activeRoot = pendingRoot;
        activeEpoch = pendingEpoch;
        pendingRoot = bytes32(0);
        pendingEpoch = 0;
        earliestActivation = 0;
        emit RootActivated(activeRoot, activeEpoch, n);
    }

    function removeRoutes(bytes4[] calldata selectors) external notFrozen {
        if (!hasRole(APPLY_ROLE, msg.sender) && !hasRole(EMERGENCY_ROLE, msg.sender)) {
            revert NotApplyOrEmergency(msg.sender);
        }
        for (uint256 i; i < selectors.length; ++i) {
            if (routes[selectors[i]].facet == address(0)) revert RouteNotFound(selectors[i]);
            _removeRoute(selectors[i]);
        }
    }

    // ---------------------------------------------------------------- administration

    /// @notice Lengthening while a root is pending also pushes that root's earliestActivation back by the difference;
    /// shortening while a root is pending is refused.
    function setActivationDelay(uint64 delay) external onlyRole(DEFAULT_ADMIN_ROLE) notFrozen {
        uint64 previous = activationDelay;
        if (pendingRoot != bytes32(0)) {
            if (delay < previous) revert DelayShortenedWhilePending(previous, delay);
            earliestActivation += delay - previous;
        }
        activationDelay = delay;
        emit ActivationDelaySet(previous, delay);
    }

    function freeze() external onlyRole(DEFAULT_ADMIN_ROLE) notFrozen {
        frozen = true;
        emit Frozen(msg.sender);
    }

    function pause() external onlyRole(EMERGENCY_ROLE) {
        _pause();
    }

    function unpause() external onlyRole(EMERGENCY_ROLE) {
        _unpause();
    }

    // ---------------------------------------------------------------- views

    function stagedSelectors() external view returns (bytes4[] memory) {
        return _stagedSelectors;
    }

    function stagedRoute(bytes4 selector) external view returns (address facet, bytes32 codehash) {
        Route memory r = _staged[selector];
        return (r.facet, r.codehash);
    }

    function facets() external view returns (Facet[] memory out) {
        uint256 n = _facetList.length;
        out = new Facet[](n);
        for (uint256 i; i < n; ++i) {
            out[i] = Facet(_facetList[i], _selectorsOf[_facetList[i]]);
        }
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

    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IDispatcherLoupe).interfaceId || super.supportsInterface(interfaceId);
    }

    // ---------------------------------------------------------------- routing

    fallback() external payable {
        _route();
    }

    /// @dev Plain ether transfers route like selector 0x00000000 (refused unless a manifest routes it).
    receive() external payable {
        _route();
    }

    function _route() private whenNotPaused {
        Route memory r = routes[msg.sig];
        if (r.facet == address(0)) revert UnknownSelector(msg.sig);
        if (r.facet.codehash != r.codehash) revert FacetCodehashChanged(msg.sig, r.facet, r.codehash, r.facet.codehash);
        address facet = r.facet;
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), facet, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    // ---------------------------------------------------------------- internals

    function _stage(bytes4 selector, address facet, bytes32 codehash, bytes32[] calldata proof, bool[] calldata isRight)
        private
    {
        if (_staged[selector].facet != address(0)) revert SelectorAlreadyStaged(selector);
        if (!_verify(pendingRoot, keccak256(abi.encode(selector, facet, codehash)), proof, isRight)) {
            revert InvalidProof(selector, facet, codehash);
        }
        _requireCodehash(facet, codehash);
        _staged[selector] = Route(facet, codehash);
        _stagedSelectors.push(selector);
        emit RouteStaged(selector, facet, codehash);
    }

    function _verify(bytes32 root, bytes32 leaf, bytes32[] calldata proof, bool[] calldata isRight)
        private
        pure
        returns (bool)
    {
        if (proof.length != isRight.length) return false;
        bytes32 node = keccak256(abi.encodePacked(bytes1(0x00), leaf));
        for (uint256 i; i < proof.length; ++i) {
            node = isRight[i]
                ? keccak256(abi.encodePacked(bytes1(0x01), node, proof[i]))
                : keccak256(abi.encodePacked(bytes1(0x01), proof[i], node));
        }
        return node == root;
    }

    function _requireCodehash(address facet, bytes32 codehash) private view {
        if (facet.code.length == 0) revert FacetHasNoCode(facet);
        if (facet.codehash != codehash) revert CodehashMismatch(facet, codehash, facet.codehash);
    }

    function _clearStaged() private {
        for (uint256 i; i < _stagedSelectors.length; ++i) {
            delete _staged[_stagedSelectors[i]];
        }
        delete _stagedSelectors;
    }

    function _setRoute(bytes4 selector, address facet, bytes32 codehash) private {
        address previous = routes[selector].facet;
        if (previous == facet) {
            routes[selector].codehash = codehash;
        } else {
            if (previous != address(0)) _removeRoute(selector);
            routes[selector] = Route(facet, codehash);
            if (_selectorsOf[facet].length == 0) {
                _facetList.push(facet);
                _facetPosition[facet] = _facetList.length;
            }
            _selectorPosition[selector] = _selectorsOf[facet].length;
            _selectorsOf[facet].push(selector);
        }
        emit RouteAdded(selector, facet, codehash);
    }

    function _removeRoute(bytes4 selector) private {
        address facet = routes[selector].facet;
        bytes4[] storage selectors = _selectorsOf[facet];
        uint256 i = _selectorPosition[selector];
        bytes4 moved = selectors[selectors.length - 1];
        selectors[i] = moved;
        _selectorPosition[moved] = i;
        selectors.pop();
        delete _selectorPosition[selector];
        delete routes[selector];

        if (selectors.length == 0) {
            uint256 f = _facetPosition[facet] - 1;
            address movedFacet = _facetList[_facetList.length - 1];
            _facetList[f] = movedFacet;
            _facetPosition[movedFacet] = f + 1;
            _facetList.pop();
            delete _facetPosition[facet];
        }
        emit RouteRemoved(selector, facet);
    }
}
