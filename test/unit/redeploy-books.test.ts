// The --strategy redeploy planner (pure): the profile's creation path as steps, per profile.
import { expect } from "chai";
import { getAddress, id, keccak256, toUtf8Bytes } from "ethers";
import type { CallStep, DeployStep, Plan } from "../../src/engine/types.js";
import { CutoverInputError } from "../../src/errors.js";
import { DEXETRA_V5, REFERENCE } from "../../src/profile/builtins.js";
import { constructorPath, planRedeployBooks, replacedOrderBooks } from "../../src/orderbook/redeploy-books.js";
import type { OrderBookState } from "../../src/orderbook/rewire.js";
import type { Profile } from "../../src/profile/schema.js";

const A = (n: number) => getAddress(`0x${n.toString(16).padStart(40, "0")}`);
const [OLD_VAULT, NEW_VAULT, SIGNER, OWNER, INIT, FACET] = [1, 2, 3, 4, 5, 6].map((n) => A(0x100 + n));
const book: OrderBookState = {
  address: A(0xb1),
  symbol: "ALU-USD",
  marketId: keccak256(toUtf8Bytes("ALU-USD")),
  owner: OWNER,
  vault: OLD_VAULT,
  facets: [{ facetAddress: FACET, functionSelectors: ["0x12345678"] }],
};
const key = book.address.toLowerCase();

function plan(profile: Profile, signerHasFactoryRole: boolean, orderBookRoleAdmin = `0x${"00".repeat(32)}`) {
  return planRedeployBooks({
    fleet: [book, { ...book, address: A(0xb2), vault: NEW_VAULT }],
    newVault: NEW_VAULT,
    signer: SIGNER,
    profile,
    creation: {
      artifact: "Diamond",
      init: "function obInitialize(address vault, bytes32 marketId, address feeRecipient)",
      books: { [key]: { initContract: INIT, initArgs: ["$vault", book.marketId, OWNER] } },
    },
    signerHasFactoryRole,
    orderBookRoleAdmin,
  });
}

describe("--strategy redeploy planner", () => {
  it("dexetra-v5: the Diamond with the old book's owner and facets, init with the new vault and the same market; then one call per transaction, the old book deregistered last", () => {
    const part = plan(DEXETRA_V5, false);
    expect(part.steps.map((s) => s.id)).to.deep.equal([
      "grant:temporary-factory-role",
      `redeploy:${key}`,
      ...["register", "assign", "grant", "revoke", "deregister"].map((verb) => `${verb}:${key}`),
      "renounce:factory-role",
    ]);
    const deploy = part.steps[1] as DeployStep;
    expect(deploy.contract).to.equal("Diamond");
    expect(deploy.args.slice(0, 3)).to.deep.equal([
      OWNER,
      [{ facetAddress: FACET, action: 0, functionSelectors: ["0x12345678"] }],
      INIT,
    ]);
    expect(deploy.args[3]).to.deep.include({
      $encode: {
        contract: "function obInitialize(address vault, bytes32 marketId, address feeRecipient)",
        fn: "obInitialize",
        args: [NEW_VAULT, book.marketId, OWNER],
      },
    });
    const byId = Object.fromEntries(part.steps.map((s) => [s.id, s]));
    expect(byId[`revoke:${key}`].dependsOn).to.deep.equal([`assign:${key}`]);
    expect(byId[`deregister:${key}`].dependsOn).to.deep.equal([`revoke:${key}`]);
    expect(byId["grant:temporary-factory-role"].writes).to.deep.equal(["newVault.signer.FACTORY_ROLE"]);
    const assign = (byId[`assign:${key}`] as CallStep).actions[0].call;
    expect([assign.fn, assign.args]).to.deep.equal([
      "assignMarketToOrderBook",
      [book.marketId, { $ref: "OrderBook_ALU-USD" }],
    ]);
    expect(part.stepOf).to.deep.equal({ [book.address]: `deregister:${key}` });
    // the records writer finds the market from the plan alone
    expect(replacedOrderBooks({ steps: part.steps } as Plan, DEXETRA_V5)).to.deep.equal([
      { orderBook: book.address, marketId: book.marketId, symbol: "ALU-USD", record: "OrderBook_ALU-USD" },
    ]);
  });

  it("reference: one multicall step per market without a deregister; no temporary role for a signer holding FACTORY_ROLE", () => {
    // FACTORY_ROLE administers ORDERBOOK_ROLE on the reference mock
    expect(plan(REFERENCE, false, id("FACTORY_ROLE")).steps.map((s) => s.id)).to.include(
      "grant:temporary-factory-role",
    );
    const part = plan(REFERENCE, true, id("FACTORY_ROLE"));
    expect(part.steps.map((s) => s.id)).to.deep.equal([`redeploy:${key}`, `register:${key}`]);
    const register = part.steps[1] as CallStep;
    expect(register.actions.map((a) => a.call.fn)).to.deep.equal([
      "registerOrderBook",
      "assignMarketToOrderBook",
      "grantRole",
      "revokeRole",
    ]);
    expect(register.actions[3].call.args).to.deep.equal([id("ORDERBOOK_ROLE"), book.address]);
  });

  it("a factory call is refused, naming the key and why", () => {
    const factoryCall: Profile = {
      ...DEXETRA_V5,
      factory: {
        ...DEXETRA_V5.factory,
        createOrderBook: { factoryCall: "function createMarket(string symbol)", why: "it derives a new market id" },
      },
    };
    expect(() => constructorPath(factoryCall))
      .to.throw(CutoverInputError)
      .with.property("message")
      .that.includes("cutover.protocol.factory.createOrderBook")
      .and.includes("it derives a new market id");
    expect(constructorPath(DEXETRA_V5)).to.include({ constructorArtifact: "Diamond" });
  });
});
