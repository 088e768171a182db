// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Test-only facet with 43 selectors (w00() … w42(), each returning its number), so that with
/// FeeConfigFacet (6), PauseGuardFacet (6) and MarketInfoFacet (5) a plan has 60 selectors (bench/facet-plan.ts).
contract WideFacet {
    function w00() external pure returns (uint256) { return 0; }
    function w01() external pure returns (uint256) { return 1; }
    function w02() external pure returns (uint256) { return 2; }
    function w03() external pure returns (uint256) { return 3; }
    function w04() external pure returns (uint256) { return 4; }
    function w05() external pure returns (uint256) { return 5; }
    function w06() external pure returns (uint256) { return 6; }
    function w07() external pure returns (uint256) { return 7; }
    function w08() external pure returns (uint256) { return 8; }
    function w09() external pure returns (uint256) { return 9; }
    function w10() external pure returns (uint256) { return 10; }
    function w11() external pure returns (uint256) { return 11; }
    function w12() external pure returns (uint256) { return 12; }
    function w13() external pure returns (uint256) { return 13; }
    function w14() external pure returns (uint256) { return 14; }
    function w15() external pure returns (uint256) { return 15; }
    function w16() external pure returns (uint256) { return 16; }
    function w17() external pure returns (uint256) { return 17; }
    function w18() external pure returns (uint256) { return 18; }
    function w19() external pure returns (uint256) { return 19; }
    function w20() external pure returns (uint256) { return 20; }
    function w21() external pure returns (uint256) { return 21; }
    function w22() external pure returns (uint256) { return 22; }
    function w23() external pure returns (uint256) { return 23; }
    function w24() external pure returns (uint256) { return 24; }
    function w25() external pure returns (uint256) { return 25; }
    function w26() external pure returns (uint256) { return 26; }
    function w27() external pure returns (uint256) { return 27; }
    function w28() external pure returns (uint256) { return 28; }
    function w29() external pure returns (uint256) { return 29; }
    function w30() external pure returns (uint256) { return 30; }
    function w31() external pure returns (uint256) { return 31; }
    function w32() external pure returns (uint256) { return 32; }
    function w33() external pure returns (uint256) { return 33; }
    function w34() external pure returns (uint256) { return 34; }
    function w35() external pure returns (uint256) { return 35; }
    function w36() external pure returns (uint256) { return 36; }
    function w37() external pure returns (uint256) { return 37; }
    function w38() external pure returns (uint256) { return 38; }
    function w39() external pure returns (uint256) { return 39; }
    function w40() external pure returns (uint256) { return 40; }
    function w41() external pure returns (uint256) { return 41; }
    function w42() external pure returns (uint256) { return 42; }
}
