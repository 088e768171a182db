// This project's config with the dexetra-v5 profile of the stand-in (`mocks:deploy-system --profile dexetra-v5`), as
// a user of the production protocol would set it: for the Hardhat CLI children of the tests
// (`hardhat --config hardhat.dexetra.config.ts …`). The stand-in's fee recipient is its deployer, the node's first
// default account.
import config from "./hardhat.config.js";
import { standInProtocol } from "./src/mocks/stand-in-profile.js";

export default {
  ...config,
  cutover: { ...config.cutover, protocol: standInProtocol("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266") },
};
