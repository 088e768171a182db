// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice The parts of a Safe (v1.3.0 / v1.4.1) the Safe executor reads and the tests call. The contracts themselves
/// come from Safe's npm artifacts; this interface only gives the plugin their ABI from a compiled artifact.
interface ISafe {
    function VERSION() external view returns (string memory);
    function nonce() external view returns (uint256);
    function getThreshold() external view returns (uint256);
    function getOwners() external view returns (address[] memory);
    function domainSeparator() external view returns (bytes32);
    function getTransactionHash(
        address to,
        uint256 value,
        bytes calldata data,
        uint8 operation,
        uint256 safeTxGas,
        uint256 baseGas,
        uint256 gasPrice,
        address gasToken,
        address refundReceiver,
        uint256 _nonce
    ) external view returns (bytes32);
    function execTransaction(
        address to,
        uint256 value,
        bytes calldata data,
        uint8 operation,
        uint256 safeTxGas,
        uint256 baseGas,
        uint256 gasPrice,
        address gasToken,
        address payable refundReceiver,
        bytes memory signatures
    ) external payable returns (bool success);
}

/// @notice Safe's MultiSendCallOnly: runs packed calls (operation 0 only) in the Safe's context when delegatecalled.
interface IMultiSendCallOnly {
    function multiSend(bytes memory transactions) external payable;
}
