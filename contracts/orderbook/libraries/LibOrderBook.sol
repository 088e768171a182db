// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Namespaced (ERC-7201) storage of one OrderBook market.
library LibOrderBook {
    struct Order {
        uint256 id;
        address trader;
        bool isBuy;
        uint256 price; // collateral units (6 decimals) per 1e18 of size
        uint256 remainingSize; // 18 decimals
        bool active;
    }

    /// @custom:storage-location erc7201:cutover.orderbook.storage
    struct Storage {
        address vault;
        bool initialized;
        bytes32 marketId;
        uint256 nextOrderId;
        mapping(uint256 => Order) orders;
    }

    // keccak256(abi.encode(uint256(keccak256("cutover.orderbook.storage")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 internal constant STORAGE_SLOT = 0x485bbcdf5044495be4fff67df8d4e80f4b4be9def8e97209f7f06c9d41800600;

    error AlreadyInitialized();
    error NotInitialized();
    error ZeroVaultAddress();

    function layout() internal pure returns (Storage storage s) {
        bytes32 slot = STORAGE_SLOT;
        assembly {
            s.slot := slot
        }
    }

    function initialized() internal view returns (Storage storage s) {
        s = layout();
        if (!s.initialized) revert NotInitialized();
    }
}
