import { expect } from "chai";
import { validateUserConfigZodType } from "@nomicfoundation/hardhat-zod-utils";
import { AbiCoder, getAddress, Interface, keccak256, toBeHex, toUtf8Bytes, ZeroHash } from "ethers";
import hre from "hardhat";
import { z } from "zod";
import { cutoverUserConfigSchema, resolveCutoverConfig } from "../../src/config.js";
import { roleId } from "../../src/corevault/observe.js";
import { planRedeploy } from "../../src/corevault/plan-redeploy.js";
import type { LegacySystem } from "../../src/corevault/system.js";
import { ContractCatalog } from "../../src/engine/contracts.js";
import type { CallStep, CallSpec } from "../../src/engine/types.js";
import { DEXETRA_V5, REFERENCE } from "../../src/profile/builtins.js";
import { mmrChecks, parseScanLog, readCheck, slotOf, writeCall } from "../../src/profile/interpret.js";
import { resolveProfile } from "../../src/profile/resolve.js";

const A = (n: number) => getAddress(`0x${n.toString(16).padStart(40, "0")}`);
const catalog = new ContractCatalog(hre);
const NEW_VAULT = { $ref: "CoreVault" };

/** Calldata of a CallSpec as the engine encodes it (the catalog builds the ABI from the profile's signature). */
async function encode(call: CallSpec, args = call.args): Promise<string> {
  return (await catalog.iface(call.contract)).encodeFunctionData(call.fn, args as unknown[]);
}

const validate = (cutover: unknown) =>
  validateUserConfigZodType({ cutover } as never, z.object({ cutover: cutoverUserConfigSchema.optional() }));

/** The updatable factory of the later Dexetra version, from config alone. */
const UPDATABLE_FACTORY = {
  profile: "dexetra-v5",
  factory: {
    vault: {
      read: { call: "function vault() view returns (address)" },
      write: { signature: "function updateVault(address newVault)" },
      updatable: true,
    },
  },
} as const;

function dexetraSystem(factory: LegacySystem["factory"]): LegacySystem {
  const books = [A(0xb1), A(0xb2)];
  const admin = { admin: "DEFAULT_ADMIN_ROLE", holders: [] as string[] };
  return {
    block: 10,
    chainId: 31337,
    vault: A(0xaa),
    collateral: A(0xc0),
    collateralDecimals: 6,
    liquidationManager: A(0x11),
    mmrParams: ["400", "150", "2500", "25", "10", "7"],
    paused: false,
    libraries: { VaultAnalytics: A(0x1a), PositionManager: A(0x1b) },
    roles: {
      DEFAULT_ADMIN_ROLE: { admin: "DEFAULT_ADMIN_ROLE", holders: [A(0xd0)] },
      FACTORY_ROLE: { ...admin, holders: [A(0xfa)] },
      SETTLEMENT_ROLE: { ...admin, holders: [A(0xfa)] },
      EXTERNAL_CREDITOR_ROLE: { ...admin, holders: [A(0x4b)] },
      ORDERBOOK_ROLE: { ...admin, holders: books },
    },
    orderBooks: books,
    markets: books.map((orderBook, i) => ({ marketId: toBeHex(i + 1, 32), orderBook })),
    factory,
    hub: { address: A(0x4b), vault: A(0xaa), keep: { operator: A(0x0e) } },
  };
}

describe("protocol profiles: config", () => {
  it("defaults to the reference profile; names a built-in; replaces entries section by section", () => {
    expect(resolveCutoverConfig(undefined, "/").protocol).to.deep.equal(REFERENCE);
    expect(resolveProfile({ profile: "dexetra-v5" })).to.deep.equal(DEXETRA_V5);
    const variant = resolveProfile(UPDATABLE_FACTORY);
    expect(variant.factory.vault.write?.signature).to.equal("function updateVault(address newVault)");
    expect(variant.factory.detect).to.equal(DEXETRA_V5.factory.detect);
    expect(variant.vault).to.deep.equal(DEXETRA_V5.vault);
  });

  it("validates with zod: an error names the field", () => {
    expect(validate({ protocol: UPDATABLE_FACTORY })).to.deep.equal([]);
    const errors = validate({
      protocol: {
        profile: "dexetra-v4",
        vault: { batching: "always", mmrParams: { read: [], write: { signature: "setMmrParams(uint256)" } } },
        hub: { vault: { read: { slot: "nope" }, write: { signature: "function setVault(address)" } } },
      },
    });
    const paths = errors.map((e) => e.path.join("."));
    expect(paths).to.include.members([
      "cutover.protocol.profile",
      "cutover.protocol.vault.batching",
      "cutover.protocol.vault.mmrParams.read",
      "cutover.protocol.vault.mmrParams.write.signature",
    ]);
    expect(paths.some((p) => p.startsWith("cutover.protocol.hub.vault.read"))).to.equal(true);
    expect(validate({ protocol: { orderBook: { vault: { call: "vault()" } } } })[0].message).to.match(
      /human-readable function signature/,
    );
  });

  it("the updatable-factory variant (updateVault + vault()) plans the factory repoint from config alone", async () => {
    const profile = resolveProfile(UPDATABLE_FACTORY);
    const system = dexetraSystem({ address: A(0xfa), vault: A(0xaa), updatable: true });
    const plan = planRedeploy({
      system,
      signer: A(0xd0),
      admins: [A(0xd0)],
      pauseOld: false,
      collateral: system.collateral,
      libraries: system.libraries,
      liquidationManager: system.liquidationManager,
      mmrParams: system.mmrParams,
      roleOverrides: {},
      batchSize: 1,
      profile,
    });
    const ids = plan.steps.map((s) => s.id);
    expect(ids).to.include("align:factory").and.not.include("deploy:FuturesMarketFactory");
    const align = (plan.steps.find((s) => s.id === "align:factory") as CallStep).actions[0];
    expect(align.call.fn).to.equal("updateVault");
    const newVault = A(0x77);
    const expected = new Interface(["function updateVault(address)"]).encodeFunctionData("updateVault", [newVault]);
    expect(await encode(align.call, [newVault])).to.equal(expected);
    expect(align.done).to.deep.equal([
      {
        read: {
          to: A(0xfa),
          contract: "FuturesMarketFactory: function vault() view returns (address)",
          fn: "vault",
          args: [],
        },
        equals: NEW_VAULT,
      },
    ]);
    // the immutable (built-in) version deploys a replacement, which needs a fee recipient the chain does not reveal
    const immutable = planRedeploy({
      system: dexetraSystem({ address: A(0xfa), updatable: false, keep: { feeRecipient: A(0xfe) } }),
      signer: A(0xd0),
      admins: [A(0xd0)],
      pauseOld: true,
      collateral: A(0xc0),
      libraries: system.libraries,
      liquidationManager: A(0x11),
      mmrParams: system.mmrParams,
      roleOverrides: {},
      batchSize: 1,
      profile: DEXETRA_V5,
    });
    const deploy = immutable.steps.find((s) => s.id === "deploy:FuturesMarketFactory");
    expect(deploy?.kind === "deploy" && deploy.args).to.deep.equal([NEW_VAULT, A(0xd0), A(0xfe)]);
    expect(immutable.notes.join(" ")).to.match(/pausing the vault does NOT halt trading/);
  });
});

describe("protocol profiles: dexetra-v5 entries", () => {
  it("encodes its writes with the production signatures and arities", async () => {
    const p = DEXETRA_V5;
    const mmr = writeCall(p, p.vault.mmrParams.write, NEW_VAULT, ["400", "150", "2500", "25", "10", "7"]);
    const advanced = new Interface([
      "function setMmrParamsAdvanced(uint256,uint256,uint256,uint256,uint256,uint256)",
    ]).encodeFunctionData("setMmrParamsAdvanced", [400, 150, 2500, 25, 10, 7]);
    expect(await encode(mmr)).to.equal(advanced);
    // no multicall on this vault: the contract string carries only the function itself
    expect(mmr.contract).to.not.include("multicall");
    expect(writeCall(REFERENCE, REFERENCE.vault.roles.grant, NEW_VAULT, [ZeroHash, A(1)]).contract).to.include(
      "multicall",
    );
    const hub = writeCall(p, p.hub.vault.write, A(0x4b), [A(0x77)], {
      kind: "CollateralHub",
      keep: { operator: A(0x0e) },
    });
    expect(hub.fn).to.equal("setCoreVaultParams");
    expect(hub.args).to.deep.equal([A(0x77), A(0x0e)]);
    expect(await encode(hub)).to.equal(
      new Interface(["function setCoreVaultParams(address,address)"]).encodeFunctionData("setCoreVaultParams", [
        A(0x77),
        A(0x0e),
      ]),
    );
    const register = writeCall(p, p.vault.orderBooks.register, NEW_VAULT, [A(0xb1)]);
    expect((await encode(register)).slice(0, 10)).to.equal(
      keccak256(toUtf8Bytes("registerOrderBook(address)")).slice(0, 10),
    );
    // six getters, one value each, as six done checks
    const checks = mmrChecks(p, NEW_VAULT, ["400", "150", "2500", "25", "10", "7"]);
    expect(checks.map((c) => `${c.read.fn}=${String(c.equals)}`)).to.deep.equal([
      "baseMmrBps=400",
      "penaltyMmrBps=150",
      "maxMmrBps=2500",
      "scalingSlopeBps=25",
      "mmrLiquidityDepthLevels=10",
      "priceGapSlopeBps=7",
    ]);
  });

  it("reads an OrderBook's vault from marketStatic() or from the market storage slot", async () => {
    const root = BigInt(keccak256(toUtf8Bytes("hyperliquid.orderbook.storage.v1")));
    const [call, slot] = DEXETRA_V5.orderBook.vault as [{ call: string; pick: number }, { slot: string; word: number }];
    expect(slotOf(slot)).to.equal(toBeHex(root, 32));
    expect(slotOf({ slot: slot.slot, word: 2 })).to.equal(toBeHex(root + 2n, 32));
    expect(slotOf({ slot: "0x3", word: 1 })).to.equal(toBeHex(4n, 32));
    const iface = await catalog.iface(call.call);
    const returned = AbiCoder.defaultAbiCoder().encode(
      ["address", "bytes32", "bool", "uint256"],
      [A(0xaa), toBeHex(9, 32), true, 300],
    );
    const decoded = iface.decodeFunctionResult("marketStatic", returned).toArray();
    expect(decoded[call.pick]).to.equal(A(0xaa));
    // its done check compares that one output of marketStatic()
    const [check] = readCheck(DEXETRA_V5, DEXETRA_V5.orderBook.vault, A(0xb1), NEW_VAULT, "OrderBook");
    expect(check).to.deep.include({ pick: 0, equals: NEW_VAULT });
    expect(check.read.fn).to.equal("marketStatic");
    expect(DEXETRA_V5.orderBook.rewire).to.deep.equal({ storage: { slot: slot.slot, word: 0 } });
  });

  it("parses its discovery events: MarketAuthorized, FuturesMarketCreated and RoleGranted(ORDERBOOK_ROLE)", () => {
    const [authorized, created, granted] = DEXETRA_V5.discovery.events;
    const log = (signature: string, values: unknown[]) => {
      const iface = new Interface([signature]);
      return iface.encodeEventLog(iface.fragments[0] as never, values);
    };
    const marketId = keccak256(toUtf8Bytes("ALU-USD"));
    expect(parseScanLog(authorized, log(authorized.event, [marketId, A(0xb1)]))).to.deep.equal({
      orderBook: A(0xb1),
      marketId,
    });
    expect(
      parseScanLog(
        created,
        log(created.event, [A(0xb2), marketId, "ALU-USD", A(0xc1), 0, "https://x", 1_900_000_000, 2500]),
      ),
    ).to.deep.equal({ orderBook: A(0xb2), marketId, symbol: "ALU-USD" });
    expect(parseScanLog(granted, log(granted.event, [roleId("ORDERBOOK_ROLE"), A(0xb3), A(0xd0)]))).to.deep.equal({
      orderBook: A(0xb3),
    });
    expect(granted.where).to.deep.equal({ role: "keccak256:ORDERBOOK_ROLE" });
  });

  it("watches the production vault's events by their canonical signatures", () => {
    const iface = new Interface(DEXETRA_V5.vault.watch.events);
    const topics: string[] = [];
    iface.forEachEvent((event) => topics.push(event.topicHash));
    expect(topics).to.have.members(
      [
        "PositionUpdated(address,bytes32,int256,int256,uint256,uint256)",
        "MarginLocked(address,bytes32,uint256,uint256)",
        "MarginReleased(address,bytes32,uint256,uint256)",
        "VaultMarketSettled(bytes32,uint256,uint256,uint256,uint256)",
        "RoleGranted(bytes32,address,address)",
        "RoleRevoked(bytes32,address,address)",
      ].map((sig) => keccak256(toUtf8Bytes(sig))),
    );
    expect(DEXETRA_V5.vault.watch.orderBookActivity).to.deep.equal([
      "PositionUpdated",
      "MarginLocked",
      "MarginReleased",
    ]);
  });
});
