// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ICoreVault} from "../interfaces/ICoreVault.sol";
import {IDiamondCut} from "../orderbook/interfaces/IDiamondCut.sol";
import {OrderBookDiamond} from "../orderbook/OrderBookDiamond.sol";
import {OrderBookInit} from "../orderbook/OrderBookInit.sol";

/// @notice Creates markets: each is an OrderBook diamond (the standard facets, initialized with the vault and its
/// marketId) registered and assigned on the vault and granted ORDERBOOK_ROLE there (the factory holds FACTORY_ROLE,
/// which administers ORDERBOOK_ROLE). Two versions differ only in whether the vault pointer can be changed.
abstract contract FuturesMarketFactoryBase is AccessControl {
    bytes32 public constant MARKET_CREATOR_ROLE = keccak256("MARKET_CREATOR_ROLE");

    address public immutable orderBookInit;
    /// @notice Owner of every diamond this factory creates: the factory's admin at deployment (it can cut them later).
    address public immutable marketOwner;

    IDiamondCut.FacetCut[] private _facetTemplate;
    bytes32[] private _marketIds;
    mapping(bytes32 marketId => address) public orderBookOf;
    mapping(bytes32 marketId => string) public symbolOf;

    event MarketCreated(bytes32 indexed marketId, string symbol, address indexed orderBook, address indexed vault);

    error ZeroAddress(string what);
    error MarketExists(bytes32 marketId, string symbol);
    error EmptySymbol();

    constructor(address admin, address init, IDiamondCut.FacetCut[] memory facets) {
        if (admin == address(0)) revert ZeroAddress("admin");
        if (init == address(0)) revert ZeroAddress("orderBookInit");
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MARKET_CREATOR_ROLE, admin);
        marketOwner = admin;
        orderBookInit = init;
        for (uint256 i = 0; i < facets.length; i++) {
            IDiamondCut.FacetCut storage cut = _facetTemplate.push();
            cut.facetAddress = facets[i].facetAddress;
            cut.action = facets[i].action;
            cut.functionSelectors = facets[i].functionSelectors;
        }
    }

    function vault() public view virtual returns (address);

    /// @notice True where the admin can repoint this factory at another vault.
    function isVaultUpdatable() external pure virtual returns (bool);

    function createMarket(string calldata symbol)
        external
        onlyRole(MARKET_CREATOR_ROLE)
        returns (bytes32 marketId, address orderBook)
    {
        if (bytes(symbol).length == 0) revert EmptySymbol();
        marketId = keccak256(bytes(symbol));
        if (orderBookOf[marketId] != address(0)) revert MarketExists(marketId, symbol);
        address currentVault = vault();
        orderBook = address(
            new OrderBookDiamond(
                marketOwner,
                _facetTemplate,
                orderBookInit,
                abi.encodeCall(OrderBookInit.obInitialize, (currentVault, marketId))
            )
        );
        orderBookOf[marketId] = orderBook;
        symbolOf[marketId] = symbol;
        _marketIds.push(marketId);
        ICoreVault target = ICoreVault(currentVault);
        target.registerOrderBook(orderBook);
        target.assignMarketToOrderBook(marketId, orderBook);
        target.grantRole(target.ORDERBOOK_ROLE(), orderBook);
        emit MarketCreated(marketId, symbol, orderBook, currentVault);
    }

    function getMarketIds() external view returns (bytes32[] memory) {
        return _marketIds;
    }

    function facetTemplate() external view returns (IDiamondCut.FacetCut[] memory) {
        return _facetTemplate;
    }
}

/// @notice The factory whose vault the admin can repoint (`setVault`).
contract FuturesMarketFactory is FuturesMarketFactoryBase {
    address private _vault;

    event VaultUpdated(address indexed previous, address indexed current);

    constructor(address vault_, address admin, address init, IDiamondCut.FacetCut[] memory facets)
        FuturesMarketFactoryBase(admin, init, facets)
    {
        if (vault_ == address(0)) revert ZeroAddress("vault");
        _vault = vault_;
        emit VaultUpdated(address(0), vault_);
    }

    function vault() public view override returns (address) {
        return _vault;
    }

    function isVaultUpdatable() external pure override returns (bool) {
        return true;
    }

    function setVault(address newVault) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newVault == address(0)) revert ZeroAddress("vault");
        emit VaultUpdated(_vault, newVault);
        _vault = newVault;
    }
}

/// @notice The factory whose vault is fixed at deployment: moving to a new vault means deploying a new factory.
contract FuturesMarketFactoryImmutable is FuturesMarketFactoryBase {
    address private immutable _vault;

    constructor(address vault_, address admin, address init, IDiamondCut.FacetCut[] memory facets)
        FuturesMarketFactoryBase(admin, init, facets)
    {
        if (vault_ == address(0)) revert ZeroAddress("vault");
        _vault = vault_;
    }

    function vault() public view override returns (address) {
        return _vault;
    }

    function isVaultUpdatable() external pure override returns (bool) {
        return false;
    }
}
