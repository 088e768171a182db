// Dangerous and malformed inputs across the tasks, each refused before anything is sent: no account's nonce moves,
// and the message names the input, the value given, and the fix.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { ZeroAddress } from "ethers";
import hre from "hardhat";
import { resolveProfile } from "../../src/profile/resolve.js";
import type { ProtocolUserConfig } from "../../src/profile/schema.js";
import type { SystemRecord } from "../../src/records/records.js";
import { conn, freshSystem, nonce, tempAppConfig } from "../helpers/system.js";
import { taskError } from "../helpers/tasks.js";

await tempAppConfig();
const accounts = (await conn.ethers.getSigners()).map((s) => s.address);
const stranger = "0x1111111111111111111111111111111111111111";
const tmp = await mkdtemp(path.join(tmpdir(), "cutover-bad-inputs-"));

interface Row {
  task: string;
  /** What the operator typed, by name; `args` receives the system. */
  args: (s: SystemRecord) => Record<string, unknown>;
  /** The input the message must name, and the value it must quote. */
  input: string;
  value: (s: SystemRecord) => string;
  /** Config changed for this row only. */
  config?: (s: SystemRecord) => Record<string, unknown>;
  /** Words the fix must contain (e.g. the flag that allows the value). */
  fix?: string;
  /** `cutover.protocol` for this row only. */
  protocol?: ProtocolUserConfig;
}

async function desired(graph: Record<string, unknown>): Promise<string> {
  const file = path.join(tmp, `desired-${Math.random().toString(16).slice(2)}.json`);
  await writeFile(file, JSON.stringify(graph));
  return file;
}

const libs = (va: string, pm: string) => ({ libraries: `VaultAnalytics=${va},PositionManager=${pm}` });
const redeploy = (input: string, args: Row["args"], value: Row["value"], config?: Row["config"]): Row => ({
  task: "corevault:redeploy",
  args,
  input,
  value,
  config,
});
const mmr = (field: string, value: number) => (): Record<string, unknown> => ({
  mmrParams: { baseMmrBps: 400, penaltyMmrBps: 150, maxMmrBps: 2500, scalingSlopeBps: 25, [field]: value },
});

/** dexetra-v5's MMR setter given array values: every bps at most 10000, depth levels 1–50. */
const dexetraMmr = (index: number, value: number, protocol: ProtocolUserConfig = { profile: "dexetra-v5" }): Row => {
  const values = [400, 150, 2500, 25, 10, 7].slice(0, protocol.vault?.mmrParams ? 5 : 6);
  values[index] = value;
  return {
    ...redeploy(
      `cutover.redeploy.mmrParams[${index}]`,
      () => ({}),
      () => String(value),
      () => ({ mmrParams: values }),
    ),
    protocol,
    fix: "cutover.protocol.vault.mmrParams.bounds.",
  };
};
/** The profile's own setter: dexetra's five-argument setMmrParams, its bounds declared with it. */
const fiveArgument = (
  bounds: Record<string, { min?: number | string; max?: number | string }>,
): ProtocolUserConfig => ({
  profile: "dexetra-v5",
  vault: {
    mmrParams: {
      read: ["function baseMmrBps() view returns (uint256)"],
      write: {
        signature:
          "function setMmrParams(uint256 base, uint256 penalty, uint256 max, uint256 slope, uint256 liquidityDepthLevels)",
      },
      bounds,
    },
  },
});

const desiredFiles: Record<string, string> = {
  zeroAdmin: await desired({ DEFAULT_ADMIN_ROLE: [ZeroAddress] }),
  zeroSettlement: await desired({ SETTLEMENT_ROLE: [accounts[1], ZeroAddress] }),
  unknownRole: await desired({ MINTER_ROLE: [accounts[1]] }),
  badAddress: await desired({ SETTLEMENT_ROLE: ["0x1234"] }),
  notArray: await desired({ SETTLEMENT_ROLE: accounts[1] }),
  eoaAdmin: await desired({ DEFAULT_ADMIN_ROLE: [accounts[0], accounts[4]] }),
};

const ROWS: Row[] = [
  // corevault:redeploy: the new vault's admin
  redeploy(
    "--admin",
    () => ({ admin: ZeroAddress }),
    () => ZeroAddress,
  ),
  redeploy(
    "--admin",
    (s) => ({ admin: s.contracts.USDC }),
    (s) => s.contracts.USDC,
  ),
  redeploy(
    "--admin",
    (s) => ({ admin: s.contracts.VAULT_ANALYTICS }),
    (s) => s.contracts.VAULT_ANALYTICS,
  ),
  {
    ...redeploy(
      "--admin",
      () => ({ admin: accounts[4] }),
      () => accounts[4],
    ),
    fix: "--allow-eoa",
  },
  redeploy(
    "--admin",
    () => ({ admin: "0x0" }),
    () => "0x0",
  ),
  redeploy(
    "--admin",
    () => ({ admin: "alice" }),
    () => "alice",
  ),
  redeploy(
    "--admin",
    () => ({ admin: "0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266" }),
    () => "0xF39Fd6e5",
  ),
  // the vault to replace
  redeploy(
    "--old-vault",
    () => ({ oldVault: "0x123" }),
    () => "0x123",
  ),
  redeploy(
    "--old-vault",
    (s) => ({ oldVault: s.contracts.USDC }),
    (s) => s.contracts.USDC,
  ),
  redeploy(
    "--old-vault",
    () => ({ oldVault: stranger }),
    () => stranger,
  ),
  redeploy(
    "--old-vault",
    () => ({ oldVault: ZeroAddress }),
    () => ZeroAddress,
  ),
  // collateral
  redeploy(
    "--collateral",
    () => ({ collateral: "usdc" }),
    () => "usdc",
  ),
  redeploy(
    "collateral",
    () => ({ collateral: stranger }),
    () => stranger,
  ),
  redeploy(
    "collateral",
    (s) => ({ collateral: s.contracts.CORE_VAULT }),
    (s) => s.contracts.CORE_VAULT,
  ),
  // libraries: swapped, another contract, no code, malformed
  redeploy(
    "library VaultAnalytics",
    (s) => libs(s.contracts.POSITION_MANAGER, s.contracts.VAULT_ANALYTICS),
    (s) => s.contracts.POSITION_MANAGER,
  ),
  redeploy(
    "library VaultAnalytics",
    (s) => libs(s.contracts.USDC, s.contracts.POSITION_MANAGER),
    (s) => s.contracts.USDC,
  ),
  redeploy(
    "library PositionManager",
    (s) => libs(s.contracts.VAULT_ANALYTICS, stranger),
    () => stranger,
  ),
  redeploy(
    "library PositionManager",
    (s) => libs(s.contracts.VAULT_ANALYTICS, ZeroAddress),
    () => ZeroAddress,
  ),
  redeploy(
    "--libraries",
    () => ({ libraries: "VaultAnalytics" }),
    () => "VaultAnalytics",
  ),
  redeploy(
    "--libraries",
    () => ({ libraries: `Foo=${stranger}` }),
    () => "Foo",
  ),
  // who sends
  redeploy(
    "--signer",
    () => ({ signer: stranger }),
    () => stranger,
  ),
  redeploy(
    "--signer",
    () => ({ signer: "0xzz" }),
    () => "0xzz",
  ),
  redeploy(
    "--executor",
    () => ({ executor: "multisig" }),
    () => "multisig",
  ),
  redeploy(
    "--safe",
    () => ({ executor: "safe" }),
    () => "",
  ),
  redeploy(
    "--safe",
    () => ({ executor: "safe", safe: accounts[3] }),
    () => accounts[3],
  ),
  redeploy(
    "--safe",
    (s) => ({ executor: "safe", safe: s.contracts.USDC }),
    (s) => s.contracts.USDC,
  ),
  redeploy(
    "--safe",
    () => ({ executor: "safe", safe: ZeroAddress }),
    () => ZeroAddress,
  ),
  redeploy(
    "--safe",
    () => ({ safe: accounts[3] }),
    () => accounts[3],
  ),
  redeploy(
    "--timelock",
    (s) => ({ executor: "timelock", timelock: s.contracts.USDC }),
    (s) => s.contracts.USDC,
  ),
  redeploy(
    "--timelock",
    () => ({ executor: "timelock", timelock: accounts[3] }),
    () => accounts[3],
  ),
  redeploy(
    "--timelock",
    () => ({ executor: "timelock" }),
    () => "",
  ),
  // config numbers and addresses bounded by what the contract accepts
  redeploy(
    "cutover.redeploy.mmrParams.maxMmrBps",
    () => ({}),
    () => "6000",
    mmr("maxMmrBps", 6000),
  ),
  redeploy(
    "cutover.redeploy.mmrParams.baseMmrBps",
    () => ({}),
    () => "0",
    mmr("baseMmrBps", 0),
  ),
  redeploy(
    "cutover.redeploy.mmrParams.penaltyMmrBps",
    () => ({}),
    () => "2500",
    mmr("penaltyMmrBps", 2500),
  ),
  redeploy(
    "cutover.redeploy.mmrParams.scalingSlopeBps",
    () => ({}),
    () => "3000",
    mmr("scalingSlopeBps", 3000),
  ),
  // array form: the profile's setter, bounded by the profile
  dexetraMmr(4, 60),
  dexetraMmr(4, 0),
  dexetraMmr(2, 12_000),
  dexetraMmr(5, 10_001),
  dexetraMmr(4, 51, fiveArgument({ liquidityDepthLevels: { min: 1, max: 50 } })),
  dexetraMmr(0, 3000, fiveArgument({ base: { max: "max" } })),
  {
    ...redeploy(
      "cutover.protocol.vault.mmrParams.bounds.depth",
      () => ({}),
      () => "depth",
      () => ({ mmrParams: [400, 150, 2500, 25, 10] }),
    ),
    protocol: fiveArgument({ depth: { max: 50 } }),
  },
  // a replaced setter: the built-in bounds kept when its parameters are the same, else its bounds must be declared
  {
    ...redeploy(
      "cutover.redeploy.mmrParams.maxMmrBps",
      () => ({}),
      () => "6000",
      mmr("maxMmrBps", 6000),
    ),
    protocol: {
      profile: "reference",
      vault: {
        mmrParams: {
          read: ["function mmrParams() view returns (uint256, uint256, uint256, uint256)"],
          write: { signature: "function setMmrParams(uint256 base, uint256 penalty, uint256 max, uint256 slope)" },
        },
      },
    },
  },
  {
    ...redeploy(
      "cutover.protocol.vault.mmrParams.bounds",
      () => ({}),
      () => "(missing)",
      () => ({ mmrParams: [400, 150, 2500, 25, 10] }),
    ),
    protocol: {
      profile: "dexetra-v5",
      vault: { mmrParams: { ...fiveArgument({}).vault!.mmrParams!, bounds: undefined } },
    },
    fix: "bounds: {}",
  },
  // cutover.redeploy.roles: holders checked like --admin
  ...[
    { role: "DEFAULT_ADMIN_ROLE", holder: (s: SystemRecord) => s.contracts.USDC },
    { role: "DEFAULT_ADMIN_ROLE", holder: (s: SystemRecord) => s.contracts.VAULT_ANALYTICS },
    { role: "DEFAULT_ADMIN_ROLE", holder: () => accounts[4], fix: "--allow-eoa" },
    { role: "SETTLEMENT_ROLE", holder: (s: SystemRecord) => s.contracts.USDC },
    { role: "FACTORY_ROLE", holder: () => ZeroAddress },
  ].map(({ role, holder, fix }): Row => ({
    ...redeploy(
      `${role} in cutover.redeploy.roles`,
      () => ({}),
      holder,
      (s) => ({ roles: { [role]: [holder(s)] } }),
    ),
    fix,
  })),
  redeploy(
    "cutover.redeploy.liquidationManager",
    () => ({}),
    () => stranger,
    () => ({ liquidationManager: stranger }),
  ),
  // corevault:regrant-roles
  ...Object.entries({
    zeroAdmin: ["DEFAULT_ADMIN_ROLE in", ZeroAddress],
    zeroSettlement: ["SETTLEMENT_ROLE in", ZeroAddress],
    unknownRole: ["--desired", "MINTER_ROLE"],
    badAddress: ["--desired", "0x1234"],
    notArray: ["--desired", "SETTLEMENT_ROLE"],
    eoaAdmin: ["DEFAULT_ADMIN_ROLE in", accounts[4], "--allow-eoa"],
  }).map(([file, [input, value, fix]]): Row => ({
    task: "corevault:regrant-roles",
    args: () => ({ desired: desiredFiles[file] }),
    input,
    value: () => value,
    fix,
  })),
  {
    task: "corevault:regrant-roles",
    args: () => ({}),
    input: "DEFAULT_ADMIN_ROLE in cutover.redeploy.roles",
    value: (s) => s.contracts.USDC,
    config: (s) => ({ roles: { DEFAULT_ADMIN_ROLE: [s.contracts.USDC] } }),
  },
  {
    task: "corevault:regrant-roles",
    args: () => ({ desired: path.join(tmp, "missing.json") }),
    input: "--desired",
    value: () => "missing.json",
  },
  // cutover:transfer-ownership
  ...[
    { args: { to: ZeroAddress, allowEoa: true }, value: ZeroAddress },
    { args: { to: ZeroAddress }, value: ZeroAddress },
    { args: { to: accounts[4] }, value: accounts[4], fix: "--allow-eoa" },
    { args: { to: "0xabc" }, value: "0xabc" },
  ].map(({ args, value, fix }): Row => ({
    task: "cutover:transfer-ownership",
    args: () => args,
    input: "--to",
    value: () => value,
    fix,
  })),
  {
    task: "cutover:transfer-ownership",
    args: (s) => ({ to: s.contracts.USDC, allowEoa: true }),
    input: "--to",
    value: (s) => s.contracts.USDC,
  },
  {
    task: "cutover:transfer-ownership",
    args: (s) => ({ to: s.contracts.LIQUIDATION_MANAGER, signer: accounts[5] }),
    input: "signer",
    value: () => accounts[5],
  },
  // mocks:deploy-system
  { task: "mocks:deploy-system", args: () => ({ markets: 0 }), input: "--markets", value: () => "0" },
  { task: "mocks:deploy-system", args: () => ({ users: 1 }), input: "--users", value: () => "1" },
  {
    task: "mocks:deploy-system",
    args: () => ({ factory: "upgradeable" }),
    input: "--factory",
    value: () => "upgradeable",
  },
];

describe("bad inputs are refused before anything is sent, naming the input, the value and the fix", function () {
  let system: SystemRecord;
  const redeployConfig = hre.config.cutover.redeploy as Record<string, unknown>;

  before(async () => {
    system = await freshSystem({ markets: 2, seed: "bad-inputs" });
  });

  it(`has at least 40 rows (${ROWS.length})`, () => {
    expect(ROWS.length).to.be.at.least(40);
  });

  for (const [i, row] of ROWS.entries()) {
    it(`${i + 1}. ${row.task} ${row.input}`, async () => {
      const saved = { ...redeployConfig };
      const protocol = hre.config.cutover.protocol;
      Object.assign(redeployConfig, row.config?.(system) ?? {});
      if (row.protocol) hre.config.cutover.protocol = resolveProfile(row.protocol);
      const before = await Promise.all(accounts.slice(0, 6).map((a) => nonce(a)));
      try {
        const error = await taskError(row.task, row.args(system));
        const value = row.value(system);
        if (process.env.SHOW_ERRORS) console.error(error.message);
        expect(error.message, error.message).to.include(row.input);
        expect(error.message.toLowerCase(), error.message).to.include(value.toLowerCase());
        expect(error.message, error.message).to.match(/Fix:|fix/);
        if (row.fix) expect(error.message, error.message).to.include(row.fix);
      } finally {
        for (const key of Object.keys(redeployConfig)) delete redeployConfig[key];
        Object.assign(redeployConfig, saved);
        hre.config.cutover.protocol = protocol;
      }
      expect(await Promise.all(accounts.slice(0, 6).map((a) => nonce(a)))).to.deep.equal(before);
    });
  }
});
