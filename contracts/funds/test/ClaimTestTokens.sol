// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

interface IClaims {
    function claim(address user, uint256 amount, bytes32[] calldata proof) external;
}

/// @notice Test token whose transfer calls back into the claim contract once (a reentrancy attempt).
contract ReentrantToken is ERC20 {
    IClaims public target;
    address public user;
    uint256 public amount;
    bytes32[] public proof;

    constructor() ERC20("Reentrant", "RE") {}

    function mint(address to, uint256 value) external {
        _mint(to, value);
    }

    function arm(IClaims target_, address user_, uint256 amount_, bytes32[] calldata proof_) external {
        (target, user, amount, proof) = (target_, user_, amount_, proof_);
    }

    function transfer(address to, uint256 value) public override returns (bool) {
        if (address(target) != address(0)) {
            IClaims t = target;
            target = IClaims(address(0));
            t.claim(user, amount, proof);
        }
        return super.transfer(to, value);
    }
}

/// @notice Test token whose transfer returns false and moves nothing.
contract FalseToken is ERC20 {
    constructor() ERC20("False", "NO") {}

    function mint(address to, uint256 value) external {
        _mint(to, value);
    }

    function transfer(address, uint256) public pure override returns (bool) {
        return false;
    }
}

/// @notice Test vault whose external credit always reverts.
contract RefusingVault {
    function creditExternal(address, uint256) external pure {
        revert("no credit");
    }
}
