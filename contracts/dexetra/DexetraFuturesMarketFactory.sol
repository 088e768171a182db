// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {DexetraDiamond} from "./orderbook/DexetraDiamond.sol";
import {LibDexetraDiamond} from "./orderbook/LibDexetraDiamond.sol";
import {OrderBookInitFacet} from "./orderbook/OrderBookInitFacet.sol";

interface IDexetraVaultForFactory {
    function registerOrderBook(address orderBook) external;
    function assignMarketToOrderBook(bytes32 marketId, address orderBook) external;
    function updateMarkPrice(bytes32 marketId, uint256 price) external;
}

/// @notice Stand-in for Dexetra v5's FuturesMarketFactory: one OrderBook diamond per market, initialized with
/// `obInitialize(vault, marketId, feeRecipient)`, registered and assigned on the vault (FACTORY_ROLE) with its start
/// price (SETTLEMENT_ROLE). It does NOT grant ORDERBOOK_ROLE. A single admin address, not AccessControl.
abstract contract DexetraFactoryBase {
    address public admin;
    address public feeRecipient;
    bytes32[] internal allMarkets;
    mapping(bytes32 => address) internal orderBookOf;
    mapping(bytes32 => string) internal symbolOf;

    event FuturesMarketCreated(
        address indexed orderBook,
        bytes32 indexed marketId,
        string marketSymbol,
        address indexed creator,
        uint256 creationFee,
        string metricUrl,
        uint256 settlementDate,
        uint256 startPrice
    );
    event AdminUpdated(address indexed previousAdmin, address indexed newAdmin);

    error OnlyAdmin();

    modifier onlyAdmin() {
        if (msg.sender != admin) revert OnlyAdmin();
        _;
    }

    constructor(address admin_, address feeRecipient_) {
        admin = admin_;
        feeRecipient = feeRecipient_;
    }

    function _vault() internal view virtual returns (address);

    function updateAdmin(address newAdmin) external onlyAdmin {
        emit AdminUpdated(admin, newAdmin);
        admin = newAdmin;
    }

    /// @notice `initCalldata` is accepted for the interface; the diamond's init call is always built here as
    /// `obInitialize(vault, marketId, feeRecipient)` on `initFacet`. `dataSource` and `tags` are informational.
    function createFuturesMarketDiamond(
        string memory symbol,
        string memory metricUrl,
        uint256 settlementDate,
        uint256 startPrice,
        string memory dataSource,
        string[] memory tags,
        address diamondOwner,
        LibDexetraDiamond.FacetCut[] memory cut,
        address initFacet,
        bytes memory initCalldata
    ) external returns (address orderBook, bytes32 marketId) {
        require(bytes(symbol).length > 0 && startPrice > 0 && initFacet != address(0), "invalid market");
        (dataSource, tags, initCalldata);
        marketId = keccak256(abi.encodePacked(symbol, metricUrl, msg.sender, block.timestamp, block.number));
        require(orderBookOf[marketId] == address(0), "market exists");
        orderBook = _deploy(marketId, diamondOwner, cut, initFacet);
        _register(orderBook, marketId, symbol, startPrice);
        _announce(orderBook, marketId, symbol, metricUrl, settlementDate, startPrice);
    }

    function _announce(
        address orderBook,
        bytes32 marketId,
        string memory symbol,
        string memory metricUrl,
        uint256 settlementDate,
        uint256 startPrice
    ) private {
        emit FuturesMarketCreated(orderBook, marketId, symbol, msg.sender, 0, metricUrl, settlementDate, startPrice);
    }

    function _register(address orderBook, bytes32 marketId, string memory symbol, uint256 startPrice) private {
        orderBookOf[marketId] = orderBook;
        symbolOf[marketId] = symbol;
        allMarkets.push(marketId);
        IDexetraVaultForFactory(_vault()).registerOrderBook(orderBook);
        IDexetraVaultForFactory(_vault()).assignMarketToOrderBook(marketId, orderBook);
        IDexetraVaultForFactory(_vault()).updateMarkPrice(marketId, startPrice);
    }

    function _deploy(bytes32 marketId, address diamondOwner, LibDexetraDiamond.FacetCut[] memory cut, address initFacet)
        private
        returns (address)
    {
        bytes memory init = abi.encodeCall(OrderBookInitFacet.obInitialize, (_vault(), marketId, feeRecipient));
        return address(new DexetraDiamond(diamondOwner, cut, initFacet, init));
    }

    function getOrderBookForMarket(bytes32 marketId) external view returns (address) {
        return orderBookOf[marketId];
    }

    function getAllMarkets() external view returns (bytes32[] memory) {
        return allMarkets;
    }

    function getMarketSymbol(bytes32 marketId) external view returns (string memory) {
        return symbolOf[marketId];
    }
}

/// @notice The runbook's version: the vault is immutable and has no getter.
contract DexetraFuturesMarketFactory is DexetraFactoryBase {
    address internal immutable vault;

    constructor(address vault_, address admin_, address feeRecipient_) DexetraFactoryBase(admin_, feeRecipient_) {
        vault = vault_;
    }

    function _vault() internal view override returns (address) {
        return vault;
    }
}

/// @notice The later version: the admin can repoint the vault (`updateVault`), which is public (`vault()`).
contract DexetraFuturesMarketFactoryUpdatable is DexetraFactoryBase {
    address public vault;

    event VaultUpdated(address indexed previousVault, address indexed newVault);

    constructor(address vault_, address admin_, address feeRecipient_) DexetraFactoryBase(admin_, feeRecipient_) {
        vault = vault_;
    }

    function updateVault(address newVault) external onlyAdmin {
        emit VaultUpdated(vault, newVault);
        vault = newVault;
    }

    function _vault() internal view override returns (address) {
        return vault;
    }
}
