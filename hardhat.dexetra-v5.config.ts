// The repository's config with the dexetra-v5 profile adapted to the stand-in (contracts/dexetra/), for child processes
// of the local-node tests: `hardhat --config hardhat.dexetra-v5.config.ts <task> --network localhost`.
import base from "./hardhat.config.js";
import { standInProtocol } from "./test/helpers/stand-in-protocol.js";

// the factory's fee recipient (no getter on this protocol): the stand-in's deployer, the node's first account
export default { ...base, cutover: { protocol: standInProtocol("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266") } };
