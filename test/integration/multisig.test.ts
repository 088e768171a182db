// Mixed-authority runs through the real tasks: a 2-of-3 Safe v1.4.1 (Safe's own artifacts) and an OpenZeppelin
// TimelockController hold the admin roles of the legacy system; the signer deploys and wires the new vault, the rest
// is proposed / scheduled, and running the same command again continues once the authority has executed it.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { ZeroAddress, ZeroHash } from "ethers";
import { roleId, VAULT_ROLES } from "../../src/corevault/observe.js";
import type { JournalEntry } from "../../src/engine/journal.js";
import type { Proposal, SafeProposal, TimelockProposal } from "../../src/engine/proposal.js";
import { batchChecksum, type BatchFile } from "../../src/safe/batch-file.js";
import {
  encodeMultiSend,
  MULTISEND_CALL_ONLY_141,
  OPERATION,
  safeTxForBatch,
  safeTxHashes,
} from "../../src/safe/safe-tx.js";
import { execute } from "../helpers/safe.js";
import { contractAt } from "../helpers/contracts.js";
import { conn, freshSystem, handAdminTo, nonce, tempAppConfig } from "../helpers/system.js";
import { runTask, taskError, withExitCode } from "../helpers/tasks.js";
import { deployTimelock, twoOfThreeSafe } from "../helpers/authorities.js";

const { ethers } = conn;
const [deployer, relayer] = await ethers.getSigners();
const appDir = await tempAppConfig();

interface RunJson {
  planId: string;
  planFile: string;
  complete: boolean;
  awaiting: boolean;
  transactionsSent: number;
  deployed: Record<string, string>;
  results: { id: string; status: string; reason?: string; proposal?: string }[];
  proposals: Proposal[];
  orderBooks?: { orderBook: string; status: string }[];
}

const at = contractAt(ethers.provider);

/** Runs a task with `--json`; its parsed output and the exit code it set. */
async function runWithExitCode(
  name: string,
  args: Record<string, unknown>,
): Promise<{ out: RunJson; exitCode: number }> {
  const { printed, exitCode } = await withExitCode(name, { json: true, ...args });
  return { out: JSON.parse(printed) as RunJson, exitCode };
}

async function redeploy(args: Record<string, unknown>): Promise<{ out: RunJson; exitCode: number }> {
  return runWithExitCode("corevault:redeploy", args);
}

function journal(planFile: string): JournalEntry[] {
  return readFileSync(path.join(path.dirname(planFile), "journal.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as JournalEntry);
}

describe("running with a multisig", () => {
  afterEach(() => {
    process.exitCode = 0;
  });

  it("--executor safe: sends the signer's steps, proposes the Safe's as Transaction Builder batches + SafeTx, and finishes once the 2-of-3 Safe executed them", async () => {
    const system = await freshSystem({ markets: 3, seed: "multisig-safe" });
    const { keys, safe, address: safeAddress } = await twoOfThreeSafe(conn, deployer, "safe", 1n);
    await handAdminTo(system, safeAddress, deployer);
    for (const market of system.markets)
      await (
        await (await at("OwnershipFacet", market.orderBook, deployer as never)).transferOwnership(safeAddress)
      ).wait();

    const before = await nonce();
    const { out: first, exitCode } = await redeploy({
      pauseOld: true,
      rewire: true,
      executor: "safe",
      safe: safeAddress,
    });
    expect(exitCode, "awaiting exits with 2").to.equal(2);
    expect(first).to.include({ complete: false, awaiting: true });
    expect((await nonce()) - before).to.equal(first.transactionsSent);
    const status = Object.fromEntries(first.results.map((r) => [r.id, r.status]));
    const safeSteps = [
      "pause-old-vault",
      "align:factory",
      "repoint:hub",
      ...system.markets.map((m) => `rewire:${m.orderBook.toLowerCase()}`),
    ];
    for (const id of safeSteps) expect(status[id], id).to.equal("awaiting");
    for (const id of ["deploy:CoreVault", "configure:liquidation-manager", "grant:roles", "markets:1", "handoff:admin"])
      expect(status[id], id).to.equal("done");
    expect(first.orderBooks!.every((b) => b.status === "awaiting")).to.equal(true);

    // One proposal per wave: the pause first (nonce 0), then the repointing and the three cuts (nonce 1).
    const proposals = first.proposals as SafeProposal[];
    expect(proposals.map((p) => [p.executor, p.nonce, p.stepIds.length])).to.deep.equal([
      ["safe", "0", 1],
      ["safe", "1", 5],
    ]);
    expect(proposals.flatMap((p) => p.stepIds).sort()).to.deep.equal([...safeSteps].sort());
    const chainId = (await ethers.provider.getNetwork()).chainId;
    for (const proposal of proposals) {
      // the hashes printed for the signers are the Safe's own
      expect(
        await safe.getTransactionHash(
          proposal.safeTx.to,
          proposal.safeTx.value,
          proposal.safeTx.data,
          proposal.safeTx.operation,
          0,
          0,
          0,
          ZeroAddress,
          ZeroAddress,
          proposal.nonce,
        ),
      ).to.equal(proposal.id);
      expect(await safe.domainSeparator()).to.equal(proposal.domainHash);
      // the Transaction Builder file holds the same calls, with a valid checksum
      const file = JSON.parse(
        readFileSync(path.join(path.dirname(first.planFile), proposal.file), "utf8"),
      ) as BatchFile;
      expect(proposal.file).to.equal(`safe-${proposal.nonce}.json`);
      expect(file).to.include({ version: "1.0", chainId: chainId.toString() });
      expect(file.createdAt).to.be.a("number");
      expect(file.meta).to.include({ createdFromSafeAddress: safeAddress, createdFromOwnerAddress: deployer.address });
      expect(file.meta.description).to.include(proposal.id);
      expect(file.meta.checksum).to.equal(batchChecksum(file));
      expect(file.transactions).to.have.length(proposal.calls);
      // raw calldata, and the call decoded for signers (Transaction Builder's contractMethod / contractInputsValues)
      for (const tx of file.transactions) {
        expect(tx.data).to.be.a("string");
        expect((tx.contractMethod as { name: string }).name).to.match(/^(pause|setVault|diamondCut|multicall)$/);
        expect(Object.values(tx.contractInputsValues!).every((v) => typeof v === "string")).to.equal(true);
      }
      if (proposal.calls > 1) {
        expect(proposal.safeTx).to.include({ to: MULTISEND_CALL_ONLY_141.address, operation: OPERATION.DELEGATECALL });
        const multiSend = await at("IMultiSendCallOnly", MULTISEND_CALL_ONLY_141.address);
        expect(multiSend.interface.decodeFunctionData("multiSend", proposal.safeTx.data)[0]).to.equal(
          encodeMultiSend(file.transactions as never),
        );
      } else {
        expect(proposal.safeTx).to.include({
          to: file.transactions[0].to,
          data: file.transactions[0].data,
          operation: OPERATION.CALL,
        });
      }
    }
    const proposed = journal(first.planFile).filter((e) => e.type === "proposed");
    expect(proposed.map((e) => (e as SafeProposal).id)).to.deep.equal(proposals.map((p) => p.id));

    // The text output names the files and the hashes signers compare.
    const text = await runTask("corevault:redeploy", {
      pauseOld: true,
      rewire: true,
      executor: "safe",
      safe: safeAddress,
    });
    expect(process.exitCode).to.equal(2);
    process.exitCode = 0;
    for (const proposal of proposals) {
      expect(text)
        .to.include(proposal.file)
        .and.to.include(`safeTxHash    ${proposal.id}`)
        .and.to.include(`domain hash   ${proposal.domainHash}`)
        .and.to.include(`message hash  ${proposal.messageHash}`);
    }
    expect(text).to.include("AWAITING");

    // Running again before the owners act sends nothing and proposes nothing new: the same proposals stand.
    const again = await nonce();
    const { out: second } = await redeploy({ pauseOld: true, rewire: true, executor: "safe", safe: safeAddress });
    expect(second.transactionsSent).to.equal(0);
    expect(await nonce()).to.equal(again);
    expect(second.proposals.map((p) => p.id)).to.deep.equal(proposals.map((p) => p.id));
    expect(journal(first.planFile).filter((e) => e.type === "proposed")).to.have.length(proposed.length);

    // The owners sign; one signature is not enough for a 2-of-3 Safe.
    const pause = proposals[0];
    let refused = false;
    await execute(safe, pause.safeTx, pause.id, [keys[0]], relayer).catch(() => (refused = true));
    expect(refused, "one signature of a 2-of-3 Safe").to.equal(true);
    for (const proposal of proposals)
      await (await execute(safe, proposal.safeTx, proposal.id, [keys[2], keys[0]], relayer)).wait();
    expect(await safe.nonce()).to.equal(2n);

    // The same command again sees on chain what the Safe executed and completes.
    const { out: last, exitCode: lastExit } = await redeploy({
      pauseOld: true,
      rewire: true,
      executor: "safe",
      safe: safeAddress,
    });
    expect(lastExit).to.equal(0);
    expect(last).to.include({ complete: true, awaiting: false, transactionsSent: 0 });
    expect(last.planId).to.equal(first.planId);
    const newVault = first.deployed.CoreVault;
    const vault = await at("CoreVault", newVault);
    for (const market of system.markets) {
      expect(await vault.marketToOrderBook(market.marketId), market.symbol).to.equal(market.orderBook);
      expect(await vault.hasRole(roleId("ORDERBOOK_ROLE"), market.orderBook)).to.equal(true);
      expect(await (await at("OrderBookViewFacet", market.orderBook)).vault(), market.symbol).to.equal(newVault);
    }
    expect(await vault.hasRole(roleId("FACTORY_ROLE"), system.contracts.FUTURES_MARKET_FACTORY)).to.equal(true);
    expect(await vault.hasRole(roleId("EXTERNAL_CREDITOR_ROLE"), system.contracts.COLLATERAL_HUB)).to.equal(true);
    expect(await (await at("FuturesMarketFactory", system.contracts.FUTURES_MARKET_FACTORY)).vault()).to.equal(
      newVault,
    );
    expect(await (await at("CollateralHub", system.contracts.COLLATERAL_HUB)).vault()).to.equal(newVault);
    expect(await (await at("CoreVault", system.contracts.CORE_VAULT)).paused()).to.equal(true);
    expect(await vault.hasRole(ZeroHash, safeAddress), "the Safe administers the new vault").to.equal(true);
    for (const role of VAULT_ROLES)
      expect(await vault.hasRole(roleId(role), deployer.address), `deployer keeps ${role}`).to.equal(false);

    // cutover:verify (the go-live gate) passes on the result.
    const verified = JSON.parse(await runTask("cutover:verify", { json: true, reportDir: appDir })) as {
      failed: number;
      checks: { name: string; status: string }[];
    };
    expect(verified.failed, JSON.stringify(verified.checks.filter((c) => c.status === "fail"))).to.equal(0);
    expect(verified.checks.filter((c) => c.status === "pass").length).to.be.greaterThan(5);
    expect(process.exitCode ?? 0).to.equal(0);
  });

  it("corevault:regrant-roles --executor safe: the Safe that administers the vault makes the role changes, grants proposed before revokes", async () => {
    const system = await freshSystem({ markets: 2, seed: "multisig-regrant" });
    const { keys, safe, address: safeAddress } = await twoOfThreeSafe(conn, deployer, "regrant", 3n);
    await handAdminTo(system, safeAddress, deployer);
    const [operator, extra] = system.settlementOperators as string[];
    const newcomer = relayer.address;
    const desired = path.join(appDir, "desired-roles.json");
    writeFileSync(desired, JSON.stringify({ SETTLEMENT_ROLE: [operator, newcomer] }));
    const regrant = () =>
      runWithExitCode("corevault:regrant-roles", { desired, revokeExtra: true, executor: "safe", safe: safeAddress });
    const vault = await at("CoreVault", system.contracts.CORE_VAULT);
    const before = await nonce();
    // Grants first: the revoke waits until the Safe has executed the grant.
    for (const [round, stepId] of [
      [1, "grant:1"],
      [2, "revoke:1"],
    ] as const) {
      const { out, exitCode } = await regrant();
      expect(exitCode, `round ${round}`).to.equal(2);
      expect(out).to.include({ complete: false, awaiting: true, transactionsSent: 0 });
      expect(out.proposals).to.have.length(1);
      expect((out.proposals[0] as SafeProposal).stepIds).to.deep.equal([stepId]);
      const proposal = out.proposals[0] as SafeProposal;
      await (await execute(safe, proposal.safeTx, proposal.id, [keys[0], keys[1]], relayer)).wait();
    }
    const { out: last, exitCode: lastExit } = await regrant();
    expect(lastExit, JSON.stringify(last.results)).to.equal(0);
    expect(last).to.include({ complete: true, transactionsSent: 0 });
    expect(await nonce(), "the deployer sent nothing").to.equal(before);
    expect(await vault.hasRole(roleId("SETTLEMENT_ROLE"), newcomer)).to.equal(true);
    expect(await vault.hasRole(roleId("SETTLEMENT_ROLE"), extra)).to.equal(false);
    expect(await vault.hasRole(roleId("SETTLEMENT_ROLE"), operator)).to.equal(true);
  });

  it("--executor timelock: schedules the timelock's steps (chained batches), refuses to execute before the delay, executes them on a later run", async () => {
    const system = await freshSystem({ markets: 2, seed: "multisig-timelock" });
    const delay = 48 * 3600;
    const timelock = await deployTimelock(deployer, delay);
    const timelockAddress = await timelock.getAddress();
    await handAdminTo(system, timelockAddress, deployer);

    const args = { pauseOld: true, executor: "timelock", timelock: timelockAddress };
    const { out: first, exitCode } = await redeploy(args);
    expect(exitCode).to.equal(2);
    expect(first.awaiting).to.equal(true);
    const batches = first.proposals as TimelockProposal[];
    expect(batches.map((b) => [b.executor, b.batch, b.stepIds])).to.deep.equal([
      ["timelock", 1, ["pause-old-vault"]],
      ["timelock", 2, ["align:factory", "repoint:hub"]],
    ]);
    expect(batches[0].predecessor).to.equal(ZeroHash);
    expect(batches[1].predecessor, "the second batch runs after the first").to.equal(batches[0].id);
    expect(batches[0].salt).to.not.equal(batches[1].salt);
    for (const batch of batches) {
      expect(await timelock.isOperationPending(batch.id)).to.equal(true);
      expect(
        await timelock.hashOperationBatch(batch.targets, batch.values, batch.payloads, batch.predecessor, batch.salt),
      ).to.equal(batch.id);
      expect(Number(await timelock.getTimestamp(batch.id))).to.equal(batch.eta);
    }
    // ETA in the journal
    const proposed = journal(first.planFile).filter(
      (e): e is Extract<JournalEntry, { type: "proposed" }> => e.type === "proposed",
    );
    expect(proposed.map((e) => (e as TimelockProposal).eta)).to.deep.equal(batches.map((b) => b.eta));

    // Before the delay: the timelock refuses, and a run says how long remains and sends nothing.
    const early = await timelock
      .executeBatch(batches[0].targets, batches[0].values, batches[0].payloads, batches[0].predecessor, batches[0].salt)
      .then(
        () => undefined,
        (error: Error) => error,
      );
    expect(early?.message).to.match(/TimelockUnexpectedOperationState|reverted/);
    await conn.networkHelpers.time.increase(3600);
    const before = await nonce();
    const { out: waiting } = await redeploy(args);
    expect(await nonce()).to.equal(before);
    expect(waiting.awaiting).to.equal(true);
    expect(waiting.results.find((r) => r.id === "align:factory")!.reason).to.match(
      /executable at .*, in 4[67] h \d+ min/,
    );
    const text = await runTask("corevault:redeploy", args);
    process.exitCode = 0;
    expect(text)
      .to.include(`operation     ${batches[0].id}`)
      .and.to.match(/ETA +\d{4}-\d\d-\d\dT.* — in 4[67] h/);

    // After the delay the run executes both batches, in order, and completes.
    await conn.networkHelpers.time.increase(delay);
    const { out: last, exitCode: lastExit } = await redeploy(args);
    expect(lastExit).to.equal(0);
    expect(last.complete).to.equal(true);
    expect(last.transactionsSent, "two executeBatch transactions").to.equal(2);
    for (const batch of batches) expect(await timelock.isOperationDone(batch.id)).to.equal(true);
    const newVault = first.deployed.CoreVault;
    expect(await (await at("CoreVault", system.contracts.CORE_VAULT)).paused()).to.equal(true);
    expect(await (await at("FuturesMarketFactory", system.contracts.FUTURES_MARKET_FACTORY)).vault()).to.equal(
      newVault,
    );
    expect(await (await at("CollateralHub", system.contracts.COLLATERAL_HUB)).vault()).to.equal(newVault);
    expect(
      await (await at("CoreVault", newVault)).hasRole(ZeroHash, timelockAddress),
      "the timelock administers the new vault",
    ).to.equal(true);
  });

  it("cutover:transfer-ownership --to <safe>: grant-then-renounce on the vault, factory and hub, one-step ERC-173 on every OrderBook; the check fails while the deployer holds anything", async () => {
    const system = await freshSystem({ markets: 3, seed: "multisig-transfer" });
    const { keys, safe, address: safeAddress } = await twoOfThreeSafe(conn, deployer, "transfer", 2n);
    type Out = {
      complete: boolean;
      transactionsSent: number;
      checks: { name: string; status: string; failures: string[] }[];
      results: { id: string }[];
    };
    const transfer = async (args: Record<string, unknown> = {}) =>
      JSON.parse(await runTask("cutover:transfer-ownership", { to: safeAddress, json: true, ...args })) as Out;
    const status = (out: Out) => Object.fromEntries(out.checks.map((c) => [c.name, c.status]));

    // The ownership transfer is one-step: an address without code is refused.
    expect((await taskError("cutover:transfer-ownership", { to: relayer.address, json: true })).message).to.match(
      /Invalid --to.*one-step/,
    );

    const planned = await transfer({ planOnly: true });
    expect(status(planned)).to.deep.equal({
      "admin-handed-over": "fail",
      "diamonds-owned": "fail",
      "deployer-holds-nothing": "fail",
    });
    expect(planned.checks.find((c) => c.name === "deployer-holds-nothing")!.failures.join("\n"))
      .to.include("DEFAULT_ADMIN_ROLE")
      .and.to.include("MARKET_CREATOR_ROLE")
      .and.to.include("still owns it");

    const before = await nonce();
    const out = await transfer();
    expect(process.exitCode ?? 0).to.equal(0);
    expect(out.complete).to.equal(true);
    expect((await nonce()) - before).to.equal(out.transactionsSent);
    expect(status(out)).to.deep.equal({
      "admin-handed-over": "pass",
      "diamonds-owned": "pass",
      "deployer-holds-nothing": "pass",
    });
    const vault = await at("CoreVault", system.contracts.CORE_VAULT);
    expect(await vault.hasRole(ZeroHash, safeAddress)).to.equal(true);
    for (const role of VAULT_ROLES) expect(await vault.hasRole(roleId(role), deployer.address), role).to.equal(false);
    const factory = await at("FuturesMarketFactory", system.contracts.FUTURES_MARKET_FACTORY);
    expect(await factory.hasRole(ZeroHash, safeAddress)).to.equal(true);
    expect(await factory.hasRole(await factory.MARKET_CREATOR_ROLE(), deployer.address)).to.equal(false);
    expect(
      await (await at("CollateralHub", system.contracts.COLLATERAL_HUB)).hasRole(ZeroHash, deployer.address),
    ).to.equal(false);
    for (const market of system.markets)
      expect(await (await at("OwnershipFacet", market.orderBook)).owner()).to.equal(safeAddress);
    // grant before renounce, in the plan's order
    const ids = out.results.map((r) => r.id);
    expect(ids.indexOf(`grant-admin:${system.contracts.CORE_VAULT.toLowerCase()}`)).to.be.lessThan(
      ids.indexOf(`renounce:${system.contracts.CORE_VAULT.toLowerCase()}:DEFAULT_ADMIN_ROLE`),
    );

    // The Safe, now the admin, gives the deployer a role back: the check fails again until it is renounced.
    const grant = vault.interface.encodeFunctionData("grantRole", [roleId("SETTLEMENT_ROLE"), deployer.address]);
    const safeTx = safeTxForBatch([{ to: system.contracts.CORE_VAULT, value: "0", data: grant }], await safe.nonce(), {
      address: MULTISEND_CALL_ONLY_141.address,
      iface: (await at("IMultiSendCallOnly", MULTISEND_CALL_ONLY_141.address)).interface,
    });
    await (
      await execute(
        safe,
        safeTx,
        safeTxHashes(safeAddress, (await ethers.provider.getNetwork()).chainId, safeTx).safeTxHash,
        [keys[1], keys[2]],
        relayer,
      )
    ).wait();
    const drifted = await transfer({ planOnly: true, replan: true });
    expect(status(drifted)["deployer-holds-nothing"]).to.equal("fail");
    expect(drifted.checks.find((c) => c.name === "deployer-holds-nothing")!.failures).to.deep.equal([
      `CoreVault ${system.contracts.CORE_VAULT}: the deployer ${deployer.address} still holds SETTLEMENT_ROLE; renounce it (cutover:transfer-ownership does)`,
    ]);
    const fixed = await transfer({ replan: true });
    expect(fixed.transactionsSent).to.equal(1);
    expect(fixed.checks.every((c) => c.status === "pass")).to.equal(true);
  });

  it("refuses --executor safe without --safe, and an unknown executor, before anything is sent", async () => {
    await freshSystem({ markets: 1, seed: "multisig-inputs" });
    const before = await nonce();
    expect((await taskError("corevault:redeploy", { executor: "safe", json: true })).message).to.include(
      "Invalid --safe",
    );
    expect((await taskError("corevault:redeploy", { executor: "multisig", json: true })).message).to.include(
      "Invalid --executor",
    );
    expect(await nonce()).to.equal(before);
  });
});
