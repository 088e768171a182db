// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test collateral: 6 decimals like USDC, freely mintable.
contract MockUSDC is ERC20 {
    constructor() ERC20("Mock USD Coin", "USDC") {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// @notice A deliberately wrong collateral (18 decimals) for negative tests: CoreVault must refuse it.
contract WrongDecimalsToken is ERC20 {
    constructor() ERC20("Wrong Decimals Dollar", "WDD") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
