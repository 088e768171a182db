import { ZeroAddress } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";
import { selectorsOf } from "../diamond/selectors.js";
import "../type-extensions.js";

/**
 * Two hosts to try facet plans on: a ManifestDispatcher (admin: the first account) and an OrderBookDiamond (cut, loupe
 * and ownership facets) owned by an OpenZeppelin TimelockController whose proposer and executor is the first account;
 * both with `delay` seconds of activation delay.
 */
export async function deployPlanTargets(conn: NetworkConnection, delay: number) {
  const { ethers } = conn;
  const [admin] = await ethers.getSigners();
  const dispatcher = await ethers.deployContract("ManifestDispatcher", [admin.address, delay]);
  await dispatcher.waitForDeployment();
  const timelock = await ethers.deployContract("Timelock", [delay, [admin.address], [admin.address], ZeroAddress]);
  await timelock.waitForDeployment();
  const cuts = [];
  for (const name of ["DiamondCutFacet", "DiamondLoupeFacet", "OwnershipFacet"]) {
    const facet = await ethers.deployContract(name);
    await facet.waitForDeployment();
    cuts.push({
      facetAddress: await facet.getAddress(),
      action: 0,
      functionSelectors: selectorsOf(facet.interface).map((s) => s.selector),
    });
  }
  const diamond = await ethers.deployContract("OrderBookDiamond", [
    await timelock.getAddress(),
    cuts,
    ZeroAddress,
    "0x",
  ]);
  await diamond.waitForDeployment();
  return {
    admin: admin.address,
    dispatcher: await dispatcher.getAddress(),
    timelock: await timelock.getAddress(),
    diamond: await diamond.getAddress(),
  };
}
