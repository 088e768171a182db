// This project's config with the OrderBooks' vault-admin facet replaced by CheckedVaultAdminFacet (it refuses a vault
// that has not registered the OrderBook yet), for the Hardhat CLI children of test/integration/waves.test.ts.
import config from "./hardhat.config.js";

export default {
  ...config,
  cutover: {
    ...config.cutover,
    protocol: {
      orderBook: { rewire: { facet: { artifact: "CheckedVaultAdminFacet", setter: "function setVault(address)" } } },
    },
  },
};
