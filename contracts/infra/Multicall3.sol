// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Multicall3
/// @notice Many view calls in one eth_call. ABI-compatible with the canonical Multicall3 for `aggregate3` and the block
/// views below (same signatures, same revert string), written for this plugin: on local chains it is installed at the
/// canonical address 0xcA11bde05977b3631167028862bE2a173976CA11, where the plugin's reader expects a Multicall3.
contract Multicall3 {
    struct Call3 {
        address target;
        bool allowFailure;
        bytes callData;
    }

    struct Result {
        bool success;
        bytes returnData;
    }

    /// @notice Calls each target in order. A failing call whose `allowFailure` is false reverts the whole batch;
    /// otherwise its result carries success = false and the revert data.
    function aggregate3(Call3[] calldata calls) external payable returns (Result[] memory results) {
        uint256 count = calls.length;
        results = new Result[](count);
        for (uint256 i = 0; i < count; ++i) {
            Call3 calldata item = calls[i];
            (bool success, bytes memory returnData) = item.target.call(item.callData);
            if (!success && !item.allowFailure) revert("Multicall3: call failed");
            results[i] = Result(success, returnData);
        }
    }

    function getBlockNumber() external view returns (uint256) {
        return block.number;
    }

    function getCurrentBlockTimestamp() external view returns (uint256) {
        return block.timestamp;
    }

    function getChainId() external view returns (uint256) {
        return block.chainid;
    }

    function getEthBalance(address account) external view returns (uint256) {
        return account.balance;
    }
}
