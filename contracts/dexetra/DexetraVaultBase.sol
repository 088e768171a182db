// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {DexetraPositionManager} from "./DexetraPositionManager.sol";

/// @notice The storage layout, events and bookkeeping shared by the stand-in CoreVault and its LiquidationManager: the
/// vault delegatecalls liquidations into the manager, which therefore runs on the vault's storage.
abstract contract DexetraVaultBase is AccessControl, Pausable, ReentrancyGuard {
    bytes32 public constant ORDERBOOK_ROLE = keccak256("ORDERBOOK_ROLE");
    bytes32 public constant SETTLEMENT_ROLE = keccak256("SETTLEMENT_ROLE");
    bytes32 public constant FACTORY_ROLE = keccak256("FACTORY_ROLE");
    bytes32 public constant EXTERNAL_CREDITOR_ROLE = keccak256("EXTERNAL_CREDITOR_ROLE");

    // No getters (production has none): discovered from records, events and bytecode.
    address internal immutable collateralToken;
    address internal liquidationManager;
    address[] internal registeredOrderBookList;

    mapping(bytes32 => address) public marketToOrderBook;
    mapping(address => bool) public registeredOrderBooks;

    uint256 public baseMmrBps;
    uint256 public penaltyMmrBps;
    uint256 public maxMmrBps;
    uint256 public scalingSlopeBps;
    uint256 public priceGapSlopeBps;
    uint256 public mmrLiquidityDepthLevels;

    mapping(address => uint256) public userCollateral;
    mapping(address => uint256) public userCrossChainCredit;
    mapping(address => int256) public userRealizedPnL;
    mapping(address => DexetraPositionManager.Position[]) internal userPositions;
    mapping(address => uint256) internal userMarginTotal;
    mapping(address => uint256) internal userReservedTotal;
    mapping(address => mapping(bytes32 => uint256)) internal orderReservations;
    mapping(address => mapping(bytes32 => uint256)) internal userMarketMargin;
    address[] public allKnownUsers;
    mapping(address => bool) internal isKnownUser;
    uint256 public totalCollateralDeposited;
    uint256 public totalMarginLocked;
    mapping(bytes32 => uint256) public marketMarkPrices;
    mapping(bytes32 => bool) public marketSettled;

    event PositionUpdated(
        address indexed user,
        bytes32 indexed marketId,
        int256 oldSize,
        int256 newSize,
        uint256 entryPrice,
        uint256 marginLocked
    );
    event MarginLocked(address indexed user, bytes32 indexed marketId, uint256 amount, uint256 totalLockedAfter);
    event MarginReleased(address indexed user, bytes32 indexed marketId, uint256 amount, uint256 totalLockedAfter);
    event LiquidationExecuted(
        address indexed user, bytes32 indexed marketId, address indexed liquidator, uint256 markPrice, uint256 reward
    );

    constructor(address collateralToken_) {
        collateralToken = collateralToken_;
    }

    /// @dev A fill on the user's position: margin, realized pnl, the PositionUpdated event.
    function _applyFill(address user, bytes32 marketId, int256 sizeDelta, uint256 price, uint256 marginForDelta)
        internal
        returns (DexetraPositionManager.Fill memory f, uint256 badDebt)
    {
        f = DexetraPositionManager.applyFill(userPositions[user], marketId, sizeDelta, price, marginForDelta);
        _moveLocked(user, marketId, f.marginBefore, f.marginAfter);
        badDebt = _realize(user, f.realizedPnl6);
        _know(user);
        emit PositionUpdated(user, marketId, f.oldSize, f.newSize, f.entryPrice, f.marginAfter);
    }

    /// @dev Books a change of the margin the user has locked in `marketId` from `before` to `after_`.
    function _moveLocked(address user, bytes32 marketId, uint256 before, uint256 after_) internal {
        if (after_ > before) {
            userMarginTotal[user] += after_ - before;
            totalMarginLocked += after_ - before;
            emit MarginLocked(user, marketId, after_ - before, userMarginTotal[user]);
        } else if (before > after_) {
            userMarginTotal[user] -= before - after_;
            totalMarginLocked -= before - after_;
            emit MarginReleased(user, marketId, before - after_, userMarginTotal[user]);
        }
    }

    /// @dev Realized pnl moves deposited collateral; a loss beyond it is returned as bad debt.
    function _realize(address user, int256 pnl6) internal returns (uint256 badDebt) {
        if (pnl6 == 0) return 0;
        userRealizedPnL[user] += pnl6;
        if (pnl6 > 0) {
            userCollateral[user] += uint256(pnl6);
        } else {
            uint256 loss = uint256(-pnl6);
            uint256 held = userCollateral[user];
            if (loss > held) badDebt = loss - held;
            userCollateral[user] = held - (loss - badDebt);
        }
    }

    function _know(address user) internal {
        if (!isKnownUser[user]) {
            isKnownUser[user] = true;
            allKnownUsers.push(user);
        }
    }
}
