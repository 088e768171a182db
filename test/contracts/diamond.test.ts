import { expect } from "chai";
import { FunctionFragment, type Contract, type Signer } from "ethers";
import { network } from "hardhat";
import { selectorsOf } from "../../src/diamond/selectors.js";

const { ethers, networkHelpers } = await network.create();

const Add = 0;
const Replace = 1;
const Remove = 2;
const ZERO = ethers.ZeroAddress;
const MARKET = ethers.id("ETH-USD");
const e6 = (n: number) => BigInt(Math.round(n * 1e6));
const e18 = (n: number) => ethers.parseUnits(String(n), 18);

type Cut = { facetAddress: string; action: number; functionSelectors: string[] };
type HasInterface = { interface: Parameters<typeof selectorsOf>[0] };

/** connect() is typed as returning a BaseContract; keep the dynamic Contract type. */
const by = (c: Contract, signer: Signer) => c.connect(signer) as Contract;
const sel = (signature: string) => ethers.id(signature).slice(0, 10);
const selectorsFrom = (c: HasInterface) => selectorsOf(c.interface).map((s) => s.selector);

async function deployFacets() {
  const [owner, alice, bob, keeper, other] = await ethers.getSigners();
  const cutFacet = await ethers.deployContract("DiamondCutFacet");
  const loupeFacet = await ethers.deployContract("DiamondLoupeFacet");
  const ownershipFacet = await ethers.deployContract("OwnershipFacet");
  const viewFacet = await ethers.deployContract("OrderBookViewFacet");
  const tradingFacet = await ethers.deployContract("OrderBookTradingFacet");
  const init = await ethers.deployContract("OrderBookInit");
  const vaultAdminFacet = await ethers.deployContract("VaultAdminFacet");
  const vault = await ethers.deployContract("RecordingVault");
  const vault2 = await ethers.deployContract("RecordingVault");
  const facetA = await ethers.deployContract("TestFacetA");
  const facetB = await ethers.deployContract("TestFacetB");
  const testInit = await ethers.deployContract("TestInit");

  const standardFacets = [cutFacet, loupeFacet, ownershipFacet, viewFacet, tradingFacet];
  const cuts: Cut[] = [];
  for (const f of standardFacets) {
    cuts.push({ facetAddress: await f.getAddress(), action: Add, functionSelectors: selectorsFrom(f) });
  }
  const initData = init.interface.encodeFunctionData("obInitialize", [await vault.getAddress(), MARKET]);
  return {
    owner,
    alice,
    bob,
    keeper,
    other,
    cutFacet,
    loupeFacet,
    ownershipFacet,
    viewFacet,
    tradingFacet,
    init,
    vaultAdminFacet,
    vault,
    vault2,
    facetA,
    facetB,
    testInit,
    standardFacets,
    cuts,
    initData,
  };
}

async function at(address: string) {
  return {
    cut: await ethers.getContractAt("DiamondCutFacet", address),
    loupe: await ethers.getContractAt("DiamondLoupeFacet", address),
    ownership: await ethers.getContractAt("OwnershipFacet", address),
    view: await ethers.getContractAt("OrderBookViewFacet", address),
    trading: await ethers.getContractAt("OrderBookTradingFacet", address),
    vaultAdmin: await ethers.getContractAt("VaultAdminFacet", address),
    facetA: await ethers.getContractAt("TestFacetA", address),
    immutable: await ethers.getContractAt("TestImmutableDiamond", address),
  };
}

async function deployDiamond() {
  const f = await deployFacets();
  const diamond = await ethers.deployContract("OrderBookDiamond", [
    f.owner.address,
    f.cuts,
    await f.init.getAddress(),
    f.initData,
  ]);
  const addr = await diamond.getAddress();
  return { ...f, diamond, addr, d: await at(addr) };
}

async function deployImmutableDiamond() {
  const f = await deployFacets();
  const diamond = await ethers.deployContract("TestImmutableDiamond", [
    f.owner.address,
    f.cuts,
    await f.init.getAddress(),
    f.initData,
  ]);
  const addr = await diamond.getAddress();
  return { ...f, diamond, addr, d: await at(addr) };
}

async function deployUninitializedDiamond() {
  const f = await deployFacets();
  const diamond = await ethers.deployContract("OrderBookDiamond", [f.owner.address, f.cuts, ZERO, "0x"]);
  const addr = await diamond.getAddress();
  return { ...f, diamond, addr, d: await at(addr) };
}

/** Loupe invariants: facets() agrees with facetAddresses(), facetFunctionSelectors() and facetAddress(). */
async function expectLoupeConsistent(loupe: Awaited<ReturnType<typeof at>>["loupe"]) {
  const facets: [string, string[]][] = (await loupe.facets()).map(
    (f: { facetAddress: string; functionSelectors: string[] }) => [f.facetAddress, [...f.functionSelectors]],
  );
  expect(await loupe.facetAddresses()).to.deep.equal(facets.map(([a]) => a));
  const seen = new Set<string>();
  for (const [facet, selectors] of facets) {
    expect(selectors.length, `facet ${facet} listed with no selectors`).to.be.greaterThan(0);
    expect([...(await loupe.facetFunctionSelectors(facet))]).to.deep.equal(selectors);
    for (const s of selectors) {
      expect(seen.has(s), `selector ${s} listed twice`).to.equal(false);
      seen.add(s);
      expect(await loupe.facetAddress(s)).to.equal(facet);
    }
  }
  return new Map(facets);
}

describe("OrderBookDiamond: EIP-2535 diamondCut rules", () => {
  it("Add routes new selectors to the facet", async () => {
    const { d, facetA } = await networkHelpers.loadFixture(deployDiamond);
    await d.cut.diamondCut(
      [{ facetAddress: await facetA.getAddress(), action: Add, functionSelectors: selectorsFrom(facetA) }],
      ZERO,
      "0x",
    );
    expect(await d.facetA.ping()).to.equal(1n);
    expect(await d.facetA.pong()).to.equal(11n);
  });

  it("emits DiamondCut with the exact cuts, init and calldata", async () => {
    const { d, facetA, vault2, vaultAdminFacet } = await networkHelpers.loadFixture(deployDiamond);
    const a = await facetA.getAddress();
    const adminFacet = await vaultAdminFacet.getAddress();
    const calldata = vaultAdminFacet.interface.encodeFunctionData("setVault", [await vault2.getAddress()]);
    const cuts = [
      { facetAddress: a, action: Add, functionSelectors: [sel("ping()"), sel("pong()")] },
      { facetAddress: adminFacet, action: Add, functionSelectors: [sel("setVault(address)")] },
    ];
    await expect(d.cut.diamondCut(cuts, adminFacet, calldata))
      .to.emit(d.cut, "DiamondCut")
      .withArgs(
        [
          [a, Add, [sel("ping()"), sel("pong()")]],
          [adminFacet, Add, [sel("setVault(address)")]],
        ],
        adminFacet,
        calldata,
      );
  });

  it("init address(0) with calldata is refused (a cut that silently skips its init is an operator mistake)", async () => {
    const { d, facetA } = await networkHelpers.loadFixture(deployDiamond);
    const a = await facetA.getAddress();
    await expect(
      d.cut.diamondCut([{ facetAddress: a, action: Add, functionSelectors: [sel("ping()")] }], ZERO, "0xdeadbeef"),
    )
      .to.be.revertedWithCustomError(d.cut, "InitCalldataWithoutInitAddress")
      .withArgs("0xdeadbeef");
    expect(await d.loupe.facetAddress(sel("ping()"))).to.equal(ZERO);
    await expect(d.cut.diamondCut([{ facetAddress: a, action: Add, functionSelectors: [sel("ping()")] }], ZERO, "0x"))
      .to.emit(d.cut, "DiamondCut")
      .withArgs([[a, Add, [sel("ping()")]]], ZERO, "0x");
  });

  it("Add of an existing selector reverts CannotAddSelectorThatAlreadyExists", async () => {
    const { d, facetB } = await networkHelpers.loadFixture(deployDiamond);
    // owner() already exists (OwnershipFacet)
    await expect(
      d.cut.diamondCut(
        [{ facetAddress: await facetB.getAddress(), action: Add, functionSelectors: [sel("owner()")] }],
        ZERO,
        "0x",
      ),
    )
      .to.be.revertedWithCustomError(d.cut, "CannotAddSelectorThatAlreadyExists")
      .withArgs(sel("owner()"));
  });

  it("Add and Replace require a facet with code (EOA and address(0) rejected)", async () => {
    const { d, facetA, other } = await networkHelpers.loadFixture(deployDiamond);
    await expect(
      d.cut.diamondCut([{ facetAddress: other.address, action: Add, functionSelectors: [sel("ping()")] }], ZERO, "0x"),
    )
      .to.be.revertedWithCustomError(d.cut, "NoBytecodeAtAddress")
      .withArgs(other.address);
    await expect(
      d.cut.diamondCut([{ facetAddress: ZERO, action: Add, functionSelectors: [sel("ping()")] }], ZERO, "0x"),
    )
      .to.be.revertedWithCustomError(d.cut, "NoBytecodeAtAddress")
      .withArgs(ZERO);
    await d.cut.diamondCut(
      [{ facetAddress: await facetA.getAddress(), action: Add, functionSelectors: [sel("ping()")] }],
      ZERO,
      "0x",
    );
    await expect(
      d.cut.diamondCut(
        [{ facetAddress: other.address, action: Replace, functionSelectors: [sel("ping()")] }],
        ZERO,
        "0x",
      ),
    )
      .to.be.revertedWithCustomError(d.cut, "NoBytecodeAtAddress")
      .withArgs(other.address);
  });

  it("a cut with no selectors reverts NoSelectorsProvidedForFacetForCut", async () => {
    const { d, facetA } = await networkHelpers.loadFixture(deployDiamond);
    const a = await facetA.getAddress();
    await expect(d.cut.diamondCut([{ facetAddress: a, action: Add, functionSelectors: [] }], ZERO, "0x"))
      .to.be.revertedWithCustomError(d.cut, "NoSelectorsProvidedForFacetForCut")
      .withArgs(a);
  });

  it("Replace moves a selector to the new facet", async () => {
    const { d, facetA, facetB } = await networkHelpers.loadFixture(deployDiamond);
    await d.cut.diamondCut(
      [{ facetAddress: await facetA.getAddress(), action: Add, functionSelectors: [sel("ping()")] }],
      ZERO,
      "0x",
    );
    expect(await d.facetA.ping()).to.equal(1n);
    await d.cut.diamondCut(
      [{ facetAddress: await facetB.getAddress(), action: Replace, functionSelectors: [sel("ping()")] }],
      ZERO,
      "0x",
    );
    expect(await d.facetA.ping()).to.equal(2n);
  });

  it("Replace with the same facet reverts CannotReplaceFunctionWithTheSameFacet", async () => {
    const { d, ownershipFacet } = await networkHelpers.loadFixture(deployDiamond);
    await expect(
      d.cut.diamondCut(
        [{ facetAddress: await ownershipFacet.getAddress(), action: Replace, functionSelectors: [sel("owner()")] }],
        ZERO,
        "0x",
      ),
    )
      .to.be.revertedWithCustomError(d.cut, "CannotReplaceFunctionWithTheSameFacet")
      .withArgs(sel("owner()"));
  });

  it("Replace of a missing selector reverts CannotReplaceFunctionThatDoesNotExist", async () => {
    const { d, facetB } = await networkHelpers.loadFixture(deployDiamond);
    await expect(
      d.cut.diamondCut(
        [{ facetAddress: await facetB.getAddress(), action: Replace, functionSelectors: [sel("ping()")] }],
        ZERO,
        "0x",
      ),
    )
      .to.be.revertedWithCustomError(d.cut, "CannotReplaceFunctionThatDoesNotExist")
      .withArgs(sel("ping()"));
  });

  it("Remove with a non-zero facet address reverts RemoveFacetAddressMustBeZero", async () => {
    const { d, ownershipFacet } = await networkHelpers.loadFixture(deployDiamond);
    const facet = await ownershipFacet.getAddress();
    await expect(
      d.cut.diamondCut([{ facetAddress: facet, action: Remove, functionSelectors: [sel("owner()")] }], ZERO, "0x"),
    )
      .to.be.revertedWithCustomError(d.cut, "RemoveFacetAddressMustBeZero")
      .withArgs(facet);
  });

  it("Remove of a missing selector reverts CannotRemoveFunctionThatDoesNotExist", async () => {
    const { d } = await networkHelpers.loadFixture(deployDiamond);
    await expect(
      d.cut.diamondCut([{ facetAddress: ZERO, action: Remove, functionSelectors: [sel("ping()")] }], ZERO, "0x"),
    )
      .to.be.revertedWithCustomError(d.cut, "CannotRemoveFunctionThatDoesNotExist")
      .withArgs(sel("ping()"));
  });

  it("Remove unroutes the selector: calling it then reverts FunctionNotFound", async () => {
    const { d, diamond, facetA } = await networkHelpers.loadFixture(deployDiamond);
    await d.cut.diamondCut(
      [{ facetAddress: await facetA.getAddress(), action: Add, functionSelectors: [sel("ping()")] }],
      ZERO,
      "0x",
    );
    await d.cut.diamondCut([{ facetAddress: ZERO, action: Remove, functionSelectors: [sel("ping()")] }], ZERO, "0x");
    await expect(d.facetA.ping()).to.be.revertedWithCustomError(diamond, "FunctionNotFound").withArgs(sel("ping()"));
  });

  it("an immutable function (facet = the diamond) cannot be replaced", async () => {
    const { d, addr, facetB } = await networkHelpers.loadFixture(deployImmutableDiamond);
    const s = sel("immutableVersion()");
    expect(await d.loupe.facetAddress(s)).to.equal(addr);
    expect(await d.immutable.immutableVersion()).to.equal(1n);
    await expect(
      d.cut.diamondCut(
        [{ facetAddress: await facetB.getAddress(), action: Replace, functionSelectors: [s] }],
        ZERO,
        "0x",
      ),
    )
      .to.be.revertedWithCustomError(d.cut, "CannotReplaceImmutableFunction")
      .withArgs(s);
  });

  it("an immutable function (facet = the diamond) cannot be removed", async () => {
    const { d, addr } = await networkHelpers.loadFixture(deployImmutableDiamond);
    const s = sel("immutableVersion()");
    await expect(d.cut.diamondCut([{ facetAddress: ZERO, action: Remove, functionSelectors: [s] }], ZERO, "0x"))
      .to.be.revertedWithCustomError(d.cut, "CannotRemoveImmutableFunction")
      .withArgs(s);
    expect(await d.loupe.facetAddress(s)).to.equal(addr);
  });

  it("an init revert bubbles up unchanged and undoes the whole cut", async () => {
    const { d, facetA, testInit } = await networkHelpers.loadFixture(deployDiamond);
    const calldata = testInit.interface.encodeFunctionData("failWithError", [42]);
    await expect(
      d.cut.diamondCut(
        [{ facetAddress: await facetA.getAddress(), action: Add, functionSelectors: [sel("ping()")] }],
        await testInit.getAddress(),
        calldata,
      ),
    )
      .to.be.revertedWithCustomError(testInit, "InitFailed")
      .withArgs(42n);
    expect(await d.loupe.facetAddress(sel("ping()"))).to.equal(ZERO);
  });

  it("an init revert without data reverts InitializationFunctionReverted(init, calldata)", async () => {
    const { d, testInit } = await networkHelpers.loadFixture(deployDiamond);
    const initAddr = await testInit.getAddress();
    const calldata = testInit.interface.encodeFunctionData("failWithoutData");
    await expect(d.cut.diamondCut([], initAddr, calldata))
      .to.be.revertedWithCustomError(d.cut, "InitializationFunctionReverted")
      .withArgs(initAddr, calldata);
  });

  it("an init address without code reverts NoBytecodeAtAddress", async () => {
    const { d, other } = await networkHelpers.loadFixture(deployDiamond);
    await expect(d.cut.diamondCut([], other.address, "0x12345678"))
      .to.be.revertedWithCustomError(d.cut, "NoBytecodeAtAddress")
      .withArgs(other.address);
  });

  it("only the owner can cut (NotContractOwner(user, owner))", async () => {
    const { d, facetA, owner, other } = await networkHelpers.loadFixture(deployDiamond);
    await expect(
      by(d.cut, other).diamondCut(
        [{ facetAddress: await facetA.getAddress(), action: Add, functionSelectors: [sel("ping()")] }],
        ZERO,
        "0x",
      ),
    )
      .to.be.revertedWithCustomError(d.cut, "NotContractOwner")
      .withArgs(other.address, owner.address);
  });

  it("unknown selectors and plain ETH transfers revert FunctionNotFound", async () => {
    const { d, diamond, addr, owner } = await networkHelpers.loadFixture(deployDiamond);
    await expect(d.facetA.ping()).to.be.revertedWithCustomError(diamond, "FunctionNotFound").withArgs(sel("ping()"));
    await expect(owner.sendTransaction({ to: addr, value: 1n }))
      .to.be.revertedWithCustomError(diamond, "FunctionNotFound")
      .withArgs("0x00000000");
  });
});

describe("OrderBookDiamond: loupe and ERC-165", () => {
  it("after deployment the loupe lists exactly the constructor's cuts", async () => {
    const { d, cuts } = await networkHelpers.loadFixture(deployDiamond);
    const facets = await expectLoupeConsistent(d.loupe);
    expect([...facets.entries()]).to.deep.equal(cuts.map((c) => [c.facetAddress, c.functionSelectors]));
  });

  it("stays consistent through add, replace and remove, and drops a facet when its last selector goes", async () => {
    const { d, facetA, facetB, ownershipFacet, loupeFacet, cuts } = await networkHelpers.loadFixture(deployDiamond);
    const [a, b] = [await facetA.getAddress(), await facetB.getAddress()];
    const [ping, pong] = [sel("ping()"), sel("pong()")];

    await d.cut.diamondCut([{ facetAddress: a, action: Add, functionSelectors: [ping, pong] }], ZERO, "0x");
    let facets = await expectLoupeConsistent(d.loupe);
    expect(facets.get(a)).to.deep.equal([ping, pong]);

    await d.cut.diamondCut([{ facetAddress: b, action: Replace, functionSelectors: [ping] }], ZERO, "0x");
    facets = await expectLoupeConsistent(d.loupe);
    expect(facets.get(a)).to.deep.equal([pong]);
    expect(facets.get(b)).to.deep.equal([ping]);
    expect(await d.loupe.facetAddress(ping)).to.equal(b);

    await d.cut.diamondCut([{ facetAddress: ZERO, action: Remove, functionSelectors: [pong] }], ZERO, "0x");
    facets = await expectLoupeConsistent(d.loupe);
    expect(facets.has(a)).to.equal(false);
    expect(await d.loupe.facetAddresses()).to.not.include(a);
    expect(await d.loupe.facetFunctionSelectors(a)).to.deep.equal([]);
    expect(await d.loupe.facetAddress(pong)).to.equal(ZERO);

    // a facet in the middle of the list goes away: the last facet is swapped into its place
    const ownership = await ownershipFacet.getAddress();
    const ownershipSelectors = cuts.find((c) => c.facetAddress === ownership)!.functionSelectors;
    await d.cut.diamondCut([{ facetAddress: ZERO, action: Remove, functionSelectors: ownershipSelectors }], ZERO, "0x");
    facets = await expectLoupeConsistent(d.loupe);
    expect(facets.has(ownership)).to.equal(false);
    expect(facets.get(b)).to.deep.equal([ping]);
    expect(facets.get(await loupeFacet.getAddress())).to.deep.equal(selectorsFrom(loupeFacet));
    expect(facets.size).to.equal(cuts.length); // 5 standard - ownership + B
  });

  it("supportsInterface: IERC165, IDiamondCut, IDiamondLoupe, IERC173 only", async () => {
    const { d } = await networkHelpers.loadFixture(deployDiamond);
    for (const id of ["0x01ffc9a7", "0x1f931c1c", "0x48e2b093", "0x7f5828d0"]) {
      expect(await d.loupe.supportsInterface(id), id).to.equal(true);
    }
    expect(await d.loupe.supportsInterface("0xffffffff")).to.equal(false);
    expect(await d.loupe.supportsInterface("0x12345678")).to.equal(false);
  });
});

describe("OrderBookDiamond: ownership (ERC-173)", () => {
  it("the constructor sets the owner and emits OwnershipTransferred(0, owner)", async () => {
    const { d, diamond, owner } = await networkHelpers.loadFixture(deployDiamond);
    expect(await d.ownership.owner()).to.equal(owner.address);
    await expect(diamond.deploymentTransaction())
      .to.emit(d.ownership, "OwnershipTransferred")
      .withArgs(ZERO, owner.address);
  });

  it("transferOwnership moves the right to cut", async () => {
    const { d, owner, alice, facetA } = await networkHelpers.loadFixture(deployDiamond);
    await expect(d.ownership.transferOwnership(alice.address))
      .to.emit(d.ownership, "OwnershipTransferred")
      .withArgs(owner.address, alice.address);
    expect(await d.ownership.owner()).to.equal(alice.address);
    const cut = [{ facetAddress: await facetA.getAddress(), action: Add, functionSelectors: [sel("ping()")] }];
    await expect(by(d.cut, owner).diamondCut(cut, ZERO, "0x"))
      .to.be.revertedWithCustomError(d.cut, "NotContractOwner")
      .withArgs(owner.address, alice.address);
    await by(d.cut, alice).diamondCut(cut, ZERO, "0x");
    expect(await d.facetA.ping()).to.equal(1n);
  });

  it("a non-owner cannot transfer ownership", async () => {
    const { d, owner, other } = await networkHelpers.loadFixture(deployDiamond);
    await expect(by(d.ownership, other).transferOwnership(other.address))
      .to.be.revertedWithCustomError(d.ownership, "NotContractOwner")
      .withArgs(other.address, owner.address);
  });
});

describe("OrderBook: initialization and vault wiring", () => {
  it("obInitialize stores vault, market id and the first order id", async () => {
    const { d, diamond, vault, init } = await networkHelpers.loadFixture(deployDiamond);
    expect(await d.view.vault()).to.equal(await vault.getAddress());
    expect(await d.view.marketId()).to.equal(MARKET);
    expect(await d.view.nextOrderId()).to.equal(1n);
    await expect(diamond.deploymentTransaction())
      .to.emit(init.attach(await diamond.getAddress()), "OrderBookInitialized")
      .withArgs(await vault.getAddress(), MARKET);
  });

  it("obInitialize runs only once: a second run through a cut reverts AlreadyInitialized", async () => {
    const { d, init, vault, vault2 } = await networkHelpers.loadFixture(deployDiamond);
    const again = init.interface.encodeFunctionData("obInitialize", [await vault2.getAddress(), ethers.id("OTHER")]);
    await expect(d.cut.diamondCut([], await init.getAddress(), again)).to.be.revertedWithCustomError(
      init,
      "AlreadyInitialized",
    );
    expect(await d.view.vault()).to.equal(await vault.getAddress());
    expect(await d.view.marketId()).to.equal(MARKET);
  });

  it("obInitialize rejects the zero vault", async () => {
    const { owner, cuts, init } = await networkHelpers.loadFixture(deployFacets);
    const data = init.interface.encodeFunctionData("obInitialize", [ZERO, MARKET]);
    await expect(
      ethers.deployContract("OrderBookDiamond", [owner.address, cuts, await init.getAddress(), data]),
    ).to.be.revertedWithCustomError(init, "ZeroVaultAddress");
  });

  it("without the VaultAdminFacet the vault cannot be changed: no standard facet has a setter", async () => {
    const { d, diamond, standardFacets, vault, vault2 } = await networkHelpers.loadFixture(deployDiamond);
    const setVault = sel("setVault(address)");
    for (const f of standardFacets) {
      expect(selectorsFrom(f)).to.not.include(setVault);
      const writers = f.interface.fragments.filter(
        (x) => FunctionFragment.isFragment(x) && /vault/i.test(x.name) && !x.constant,
      );
      expect(writers, "a non-view vault function").to.deep.equal([]);
    }
    expect(await d.loupe.facetAddress(setVault)).to.equal(ZERO);
    await expect(d.vaultAdmin.setVault(await vault2.getAddress()))
      .to.be.revertedWithCustomError(diamond, "FunctionNotFound")
      .withArgs(setVault);
    expect(await d.view.vault()).to.equal(await vault.getAddress());
  });

  it("VaultAdminFacet cut + init sets the vault in one transaction and emits VaultUpdated(old, new)", async () => {
    const { d, addr, vaultAdminFacet, vault, vault2, alice } = await networkHelpers.loadFixture(deployDiamond);
    const [oldVault, newVault, adminFacet] = [
      await vault.getAddress(),
      await vault2.getAddress(),
      await vaultAdminFacet.getAddress(),
    ];
    const calldata = vaultAdminFacet.interface.encodeFunctionData("setVault", [newVault]);
    const tx = d.cut.diamondCut(
      [{ facetAddress: adminFacet, action: Add, functionSelectors: selectorsFrom(vaultAdminFacet) }],
      adminFacet,
      calldata,
    );
    await expect(tx).to.emit(d.vaultAdmin, "VaultUpdated").withArgs(oldVault, newVault);
    expect(await d.view.vault()).to.equal(newVault);
    expect(await d.loupe.facetAddress(sel("setVault(address)"))).to.equal(adminFacet);

    // trading now talks to the new vault only
    const order = by(d.trading, alice).placeOrder(true, e6(2000), e18(1));
    await expect(order).to.emit(vault2, "LockMarginCalled").withArgs(addr, alice.address, MARKET, e6(200));
    await expect(order).to.not.emit(vault, "LockMarginCalled");
  });

  it("setVault by a non-owner reverts NotContractOwner", async () => {
    const { d, vaultAdminFacet, vault, vault2, owner, other } = await networkHelpers.loadFixture(deployDiamond);
    const adminFacet = await vaultAdminFacet.getAddress();
    await d.cut.diamondCut(
      [{ facetAddress: adminFacet, action: Add, functionSelectors: selectorsFrom(vaultAdminFacet) }],
      ZERO,
      "0x",
    );
    await expect(by(d.vaultAdmin, other).setVault(await vault2.getAddress()))
      .to.be.revertedWithCustomError(d.vaultAdmin, "NotContractOwner")
      .withArgs(other.address, owner.address);
    expect(await d.view.vault()).to.equal(await vault.getAddress());
  });

  it("setVault rejects the zero address", async () => {
    const { d, vaultAdminFacet } = await networkHelpers.loadFixture(deployDiamond);
    const adminFacet = await vaultAdminFacet.getAddress();
    await d.cut.diamondCut(
      [{ facetAddress: adminFacet, action: Add, functionSelectors: selectorsFrom(vaultAdminFacet) }],
      ZERO,
      "0x",
    );
    await expect(d.vaultAdmin.setVault(ZERO)).to.be.revertedWithCustomError(d.vaultAdmin, "ZeroVaultAddress");
  });

  it("an uninitialized book rejects setVault and trading with NotInitialized", async () => {
    const { d, vaultAdminFacet, vault2, alice } = await networkHelpers.loadFixture(deployUninitializedDiamond);
    const adminFacet = await vaultAdminFacet.getAddress();
    const calldata = vaultAdminFacet.interface.encodeFunctionData("setVault", [await vault2.getAddress()]);
    await expect(
      d.cut.diamondCut(
        [{ facetAddress: adminFacet, action: Add, functionSelectors: selectorsFrom(vaultAdminFacet) }],
        adminFacet,
        calldata,
      ),
    ).to.be.revertedWithCustomError(d.vaultAdmin, "NotInitialized");
    await expect(by(d.trading, alice).placeOrder(true, e6(2000), e18(1))).to.be.revertedWithCustomError(
      d.trading,
      "NotInitialized",
    );
  });
});

describe("OrderBookTradingFacet: calls into the vault", () => {
  it("placeOrder locks 10% of the notional and stores the order", async () => {
    const { d, addr, vault, alice } = await networkHelpers.loadFixture(deployDiamond);
    expect(await d.trading.INITIAL_MARGIN_BPS()).to.equal(1000n);
    expect(await by(d.trading, alice).placeOrder.staticCall(true, e6(2000), e18(1.5))).to.equal(1n);
    const tx = by(d.trading, alice).placeOrder(true, e6(2000), e18(1.5)); // notional 3000 USDC
    await expect(tx).to.emit(vault, "LockMarginCalled").withArgs(addr, alice.address, MARKET, e6(300));
    await expect(tx).to.emit(d.trading, "OrderPlaced").withArgs(1n, alice.address, true, e6(2000), e18(1.5), e6(300));
    const o = await d.view.getOrder(1n);
    expect([o.id, o.trader, o.isBuy, o.price, o.remainingSize, o.active]).to.deep.equal([
      1n,
      alice.address,
      true,
      e6(2000),
      e18(1.5),
      true,
    ]);
    expect(await d.view.nextOrderId()).to.equal(2n);
  });

  it("placeOrder rejects an order whose margin rounds to zero", async () => {
    const { d, alice } = await networkHelpers.loadFixture(deployDiamond);
    await expect(by(d.trading, alice).placeOrder(true, e6(2000), 0n))
      .to.be.revertedWithCustomError(d.trading, "OrderTooSmall")
      .withArgs(e6(2000), 0n);
    await expect(by(d.trading, alice).placeOrder(false, 1n, 1n)).to.be.revertedWithCustomError(
      d.trading,
      "OrderTooSmall",
    );
  });

  it("cancelOrder: only the trader, releases the margin of the remaining size, once", async () => {
    const { d, addr, vault, alice, other } = await networkHelpers.loadFixture(deployDiamond);
    await by(d.trading, alice).placeOrder(false, e6(1000), e18(2));
    await expect(by(d.trading, other).cancelOrder(1n))
      .to.be.revertedWithCustomError(d.trading, "NotOrderTrader")
      .withArgs(1n, other.address);
    const tx = by(d.trading, alice).cancelOrder(1n);
    await expect(tx).to.emit(vault, "ReleaseMarginCalled").withArgs(addr, alice.address, MARKET, e6(200));
    await expect(tx).to.emit(d.trading, "OrderCancelled").withArgs(1n, alice.address, e18(2), e6(200));
    expect((await d.view.getOrder(1n)).active).to.equal(false);
    await expect(by(d.trading, alice).cancelOrder(1n))
      .to.be.revertedWithCustomError(d.trading, "OrderNotActive")
      .withArgs(1n);
  });

  it("matchOrders fills min size at the sell price, updates both positions and releases the buyer's excess margin", async () => {
    const { d, addr, vault, alice, bob, keeper } = await networkHelpers.loadFixture(deployDiamond);
    await by(d.trading, alice).placeOrder(true, e6(2100), e18(2)); // locks 420
    await by(d.trading, bob).placeOrder(false, e6(2000), e18(1.5)); // locks 300
    const tx = by(d.trading, keeper).matchOrders(1n, 2n);
    await expect(tx).to.emit(vault, "UpdatePositionCalled").withArgs(addr, alice.address, MARKET, e18(1.5), e6(2000));
    await expect(tx).to.emit(vault, "UpdatePositionCalled").withArgs(addr, bob.address, MARKET, -e18(1.5), e6(2000));
    // buyer locked 315 for the filled 1.5 at 2100; the position needs 300 at 2000
    await expect(tx).to.emit(vault, "ReleaseMarginCalled").withArgs(addr, alice.address, MARKET, e6(15));
    await expect(tx).to.emit(d.trading, "OrderMatched").withArgs(1n, 2n, e6(2000), e18(1.5));

    const [buy, sell] = [await d.view.getOrder(1n), await d.view.getOrder(2n)];
    expect([buy.remainingSize, buy.active]).to.deep.equal([e18(0.5), true]);
    expect([sell.remainingSize, sell.active]).to.deep.equal([0n, false]);
    // the rest of the buy order still holds 0.5 * 2100 * 10% = 105: 300 + 15 + 105 = 420 locked in total
    await expect(by(d.trading, alice).cancelOrder(1n))
      .to.emit(vault, "ReleaseMarginCalled")
      .withArgs(addr, alice.address, MARKET, e6(105));
  });

  it("matchOrders at equal prices releases nothing", async () => {
    const { d, vault, alice, bob, keeper } = await networkHelpers.loadFixture(deployDiamond);
    await by(d.trading, alice).placeOrder(true, e6(2000), e18(1));
    await by(d.trading, bob).placeOrder(false, e6(2000), e18(1));
    const tx = by(d.trading, keeper).matchOrders(1n, 2n);
    await expect(tx).to.emit(d.trading, "OrderMatched").withArgs(1n, 2n, e6(2000), e18(1));
    await expect(tx).to.not.emit(vault, "ReleaseMarginCalled");
    expect((await d.view.getOrder(1n)).active).to.equal(false);
  });

  it("matchOrders rejects uncrossed prices, wrong sides and inactive orders", async () => {
    const { d, alice, bob } = await networkHelpers.loadFixture(deployDiamond);
    await by(d.trading, alice).placeOrder(true, e6(1900), e18(1)); // 1
    await by(d.trading, bob).placeOrder(false, e6(2000), e18(1)); // 2
    await by(d.trading, bob).placeOrder(false, e6(1800), e18(1)); // 3
    await expect(d.trading.matchOrders(1n, 2n))
      .to.be.revertedWithCustomError(d.trading, "PricesDoNotCross")
      .withArgs(e6(1900), e6(2000));
    await expect(d.trading.matchOrders(3n, 1n)).to.be.revertedWithCustomError(d.trading, "WrongSides").withArgs(3n, 1n);
    await expect(d.trading.matchOrders(1n, 99n))
      .to.be.revertedWithCustomError(d.trading, "OrderNotActive")
      .withArgs(99n);
    await by(d.trading, bob).cancelOrder(3n);
    await expect(d.trading.matchOrders(1n, 3n)).to.be.revertedWithCustomError(d.trading, "OrderNotActive").withArgs(3n);
  });

  it("liquidate forwards (trader, marketId, liquidator = caller) to the vault", async () => {
    const { d, addr, vault, alice, keeper } = await networkHelpers.loadFixture(deployDiamond);
    const tx = by(d.trading, keeper).liquidate(alice.address);
    await expect(tx).to.emit(vault, "LiquidationCalled").withArgs(addr, alice.address, MARKET, keeper.address);
    await expect(tx).to.emit(d.trading, "LiquidationTriggered").withArgs(alice.address, keeper.address);
  });
});
