import { createRequire } from "node:module";
import { configVariable, defineConfig } from "hardhat/config";
import hardhatEthersChaiMatchers from "@nomicfoundation/hardhat-ethers-chai-matchers";
import hardhatMocha from "@nomicfoundation/hardhat-mocha";
import hardhatNetworkHelpers from "@nomicfoundation/hardhat-network-helpers";
import hardhatVerify from "@nomicfoundation/hardhat-verify";
import cutover from "./src/index.js";

const require = createRequire(import.meta.url);

// The node we fork from (CI's local `hardhat node`, or FORK_URL) runs chain 31337 from genesis on Prague.
const localChain = { name: "local hardhat node", hardforkHistory: { prague: { blockNumber: 0 } } };

export default defineConfig({
  plugins: [hardhatNetworkHelpers, hardhatEthersChaiMatchers, hardhatMocha, hardhatVerify, cutover],
  solidity: {
    // Offline: the compiler is the npm `solc` package (pinned exactly in package.json), not a download.
    version: "0.8.30",
    path: require.resolve("solc/soljson.js"),
    settings: {
      optimizer: { enabled: true, runs: 200 },
      // What hardhat-deploy v2 adds when it is loaded: deployment records then carry the metadata and NatSpec.
      outputSelection: { "*": { "*": ["metadata", "devdoc", "userdoc"] } },
    },
  },
  networks: {
    localhost: { type: "http", chainType: "l1", url: process.env.LOCAL_RPC_URL ?? "http://127.0.0.1:8545" },
    // The same node with its accounts' keys held here (Hardhat's public test mnemonic, which `hardhat node` uses):
    // transactions are signed locally and broadcast raw, in JSON-RPC batches.
    localSigned: {
      type: "http",
      chainType: "l1",
      url: process.env.LOCAL_RPC_URL ?? "http://127.0.0.1:8545",
      accounts: { mnemonic: "test test test test test test test test test test test junk" },
    },
  },
  chainDescriptors: { 31337: localChain, 1337: localChain },
  // `cutover:verify --sources` verifies through hardhat-verify, which reads its API key here (read only when used).
  verify: { etherscan: { apiKey: configVariable("ETHERSCAN_API_KEY") } },
  test: {
    mocha: {
      timeout: 600_000,
      reporter: require.resolve("./scripts/summary-reporter.cjs"),
    },
  },
});
