import { network } from "hardhat";
const conn = await network.create();
const [a] = await conn.ethers.getSigners();
const tx = { from: a.address, to: a.address, value: "0x1", nonce: "0x0", gas: "0x5208", maxFeePerGas: "0x77359400", maxPriorityFeePerGas: "0x1", chainId: "0x7a69", type: "0x2" };
try { console.log("signTx", await conn.provider.request({ method: "eth_signTransaction", params: [tx] })); } catch (e) { console.log("eth_signTransaction failed:", (e as Error).message); }
const h1 = await conn.provider.request({ method: "eth_sendTransaction", params: [tx] });
console.log("hash", h1);
console.log("pending count", await conn.provider.request({ method: "eth_getTransactionCount", params: [a.address, "pending"] }));
