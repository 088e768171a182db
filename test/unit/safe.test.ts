// Pure Safe encoding: the Transaction Builder checksum, MultiSend packing, SafeTx hashing — checked against the
// Transaction Builder's published vector, @safe-global/protocol-kit, and @safe-global/safe-deployments.
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { getAddress, Interface, keccak256, TypedDataEncoder, ZeroAddress, ZeroHash } from "ethers";
import {
  calculateSafeTransactionHash,
  encodeMultiSendData,
  preimageSafeTransactionHash,
} from "@safe-global/protocol-kit";
import {
  getMultiSendCallOnlyDeployment,
  getProxyFactoryDeployment,
  getSafeSingletonDeployment,
} from "@safe-global/safe-deployments";
import type { LegacySystem } from "../../src/corevault/observe.js";
import { planRedeploy } from "../../src/corevault/plan-redeploy.js";
import { parseExecutorChoice } from "../../src/engine/authority.js";
import { RoutingExecutor, type Executor } from "../../src/engine/executor.js";
import type { TxRequest } from "../../src/engine/executor-eoa.js";
import { describeWait } from "../../src/timelock/duration.js";
import { timelockSalt } from "../../src/timelock/operation.js";
import { ownershipChecks, planTransfer, type OwnershipState } from "../../src/ownership/transfer.js";
import { batchChecksum, buildBatchFile, serializeForChecksum, type BatchFile } from "../../src/safe/batch-file.js";
import {
  encodeMultiSend,
  MULTISEND_CALL_ONLY,
  MULTISEND_CALL_ONLY_141,
  OPERATION,
  safeTxForBatch,
  safeTxHashes,
  type MetaTx,
} from "../../src/safe/safe-tx.js";

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/safe-v1.4.1/${name}.json`, import.meta.url), "utf8")) as {
    abi: never;
    deployedBytecode: string;
  };
const multiSend = { address: MULTISEND_CALL_ONLY_141.address, iface: new Interface(fixture("MultiSendCallOnly").abi) };

// The Transaction Builder's own test vector (safe-react-apps, apps/tx-builder/src/lib/checksum.test.ts).
const VECTOR = {
  version: "1.0",
  chainId: "4",
  createdAt: 1646321521061,
  meta: {
    name: "test batch file",
    txBuilderVersion: "1.4.0",
    checksum: "",
    createdFromSafeAddress: "0xDF8a1Ce35c9a6ACE153B4e0767942f1E2291a1Aa",
    createdFromOwnerAddress: "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6",
  },
  transactions: [
    {
      to: "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6",
      value: "0",
      contractMethod: {
        inputs: [{ internalType: "address", name: "paramAddress", type: "address" }],
        name: "testAddress",
        payable: false,
      },
      contractInputsValues: { paramAddress: "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6" },
    },
    {
      to: "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6",
      value: "0",
      contractMethod: {
        inputs: [{ internalType: "bool", name: "paramBool", type: "bool" }],
        name: "testBool",
        payable: false,
      },
      contractInputsValues: { paramAddress: "", paramBool: "false" },
    },
    {
      to: "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6",
      value: "2000000000000000000",
      data: "0x42f4579000000000000000000000000049d4450977e2c95362c13d3a31a09311e0ea26a6",
    },
  ],
} as unknown as BatchFile;
const VECTOR_CHECKSUM = "0x86c81826dbf7e8a37612153294cc85fdf5c81998dd0a44b86d945502a7eace7c";

function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reversedKeys(v)]),
    );
  return value;
}

const TARGET = "0x3aEd4dd0b5ba616156Fa352274670c18D2Ec2A81";
const SAFE = "0x6649Ddb5c7e52348b73c8bBdD2A1cbA630b7AaEA";
const calls: MetaTx[] = [
  { to: TARGET, value: "0", data: "0x8456cb59" },
  {
    to: "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6",
    value: "2000000000000000000",
    data: "0x6817031b0000000000000000000000003aed4dd0b5ba616156fa352274670c18d2ec2a81",
  },
  { to: TARGET, value: "0", data: "0x" },
];

describe("Safe Transaction Builder batch file", () => {
  it("reproduces the Transaction Builder's published checksum vector", () => {
    expect(batchChecksum(VECTOR)).to.equal(VECTOR_CHECKSUM);
  });

  it("does not depend on key order at any level, nor on meta.name or the checksum already in the file", () => {
    expect(batchChecksum(reversedKeys(VECTOR) as BatchFile)).to.equal(VECTOR_CHECKSUM);
    expect(batchChecksum({ ...VECTOR, meta: { ...VECTOR.meta, name: "renamed" } })).to.equal(VECTOR_CHECKSUM);
    expect(batchChecksum({ ...VECTOR, meta: { ...VECTOR.meta, checksum: VECTOR_CHECKSUM } })).to.equal(VECTOR_CHECKSUM);
  });

  it("changes when the transactions are reordered or a value changes", () => {
    expect(batchChecksum({ ...VECTOR, transactions: [...VECTOR.transactions].reverse() })).to.not.equal(
      VECTOR_CHECKSUM,
    );
    expect(batchChecksum({ ...VECTOR, chainId: "5" })).to.not.equal(VECTOR_CHECKSUM);
  });

  it("serializes objects as sorted keys then values, undefined as null", () => {
    expect(serializeForChecksum({ b: 1, a: [true, undefined, "x"] })).to.equal('{["a","b"][true,null,"x"],1,}');
  });

  it("builds a file the Transaction Builder accepts: version 1.0, decimal chainId, string values, raw data, valid checksum", () => {
    const file = buildBatchFile({
      chainId: 31337n,
      safe: SAFE.toLowerCase(),
      owner: TARGET,
      name: "cutover",
      description: "3 steps",
      createdAt: 1700000000000,
      transactions: calls,
    });
    expect(file).to.deep.include({ version: "1.0", chainId: "31337", createdAt: 1700000000000 });
    expect(file.meta).to.include({
      name: "cutover",
      description: "3 steps",
      createdFromSafeAddress: SAFE,
      createdFromOwnerAddress: TARGET,
    });
    expect(file.meta.txBuilderVersion).to.match(/^\d+\.\d+\.\d+$/);
    expect(file.transactions).to.deep.equal(calls);
    for (const tx of file.transactions) for (const value of Object.values(tx)) expect(value).to.be.a("string");
    expect(file.meta.checksum).to.equal(batchChecksum(file));
    // what is written to disk and read back still validates
    expect(batchChecksum(JSON.parse(JSON.stringify(file)))).to.equal(file.meta.checksum);
  });
});

describe("SafeTx encoding and hashing", () => {
  it("packs MultiSend calls exactly as @safe-global/protocol-kit does", () => {
    expect(encodeMultiSend(calls)).to.equal(encodeMultiSendData(calls.map((c) => ({ ...c, operation: 0 }))));
  });

  it("a batch of several calls is one DELEGATECALL to MultiSendCallOnly; a single call goes directly", () => {
    const batch = safeTxForBatch(calls, 7n, multiSend);
    expect(batch).to.include({
      to: MULTISEND_CALL_ONLY_141.address,
      value: "0",
      operation: OPERATION.DELEGATECALL,
      nonce: "7",
      safeTxGas: "0",
      gasToken: ZeroAddress,
    });
    expect(multiSend.iface.decodeFunctionData("multiSend", batch.data)[0]).to.equal(encodeMultiSend(calls));
    const single = safeTxForBatch([calls[1]], 8n, multiSend);
    expect(single).to.include({
      to: calls[1].to,
      value: calls[1].value,
      data: calls[1].data,
      operation: OPERATION.CALL,
      nonce: "8",
    });
  });

  it("gives the safeTxHash, domain hash and message hash @safe-global/protocol-kit gives for Safe 1.4.1", () => {
    const tx = safeTxForBatch(calls, 3n, multiSend);
    const hashes = safeTxHashes(SAFE, 31337n, tx);
    const reference = { ...tx, nonce: Number(tx.nonce) };
    expect(hashes.safeTxHash).to.equal(calculateSafeTransactionHash(SAFE, reference, "1.4.1", 31337n));
    // the preimage is 0x1901 ‖ domain hash ‖ message hash
    expect(preimageSafeTransactionHash(SAFE, reference, "1.4.1", 31337n)).to.equal(
      `0x1901${hashes.domainHash.slice(2)}${hashes.messageHash.slice(2)}`,
    );
    expect(hashes.domainHash).to.equal(TypedDataEncoder.hashDomain({ chainId: 31337, verifyingContract: SAFE }));
    expect(safeTxHashes(SAFE, 1n, tx).safeTxHash).to.not.equal(hashes.safeTxHash);
  });

  it("the vendored v1.4.1 artifacts and the MultiSendCallOnly constant are the canonical ones @safe-global/safe-deployments publishes", () => {
    const canonical = (deployment: ReturnType<typeof getSafeSingletonDeployment>) =>
      (deployment!.deployments as { canonical: { address: string; codeHash: string } }).canonical;
    const msco = canonical(getMultiSendCallOnlyDeployment({ version: "1.4.1" }));
    expect(msco.address).to.equal(MULTISEND_CALL_ONLY_141.address);
    expect(msco.codeHash).to.equal(MULTISEND_CALL_ONLY_141.codeHash);
    expect(keccak256(fixture("MultiSendCallOnly").deployedBytecode)).to.equal(msco.codeHash);
    expect(keccak256(fixture("Safe").deployedBytecode)).to.equal(
      canonical(getSafeSingletonDeployment({ version: "1.4.1" })).codeHash,
    );
    expect(keccak256(fixture("SafeProxyFactory").deployedBytecode)).to.equal(
      canonical(getProxyFactoryDeployment({ version: "1.4.1" })).codeHash,
    );
  });
});

describe("Safe v1.3.0", () => {
  const fixture130 = (name: string) =>
    JSON.parse(readFileSync(new URL(`../fixtures/safe-v1.3.0/${name}.json`, import.meta.url), "utf8")) as {
      deployedBytecode: string;
    };
  const deployments = (deployment: ReturnType<typeof getSafeSingletonDeployment>) =>
    deployment!.deployments as Record<string, { address: string; codeHash: string }>;

  it("the vendored v1.3.0 artifacts and the MultiSendCallOnly deployments are the ones @safe-global/safe-deployments publishes", () => {
    const msco = deployments(getMultiSendCallOnlyDeployment({ version: "1.3.0" }));
    expect(MULTISEND_CALL_ONLY["1.3.0"]).to.deep.equal([msco.canonical, msco.eip155]);
    expect(keccak256(fixture130("MultiSendCallOnly").deployedBytecode)).to.equal(msco.canonical.codeHash);
    expect(keccak256(fixture130("GnosisSafe").deployedBytecode)).to.equal(
      deployments(getSafeSingletonDeployment({ version: "1.3.0" })).canonical.codeHash,
    );
    expect(MULTISEND_CALL_ONLY["1.4.1"]).to.deep.equal([MULTISEND_CALL_ONLY_141]);
  });

  it("gives the safeTxHash @safe-global/protocol-kit gives for Safe 1.3.0", () => {
    const tx = safeTxForBatch(calls, 5n, { ...multiSend, address: MULTISEND_CALL_ONLY["1.3.0"][0].address });
    const reference = { ...tx, nonce: Number(tx.nonce) };
    expect(safeTxHashes(SAFE, 31337n, tx).safeTxHash).to.equal(
      calculateSafeTransactionHash(SAFE, reference, "1.3.0", 31337n),
    );
  });
});

describe("executors and authorities (pure)", () => {
  const A = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;
  const request = (stepId: string, from: string): TxRequest => ({ stepId, from, to: A(0x99), data: "0x", value: 0n });
  /** An executor that records what it was given and answers with a fixed kind of outcome. */
  function fake(name: string, log: string[]): Executor {
    return {
      async sendWave(requests) {
        log.push(`${name}:${requests.map((r) => r.stepId).join(",")}`);
        return requests.map((r) => ({ stepId: r.stepId, error: name }));
      },
      async recover() {
        return "dropped";
      },
    };
  }

  it("routes each request by its sender, the signer's first, and keeps the outcomes in request order", async () => {
    const log: string[] = [];
    const router = new RoutingExecutor(fake("eoa", log), {
      [A(0x5afe).toUpperCase().replace("0X", "0x")]: fake("safe", log),
      [A(0x71)]: fake("timelock", log),
    });
    const outcomes = await router.sendWave(
      [request("a", A(0x5afe)), request("b", A(1)), request("c", A(0x71)), request("d", A(0x5afe)), request("e", A(2))],
      () => {},
    );
    expect(log).to.deep.equal(["eoa:b,e", "safe:a,d", "timelock:c"]);
    expect(outcomes.map((o) => [o.stepId, (o as { error: string }).error])).to.deep.equal([
      ["a", "safe"],
      ["b", "eoa"],
      ["c", "timelock"],
      ["d", "safe"],
      ["e", "eoa"],
    ]);
  });

  it("parses --executor, --safe and --timelock, naming the input on a mistake", () => {
    expect(parseExecutorChoice({})).to.deep.include({ kind: "eoa" });
    expect(parseExecutorChoice({ executor: "safe", safe: A(0x5afe) })).to.deep.include({
      kind: "safe",
      safe: getAddress(A(0x5afe)),
    });
    expect(() => parseExecutorChoice({ executor: "safe" })).to.throw(/Invalid --safe/);
    expect(() => parseExecutorChoice({ executor: "timelock", timelock: "0x12" })).to.throw(/Invalid --timelock/);
    expect(() => parseExecutorChoice({ executor: "governor" })).to.throw(/Invalid --executor/);
  });

  it("a timelock batch's salt follows from the plan id and batch number; waits are said in hours and minutes", () => {
    expect(timelockSalt("0xabc", 1)).to.equal(timelockSalt("0xabc", 1));
    expect(timelockSalt("0xabc", 1)).to.not.equal(timelockSalt("0xabc", 2));
    expect(timelockSalt("0xabc", 1)).to.not.equal(timelockSalt("0xabd", 1));
    expect(describeWait(172_799)).to.equal("47 h 59 min");
    expect(describeWait(61)).to.equal("1 min 1 s");
    expect(describeWait(0)).to.equal("now");
  });

  it("the redeploy planner sends the steps on existing contracts from the account that holds their admin role", () => {
    const signer = A(0xd0);
    const safe = A(0x5afe);
    const none = { admin: "DEFAULT_ADMIN_ROLE", holders: [] };
    const system: LegacySystem = {
      block: 1,
      chainId: 31337,
      vault: A(0xaa),
      collateral: A(0xc0),
      collateralDecimals: 6,
      liquidationManager: A(0x11),
      mmrParams: ["400", "150", "2500", "25"],
      paused: false,
      libraries: { VaultAnalytics: A(0x1a), PositionManager: A(0x1b) },
      roles: {
        DEFAULT_ADMIN_ROLE: { ...none, holders: [safe] },
        FACTORY_ROLE: { ...none, holders: [A(0xfa)] },
        SETTLEMENT_ROLE: none,
        EXTERNAL_CREDITOR_ROLE: { ...none, holders: [A(0x4b)] },
        ORDERBOOK_ROLE: { admin: "FACTORY_ROLE", holders: [] },
      },
      orderBooks: [],
      markets: [],
      factory: { address: A(0xfa), vault: A(0xaa), updatable: true, orderBookInit: A(0x1e), facetTemplate: [] },
      hub: { address: A(0x4b), vault: A(0xaa) },
    };
    const plan = planRedeploy({
      system,
      signer,
      authorities: { oldVault: safe, factory: safe, hub: signer },
      admins: [safe],
      pauseOld: true,
      collateral: A(0xc0),
      libraries: system.libraries,
      liquidationManager: A(0x11),
      mmrParams: system.mmrParams,
      roleOverrides: {},
      batchSize: 60,
    });
    const from = Object.fromEntries(plan.steps.map((s) => [s.id, s.from]));
    expect(from).to.include({
      "pause-old-vault": safe,
      "align:factory": safe,
      "repoint:hub": signer,
      "deploy:CoreVault": signer,
      "handoff:admin": signer,
    });
  });

  it("ownership: grant before renounce, one transfer per diamond not yet owned; the check fails while the deployer holds anything", () => {
    const deployer = getAddress(A(0xd0));
    const to = getAddress(A(0x5afe));
    const vault = { key: "vault", contract: "CoreVault", address: A(0xaa) };
    const state: OwnershipState = {
      to,
      deployer,
      accessControl: [
        {
          target: vault,
          roles: { DEFAULT_ADMIN_ROLE: ZeroHash, FACTORY_ROLE: "0x01" },
          toIsAdmin: false,
          deployerRoles: ["DEFAULT_ADMIN_ROLE", "FACTORY_ROLE"],
          admin: deployer,
        },
      ],
      diamonds: [
        { target: { address: A(0xb1), symbol: "BTC-USD" }, owner: deployer },
        { target: { address: A(0xb2), symbol: "ETH-USD" }, owner: to },
      ],
    };
    const { steps } = planTransfer(state);
    expect(steps.map((s) => [s.id, s.from, s.dependsOn])).to.deep.equal([
      [`grant-admin:${A(0xaa)}`, deployer, []],
      [`renounce:${A(0xaa)}:DEFAULT_ADMIN_ROLE`, deployer, [`grant-admin:${A(0xaa)}`]],
      [`renounce:${A(0xaa)}:FACTORY_ROLE`, deployer, [`grant-admin:${A(0xaa)}`]],
      [`transfer:${A(0xb1)}`, deployer, []],
    ]);
    const statuses = (s: OwnershipState) => ownershipChecks(s).map((c) => c.status);
    expect(statuses(state)).to.deep.equal(["fail", "fail", "fail"]);
    const handedOver: OwnershipState = {
      ...state,
      accessControl: [{ ...state.accessControl[0], toIsAdmin: true, deployerRoles: ["FACTORY_ROLE"] }],
      diamonds: state.diamonds.map((d) => ({ ...d, owner: to })),
    };
    expect(statuses(handedOver)).to.deep.equal(["pass", "pass", "fail"]);
    expect(
      statuses({ ...handedOver, accessControl: [{ ...handedOver.accessControl[0], deployerRoles: [] }] }),
    ).to.deep.equal(["pass", "pass", "pass"]);
  });
});
