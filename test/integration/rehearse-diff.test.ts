// The rehearsal's state diff, exactly: for a small corevault:redeploy --rewire, every changed value of the plan's done
// checks, every event, sender and deployment, the storage slots written in the existing contracts, and cutover:verify
// on the copy passing; the chain and every file of the real network untouched.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { AbiCoder, id, keccak256, toBeHex, zeroPadValue } from "ethers";
import hre from "hardhat";
import type { Rehearsal } from "../../src/rehearse/report.js";
import { createSafe, owners } from "../helpers/safe.js";
import { conn, freshSystem, tempAppConfig } from "../helpers/system.js";
import { runJson } from "../helpers/tasks.js";

const { ethers } = conn;
const [deployer] = await ethers.getSigners();
await tempAppConfig("cutover-rehearse-diff-");

/** Every file of the real network (records, runs, app config) with its content hash; the rehearsal's own folder aside. */
function realFiles(network: string): Record<string, string> {
  const root = hre.config.paths.root;
  const files: Record<string, string> = {};
  const add = (file: string) => {
    if (!existsSync(file)) return;
    if (statSync(file).isDirectory()) {
      for (const entry of readdirSync(file)) if (entry !== ".rehearsal") add(path.join(file, entry));
      return;
    }
    files[path.relative(root, file)] = createHash("sha256").update(readFileSync(file)).digest("hex");
  };
  add(path.join(root, "deployments", network));
  add(path.join(root, "deployments", `${network}-deployment.json`));
  add(hre.config.cutover.appConfig.contractsModule);
  add(hre.config.cutover.appConfig.envFile);
  return files;
}

const word = (address: string) => zeroPadValue(address.toLowerCase(), 32);
const ZERO = zeroPadValue("0x", 32);
// The mock diamonds' storage (LibDiamond's layout at its standard position): the slots of facetFunctionSelectors[facet]
// (the selector array's length, the facet's position) and of the array's first word depend on the facet's address.
const DIAMOND = BigInt("0xc8fcad8db84d3cc18b4c41d551ea0ee66dd599cde068d998e57d5e09332c131c");
function facetSlots(facet: string): { length: string; position: string; selectors: string } {
  const length = keccak256(AbiCoder.defaultAbiCoder().encode(["address", "uint256"], [facet, DIAMOND + 1n]));
  return { length, position: toBeHex(BigInt(length) + 1n, 32), selectors: keccak256(length) };
}

describe("--rehearse: the exact state diff", () => {
  afterEach(() => {
    process.exitCode = 0;
  });

  it("corevault:redeploy --pause-old --rewire --admin <Safe> on 1 market: exactly these changes, verify passes, nothing real written", async () => {
    const system = await freshSystem({ markets: 1, seed: "rehearse-diff" });
    const safe = await createSafe(
      conn,
      deployer,
      owners(3, "rehearse-diff").map((k) => k.address),
      2,
      5n,
    );
    const admin = await safe.getAddress();
    const c = system.contracts;
    const [book] = system.markets;
    const filesBefore = realFiles("default");
    const block = await ethers.provider.getBlockNumber();
    const rehearsed = await runJson<Rehearsal>("corevault:redeploy", {
      pauseOld: true,
      rewire: true,
      admin,
      rehearse: true,
    });
    expect(rehearsed.passed).to.equal(true);
    expect(await ethers.provider.getBlockNumber()).to.equal(block);

    // cutover:verify ran on the copy, from the records the rehearsal wrote in its own folder, and passed.
    expect(rehearsed.verify).to.include({ ran: true, failed: 0 });
    expect(rehearsed.verify!.passed).to.be.greaterThan(20);
    expect(rehearsed.verify!.report).to.include(path.join("deployments", "default", ".rehearsal"));
    // The real network's files are as they were, but for the rehearsal's report next to the run.
    const filesAfter = realFiles("default");
    const added = Object.keys(filesAfter).filter((f) => !(f in filesBefore));
    expect(added.map((f) => path.basename(f)).sort()).to.deep.equal([
      "rehearsal.html",
      "rehearsal.json",
      "rehearsal.md",
    ]);
    for (const f of added) delete filesAfter[f];
    expect(filesAfter).to.deep.equal(filesBefore);

    const { diff } = rehearsed;
    const newVault = diff.deployed.CoreVault;
    expect(Object.keys(diff.deployed).sort()).to.deep.equal(["CoreVault", "VaultAdminFacet"]);
    const facet = diff.deployed.VaultAdminFacet;
    const me = deployer.address;
    const lower = (a: string) => a.toLowerCase();
    const bookLabel = `${book.symbol} ${book.orderBook}`;
    const fresh = (read: string, after: string) => ({
      contract: "<new CoreVault>",
      read,
      before: "(not deployed)",
      after,
    });
    const settlement = system.settlementOperators ?? [];
    expect(diff.changes).to.deep.equal([
      { contract: c.CORE_VAULT, read: "paused()", before: "false", after: "true" },
      fresh("liquidationManager()", lower(c.LIQUIDATION_MANAGER!)),
      fresh("mmrParams()", '["400","150","2500","25"]'),
      fresh(`hasRole(FACTORY_ROLE, ${c.FUTURES_MARKET_FACTORY})`, "true"),
      ...settlement.map((s) => fresh(`hasRole(SETTLEMENT_ROLE, ${s})`, "true")),
      fresh(`hasRole(EXTERNAL_CREDITOR_ROLE, ${c.COLLATERAL_HUB})`, "true"),
      fresh(`hasRole(FACTORY_ROLE, ${me})`, "false"),
      fresh(`isRegisteredOrderBook(${bookLabel})`, "true"),
      fresh(`marketToOrderBook(${book.symbol} (${book.marketId.slice(0, 10)}…))`, bookLabel),
      fresh(`hasRole(ORDERBOOK_ROLE, ${bookLabel})`, "true"),
      { contract: c.FUTURES_MARKET_FACTORY, read: "vault()", before: lower(c.CORE_VAULT), after: "<new CoreVault>" },
      { contract: c.COLLATERAL_HUB, read: "vault()", before: lower(c.CORE_VAULT), after: "<new CoreVault>" },
      { contract: bookLabel, read: "vault()", before: lower(c.CORE_VAULT), after: "<new CoreVault>" },
      fresh(`hasRole(DEFAULT_ADMIN_ROLE, ${admin})`, "true"),
      fresh(`hasRole(DEFAULT_ADMIN_ROLE, ${me})`, "false"),
    ]);

    const granted = (role: string, account: string, contract = "<new CoreVault>") => ({
      contract,
      event: "RoleGranted",
      args: `role=${role}, account=${account}, sender=${lower(me)}`,
    });
    expect(diff.events).to.deep.equal([
      { contract: c.CORE_VAULT, event: "Paused", args: `account=${lower(me)}` },
      granted("DEFAULT_ADMIN_ROLE", lower(me)),
      granted("FACTORY_ROLE", lower(c.FUTURES_MARKET_FACTORY!)),
      ...settlement.map((s) => granted("SETTLEMENT_ROLE", lower(s))),
      granted("EXTERNAL_CREDITOR_ROLE", lower(c.COLLATERAL_HUB!)),
      granted("FACTORY_ROLE", lower(me)),
      {
        contract: bookLabel,
        event: "DiamondCut",
        args: `diamondCut=[["${lower(facet)}","0",["0x6817031b"]]], init=<new VaultAdminFacet>, data=0x6817031b${word(newVault).slice(2)}`,
      },
      granted("ORDERBOOK_ROLE", bookLabel),
      granted("DEFAULT_ADMIN_ROLE", lower(admin)),
      {
        contract: "<new CoreVault>",
        event: "RoleRevoked",
        args: `role=FACTORY_ROLE, account=${lower(me)}, sender=${lower(me)}`,
      },
      {
        contract: "<new CoreVault>",
        event: "RoleRevoked",
        args: `role=DEFAULT_ADMIN_ROLE, account=${lower(me)}, sender=${lower(me)}`,
      },
    ]);

    // Storage: in the contracts that existed, exactly these slots (the mocks' layouts; the OrderBook's diamond storage
    // for one more facet and one more selector); the new vault's slots all written from zero.
    const slot = (n: number) => zeroPadValue(`0x${n.toString(16).padStart(2, "0")}`, 32);
    const existing = diff.storage.filter((s) => s.contract !== "<new CoreVault>");
    const vaultWord = (vault: string) => `0x0000000000000000000000${vault.toLowerCase().slice(2)}`;
    // The OrderBook's vault: an address packed after a set flag byte.
    const flagged = (vault: string) => `0x${"0".repeat(22)}01${vault.toLowerCase().slice(2)}`;
    const diamond = "0xc8fcad8db84d3cc18b4c41d551ea0ee66dd599cde068d998e57d5e09332c13";
    const expected = [
      { contract: c.COLLATERAL_HUB, slot: slot(1), before: word(c.CORE_VAULT), after: word(newVault) },
      { contract: c.FUTURES_MARKET_FACTORY, slot: slot(5), before: word(c.CORE_VAULT), after: word(newVault) },
      {
        contract: c.CORE_VAULT,
        slot: slot(1),
        before: `${vaultWord(c.LIQUIDATION_MANAGER!)}00`,
        after: `${vaultWord(c.LIQUIDATION_MANAGER!)}01`,
      },
      ...[
        ["0x0b87a90978aaf9f93d7434acc84a9b40997c671b8da8fece9c8addfe37b63341", ZERO, word(facet)],
        [
          "0x485bbcdf5044495be4fff67df8d4e80f4b4be9def8e97209f7f06c9d41800600",
          flagged(c.CORE_VAULT),
          flagged(newVault),
        ],
        [facetSlots(facet).selectors, ZERO, word("0x6817031b")],
        ["0xb5c239a29faf02594141bbc5e6982a9b85ba2b4d59c3ed3baaf4cb8e5e11cbf4", ZERO, word(facet)],
        [`${diamond}1e`, word("0x05"), word("0x06")],
        [facetSlots(facet).length, ZERO, word("0x01")],
        [facetSlots(facet).position, ZERO, word("0x05")],
      ].map(([s, before, after]) => ({ contract: bookLabel, slot: s, before, after })),
    ];
    const bySlot = (list: typeof existing) =>
      [...list].sort((a, b) => `${a.contract} ${a.slot}`.localeCompare(`${b.contract} ${b.slot}`));
    expect(bySlot(existing)).to.deep.equal(bySlot(expected));
    const vaultSlots = diff.storage.filter((s) => s.contract === "<new CoreVault>");
    expect(vaultSlots.every((s) => s.before === ZERO && s.after !== ZERO)).to.equal(true);
    expect(vaultSlots.length).to.be.greaterThan(10);

    // 12 transactions; 11 when an earlier test deployed VaultAdminFacet at its CREATE2 address on this chain.
    const sent = rehearsed.phases[0].results.filter((r) => r.status === "done").length;
    expect(sent).to.be.within(11, 12);
    expect(diff.bySender).to.deep.equal([{ sender: me, transactions: sent, gas: diff.gas }]);
    expect(diff.transactions).to.equal(sent);
  });
});

describe("--rehearse --with-rollback: rewires and role changes undone on the copy", () => {
  afterEach(() => {
    process.exitCode = 0;
  });

  it("corevault:redeploy --pause-old --rewire --admin <Safe>: the inverse sets every pointer, pause and role of the existing contracts back; only what was deployed remains", async () => {
    const system = await freshSystem({ markets: 2, seed: "rehearse-rollback" });
    const safe = await createSafe(
      conn,
      deployer,
      owners(3, "rehearse-rollback").map((k) => k.address),
      2,
      9n,
    );
    const block = await ethers.provider.getBlockNumber();
    const rehearsed = await runJson<Rehearsal>("corevault:redeploy", {
      pauseOld: true,
      rewire: true,
      admin: await safe.getAddress(),
      rehearse: true,
      withRollback: true,
    });
    expect(rehearsed.passed, JSON.stringify(rehearsed.problems)).to.equal(true);
    // verify ran after the plan, before its inverse.
    expect(rehearsed.verify).to.include({ ran: true, failed: 0 });
    const c = system.contracts;
    const back = (to: string) => `setVault(${c.CORE_VAULT!.toLowerCase()}) on ${to}`;
    expect(rehearsed.phases[1].results.map((r) => [r.label, r.status])).to.deep.equal([
      [`undo rewire ETH-USD: ${back(system.markets[1].orderBook)}`, "done"],
      [`undo rewire BTC-USD: ${back(system.markets[0].orderBook)}`, "done"],
      [`undo point the CollateralHub at the new vault: ${back(c.COLLATERAL_HUB!)}`, "done"],
      [`undo point the factory at the new vault: ${back(c.FUTURES_MARKET_FACTORY!)}`, "done"],
      [`undo pause the old vault: unpause() on ${c.CORE_VAULT}`, "done"],
    ]);
    // What remains: the contracts deployed (and their state), and the VaultAdminFacet each OrderBook gained: its
    // selector and facet in the diamond's storage. Every pointer, the pause and the books' vault are as they were.
    const remaining = rehearsed.remaining!;
    expect(Object.keys(remaining.deployed).sort()).to.deep.equal(["CoreVault", "VaultAdminFacet"]);
    expect(remaining.changes.filter((ch) => !ch.contract.startsWith("<new "))).to.deep.equal([]);
    const existing = remaining.storage.filter((st) => !st.contract.startsWith("<new "));
    const added = facetSlots(remaining.deployed.VaultAdminFacet);
    const cut = [
      "0x0b87a90978aaf9f93d7434acc84a9b40997c671b8da8fece9c8addfe37b63341",
      "0xb5c239a29faf02594141bbc5e6982a9b85ba2b4d59c3ed3baaf4cb8e5e11cbf4",
      "0xc8fcad8db84d3cc18b4c41d551ea0ee66dd599cde068d998e57d5e09332c131e",
      added.length,
      added.position,
      added.selectors,
    ].sort();
    expect(existing.map((st) => [st.contract, st.slot])).to.deep.equal(
      system.markets.flatMap((m) => cut.map((slot) => [`${m.symbol} ${m.orderBook}`, slot])),
    );
    expect(await ethers.provider.getBlockNumber()).to.equal(block);
  });

  it("corevault:regrant-roles: the inverse grants what was revoked and revokes what was granted; the vault's roles and storage are as they were", async () => {
    const system = await freshSystem({ markets: 1, seed: "rehearse-rollback-roles" });
    const [operator, extra] = system.settlementOperators as string[];
    const newcomer = (await ethers.getSigners())[7].address;
    const desired = path.join(await mkdtemp(path.join(tmpdir(), "rehearse-roles-")), "desired-roles.json");
    writeFileSync(desired, JSON.stringify({ SETTLEMENT_ROLE: [operator, newcomer] }));
    const block = await ethers.provider.getBlockNumber();
    const rehearsed = await runJson<Rehearsal>("corevault:regrant-roles", {
      desired,
      revokeExtra: true,
      rehearse: true,
      withRollback: true,
    });
    expect(rehearsed.passed, JSON.stringify(rehearsed.problems)).to.equal(true);
    expect(rehearsed.verify?.ran).to.equal(false); // no CoreVault was replaced: nothing for verify to check
    const vault = system.contracts.CORE_VAULT!;
    expect(rehearsed.diff.changes.map((ch) => [ch.contract, ch.read, ch.before, ch.after])).to.deep.equal([
      [vault, `hasRole(SETTLEMENT_ROLE, ${newcomer})`, "false", "true"],
      [vault, `hasRole(SETTLEMENT_ROLE, ${extra})`, "true", "false"],
    ]);
    const settlement = id("SETTLEMENT_ROLE");
    expect(
      rehearsed.phases[1].results.map((r) => [r.label.slice(r.label.lastIndexOf(": ") + 2), r.status]),
    ).to.deep.equal([
      [`grantRole(${settlement}, ${extra}) on ${vault}`, "done"],
      [`revokeRole(${settlement}, ${newcomer}) on ${vault}`, "done"],
    ]);
    expect(rehearsed.remaining!.changes).to.deep.equal([]);
    expect(rehearsed.remaining!.storage).to.deep.equal([]);
    expect(await ethers.provider.getBlockNumber()).to.equal(block);
  });
});
