import { expect } from "chai";
import { validateUserConfigZodType } from "@nomicfoundation/hardhat-zod-utils";
import { getAddress, id, ZeroHash } from "ethers";
import { z } from "zod";
import { cutoverUserConfigSchema } from "../../src/config.js";
import type { CallStep } from "../../src/engine/types.js";
import { DEXETRA_V5, REFERENCE } from "../../src/profile/builtins.js";
import { resolveProfile } from "../../src/profile/resolve.js";
import { rolesOf } from "../../src/ownership/observe.js";
import { ownershipChecks, planTransfer, type OwnershipState } from "../../src/ownership/transfer.js";

const validate = (cutover: unknown) =>
  validateUserConfigZodType({ cutover } as never, z.object({ cutover: cutoverUserConfigSchema.optional() }));
const A = (n: number) => getAddress(`0x${n.toString(16).padStart(40, "0")}`);

describe("protocol profiles: ownership", () => {
  it("validates the ownership section: a single admin needs a getter or a probe; role names are constants", () => {
    const errors = validate({
      protocol: {
        ownership: {
          factory: { admin: { write: { signature: "function updateAdmin(address newAdmin)" } } },
          hub: { roles: ["relayer"] },
        },
      },
    });
    const messages = errors.map((e) => `${e.path.join(".")}: ${e.message}`).join("\n");
    expect(messages).to.match(/cutover\.protocol\.ownership\.factory.*read \(a getter\) or probe/);
    expect(messages).to.match(/cutover\.protocol\.ownership\.hub\.roles\.0: .*role constant/);
    const probed = {
      profile: "dexetra-v5",
      ownership: {
        factory: {
          admin: {
            read: { slot: "0x0" },
            write: { signature: "function updateAdmin(address newAdmin)" },
          },
        },
      },
    };
    expect(validate({ protocol: probed })).to.deep.equal([]);
    const profile = resolveProfile(probed as never);
    expect(profile.ownership.orderBook).to.deep.equal(DEXETRA_V5.ownership.orderBook);
    expect(profile.ownership.factory).to.deep.equal(probed.ownership.factory);
  });

  it("role ids are keccak256 of the profile's names, DEFAULT_ADMIN_ROLE the zero word", () => {
    expect(rolesOf(REFERENCE, "factory")).to.deep.equal({
      DEFAULT_ADMIN_ROLE: ZeroHash,
      MARKET_CREATOR_ROLE: id("MARKET_CREATOR_ROLE"),
    });
    expect(Object.keys(rolesOf(DEXETRA_V5, "vault"))).to.have.members([
      "DEFAULT_ADMIN_ROLE",
      "FACTORY_ROLE",
      "SETTLEMENT_ROLE",
      "EXTERNAL_CREDITOR_ROLE",
      "ORDERBOOK_ROLE",
    ]);
    // the dexetra factory has one admin, no roles
    expect(rolesOf(DEXETRA_V5, "factory")).to.deep.equal({ DEFAULT_ADMIN_ROLE: ZeroHash });
  });

  it("dexetra-v5: the factory's updateAdmin has no done check (its journal decides); the check names it until handed over", () => {
    const deployer = A(0xd0);
    const to = A(0x5afe);
    const factory = { key: "factory", contract: "FuturesMarketFactory", address: A(0xfa) };
    const state: OwnershipState = {
      to,
      deployer,
      accessControl: [],
      singleAdmins: [{ target: factory, toIsAdmin: false, deployerIsAdmin: true, admin: deployer }],
      diamonds: [{ target: { address: A(0xb1), symbol: "ALU" }, owner: deployer }],
    };
    const steps = planTransfer(state, DEXETRA_V5).steps as CallStep[];
    expect(steps.map((s) => s.id)).to.deep.equal([
      `update-admin:${A(0xfa).toLowerCase()}`,
      `transfer:${A(0xb1).toLowerCase()}`,
    ]);
    const [update, transfer] = steps.map((s) => s.actions[0]);
    expect(update.call).to.deep.include({ to: A(0xfa), fn: "updateAdmin", args: [to] });
    expect(update.done).to.deep.equal([]);
    // owner() first in the profile: the transfer's done check reads it
    expect(transfer.done.map((d) => [d.read.fn, d.equals])).to.deep.equal([["owner", to]]);
    const failures = ownershipChecks(state).flatMap((c) => c.failures);
    expect(failures.join("\n")).to.include(`FuturesMarketFactory ${A(0xfa)}: its admin is not ${to}`);
    expect(failures.join("\n")).to.include(`the deployer ${deployer} is still its admin`);
    const handed = { ...state, singleAdmins: [{ ...state.singleAdmins![0], toIsAdmin: true, deployerIsAdmin: false }] };
    expect(planTransfer(handed, DEXETRA_V5).steps.map((s) => s.id)).to.deep.equal([
      `transfer:${A(0xb1).toLowerCase()}`,
    ]);
  });
});
