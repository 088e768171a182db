// Checks on the markets and their OrderBooks (mapping, registry, stored vault, facets), and on the factory and hub
// pointers to the vault.
import { getAddress } from "ethers";
import { compareRuntime } from "./bytecode.js";
import { namer, result, same, short, type Check, type Failure } from "./checks-core.js";

export const MARKET_CHECKS: Check[] = [
  {
    name: "markets.mapping",
    title: "marketId -> OrderBook on the new vault is the plan's for every market",
    run({ desired, observed }) {
      const failures: Failure[] = [];
      for (const market of desired.markets) {
        const subject = `market ${market.symbol} (${market.marketId.slice(0, 10)}…)`;
        const found = observed.mapping[market.marketId];
        if (!same(found, market.orderBook)) {
          failures.push({
            subject,
            expected: `marketToOrderBook = ${market.orderBook}`,
            found: found ?? "(the call reverted)",
            fix: `newVault.assignMarketToOrderBook(${market.marketId}, ${market.orderBook}) from the admin or FACTORY_ROLE`,
          });
        }
        const served = observed.orderBooks[market.orderBook]?.marketId;
        if (served !== undefined && served.toLowerCase() !== market.marketId.toLowerCase()) {
          failures.push({
            subject,
            expected: `OrderBook ${market.orderBook} serves this market`,
            found: `it serves ${served}`,
            fix: "map the market to the OrderBook that serves it (assignMarketToOrderBook)",
          });
        }
      }
      return result(
        failures,
        `${desired.markets.length - new Set(failures.map((f) => f.subject)).size}/${desired.markets.length} markets map to the plan's OrderBook`,
      );
    },
  },
  {
    name: "orderbooks.registered",
    title: "every OrderBook the plan registered is registered on the new vault",
    run({ desired, observed, files }) {
      const name = namer(desired, files.records);
      const registered = new Set(observed.newVault.registered.map((a) => a.toLowerCase()));
      const failures = desired.registered
        .filter((book) => !registered.has(book.toLowerCase()))
        .map((book) => ({
          subject: name(book),
          expected: "registered",
          found: "not in getRegisteredOrderBooks()",
          fix: `newVault.registerOrderBook(${book}) from the admin or FACTORY_ROLE`,
        }));
      return result(
        failures,
        `${desired.registered.length - failures.length}/${desired.registered.length} registered (${observed.newVault.registered.length} in the registry)`,
      );
    },
  },
  {
    name: "orderbooks.vault",
    title: "every OrderBook's stored vault is the new vault",
    run({ desired, observed }) {
      const failures: Failure[] = [];
      for (const market of desired.markets) {
        const stored = observed.orderBooks[market.orderBook]?.vault;
        if (same(stored, desired.newVault)) continue;
        failures.push({
          subject: `OrderBook ${market.symbol} ${market.orderBook}`,
          expected: `vault() = new CoreVault ${desired.newVault}`,
          found:
            stored === undefined
              ? "vault() reverted"
              : same(stored, desired.oldVault)
                ? `the OLD vault ${stored}`
                : stored,
          fix: `orderbook:rewire --orderbooks ${market.orderBook} (its owner cuts in the vault-admin facet and calls setVault)`,
        });
      }
      const books = desired.markets.length;
      return result(failures, `${books - failures.length}/${books} OrderBooks call ${short(desired.newVault)}`);
    },
  },
  {
    name: "orderbooks.facets",
    title: "every OrderBook runs only known facets, and each facet's code is its compiled artifact",
    run({ desired, observed, artifacts }) {
      const known = new Map(desired.knownFacets.map((f) => [f.address.toLowerCase(), f.name]));
      const failures: Failure[] = [];
      const inUse = new Map<string, string[]>();
      for (const market of desired.markets) {
        const facets = observed.orderBooks[market.orderBook]?.facets;
        if (!facets) {
          failures.push({
            subject: `OrderBook ${market.symbol} ${market.orderBook}`,
            expected: "a diamond answering facetAddresses()",
            found: "the call reverted",
            fix: "check the address: it is not an EIP-2535 OrderBook",
          });
          continue;
        }
        for (const facet of facets) {
          if (!inUse.has(facet.toLowerCase())) inUse.set(facet.toLowerCase(), []);
          inUse.get(facet.toLowerCase())!.push(market.symbol);
        }
      }
      for (const [facet, books] of inUse) {
        const where = `${books.length} OrderBook(s): ${books.slice(0, 3).join(", ")}${books.length > 3 ? ", …" : ""}`;
        const address = getAddress(facet);
        const name = known.get(facet);
        if (!name) {
          failures.push({
            subject: `facet ${address} in ${where}`,
            expected: "a facet of the factory template or one the cutover deployed",
            found: "an unknown facet",
            fix: "find who cut it in (DiamondCut events); remove it with diamondCut, or record it if it is meant to be there",
          });
          continue;
        }
        const artifact = artifacts[name];
        const code = observed.facetCode[address] ?? "0x";
        const comparison = artifact ? compareRuntime(code, artifact) : undefined;
        if (comparison?.match) continue;
        failures.push({
          subject: `${name} ${address} in ${where}`,
          expected: artifact
            ? `the runtime code of artifact ${name} (keccak ${comparison!.expectedHash.slice(0, 18)}…)`
            : `an artifact named ${name}`,
          found: comparison
            ? `code hash ${comparison.liveHash.slice(0, 18)}…: ${comparison.reason}`
            : "no artifact to compare with",
          fix: `the facet is not the code the plan was made with: deploy ${name} again and cut it in (orderbook:rewire --allow-takeover), then find out how the code changed`,
        });
      }
      return result(
        failures,
        `${desired.markets.length} OrderBooks run ${inUse.size} distinct facets; ${desired.knownFacets.length} known facets (template and cutover)`,
      );
    },
  },
  ...(["factory", "hub"] as const).map((kind): Check => ({
    name: `${kind}.vault`,
    title:
      kind === "factory"
        ? "the factory points at the new vault (or the new factory is recorded and does)"
        : "the CollateralHub points at the new vault",
    run({ desired, observed, files }) {
      const pointer = desired.pointers.find((p) => p.kind === kind);
      if (!pointer) return result([], `no ${kind} in the plan`, true);
      const failures: Failure[] = [];
      const inCode = observed.withoutGetter.pointerInCode[pointer.address];
      // an immutable pointer without a getter is read from the runtime code, where the immutable is
      const found = inCode ? pointer.vault : observed.pointers[pointer.address];
      const label = `${pointer.deployedByCutover ? "new " : ""}${pointer.contract} ${pointer.address}`;
      if (!same(found, pointer.vault)) {
        failures.push({
          subject: label,
          expected: `vault() = ${pointer.vault}`,
          found: found ?? (inCode === false ? "not among its code's words (no getter)" : "vault() reverted"),
          fix: pointer.deployedByCutover
            ? "the new factory's vault is fixed at deployment: redeploy it for the new vault"
            : `${pointer.address}.setVault(${pointer.vault}) from its admin`,
        });
      }
      const recorded = files.records.contracts.FUTURES_MARKET_FACTORY;
      if (kind === "factory" && pointer.deployedByCutover && !same(recorded, pointer.address)) {
        failures.push({
          subject: "FUTURES_MARKET_FACTORY in the records",
          expected: pointer.address,
          found: recorded ?? "(absent)",
          fix: "run corevault:redeploy again to write its records (future markets must use the new factory)",
        });
      }
      return result(
        failures,
        `${label}: ${inCode === undefined ? "vault()" : "vault (immutable in its code, no getter)"} = ${found ?? "?"}${pointer.deployedByCutover ? `, recorded as FUTURES_MARKET_FACTORY: ${same(recorded, pointer.address)}` : ""}`,
      );
    },
  })),
];
