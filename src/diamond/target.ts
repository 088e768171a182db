// Observing a facet plan's target: what it is (ManifestDispatcher or timelock-owned diamond), its loupe and live
// routes, the names of its live facets, the facts a run pins (drift), and how far a change has got on it.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { getAddress, keccak256, toUtf8Bytes, ZeroHash } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { Reader } from "../engine/reader.js";
import { networkDir } from "../records/records.js";
import { getTimestampCall, operationState } from "../timelock/operation.js";
import { exists } from "../util/fs.js";
import type { ChangeContext } from "./change.js";
import type { LiveFacet } from "./cut.js";
import {
  detectProfile,
  namedRead,
  pendingEta,
  profileRead,
  type DispatcherProfile,
  type DispatcherProfileName,
} from "./dispatcher-profile.js";
import { routeDifferences, type LiveFacetView, type OwnerKind, type TargetKind } from "./facet-plan-format.js";
import { selectorsOf } from "./selectors.js";

export interface TargetState {
  kind: TargetKind;
  live: LiveFacet[];
  /** Dispatcher. */
  profile?: DispatcherProfile;
  activeRoot?: string;
  activeEpoch?: number;
  pendingRoot?: string;
  pendingEpoch?: number;
  earliestActivation?: number;
  activationDelay?: number;
  frozen?: boolean;
  /** Diamond. ownerKind undefined: a contract that is neither a TimelockController nor a Safe. */
  owner?: string;
  ownerKind?: OwnerKind;
  timelockDelay?: number;
}

const loupeOf = (kind: TargetKind) => (kind === "dispatcher" ? "IDispatcherLoupe" : "DiamondLoupeFacet");

export async function readLoupe(reader: Reader, target: string, kind: TargetKind): Promise<LiveFacet[]> {
  const read = { to: target, contract: loupeOf(kind), fn: "facets", args: [] };
  const facets = (await namedRead(reader, read, `the ${kind}`, "EIP-2535 loupe, facets()")) as [string, string[]][];
  return facets.map(([facetAddress, selectors]) => ({
    facetAddress: getAddress(facetAddress),
    functionSelectors: selectors.map((s) => s.toLowerCase()),
  }));
}

/** What the target is (dispatcher or diamond) and its state at the reader's block; undefined when it is neither. */
export async function observeTarget(
  reader: Reader,
  target: string,
  configured?: DispatcherProfileName,
): Promise<TargetState | undefined> {
  const profile = await detectProfile(reader, target, configured);
  if (profile) {
    const d = (entry: Parameters<typeof profileRead>[3]) => profileRead(reader, profile, target, entry);
    const [activeRoot, activeEpoch, pendingRoot, pendingEpoch, activationDelay, frozen] = await Promise.all(
      (["activeRoot", "activeEpoch", "pendingRoot", "pendingEpoch", "activationDelay", "frozen"] as const).map(d),
    );
    return {
      kind: "dispatcher",
      profile,
      live: await readLoupe(reader, target, "dispatcher"),
      activeRoot: activeRoot as string,
      activeEpoch: Number(activeEpoch),
      pendingRoot: pendingRoot as string,
      pendingEpoch: Number(pendingEpoch),
      // Read even with nothing pending: a profile that does not fit the target fails here, before anything is sent.
      earliestActivation: await pendingEta(reader, profile, target).then((eta) => (pendingRoot === ZeroHash ? 0 : eta)),
      activationDelay: Number(activationDelay),
      frozen: frozen as boolean,
    };
  }
  const owner = (await reader.tryCall({ to: target, contract: "OwnershipFacet", fn: "owner", args: [] })) as
    string | undefined;
  if (owner === undefined) return undefined;
  const live = await readLoupe(reader, target, "diamond").catch(() => undefined);
  if (!live) return undefined;
  const delay = await reader.tryCall({ to: owner, contract: "Timelock", fn: "getMinDelay", args: [] });
  const threshold = await reader.tryCall({ to: owner, contract: "ISafe", fn: "getThreshold", args: [] });
  const ownerKind: OwnerKind | undefined =
    delay !== undefined
      ? "timelock"
      : threshold !== undefined
        ? "safe"
        : !(await reader.hasCode(owner))
          ? "eoa"
          : undefined;
  return {
    kind: "diamond",
    live,
    owner: getAddress(owner),
    ownerKind,
    timelockDelay: delay === undefined ? undefined : Number(delay),
  };
}

function routesDigest(live: LiveFacet[]): string {
  const routes = live
    .flatMap((f) => f.functionSelectors.map((s) => `${s.toLowerCase()}:${f.facetAddress.toLowerCase()}`))
    .sort();
  return keccak256(toUtf8Bytes(routes.join(",")));
}

export async function codehashAt(
  reader: Reader,
  address: string,
): Promise<{ codehash: string; size: number } | undefined> {
  const code = await reader.code(address);
  return code === "0x" ? undefined : { codehash: keccak256(code), size: (code.length - 2) / 2 };
}

/**
 * Names and signatures of live facets: from deployments/<network>/ records (also superseded ones kept under
 * .cutover/) when one has the facet's address, else from a compiled artifact whose runtime code hash matches.
 */
export async function identifyFacets(
  hre: HardhatRuntimeEnvironment,
  network: string,
  facets: { address: string; codehash: string }[],
): Promise<Map<string, { name: string; abi: unknown[] }>> {
  const found = new Map<string, { name: string; abi: unknown[] }>();
  const wanted = new Set(facets.map((f) => f.address.toLowerCase()));
  const dir = networkDir(hre.config.paths.root, network);
  const files = (await exists(dir)) ? (await readdir(dir, { recursive: true })).filter((f) => f.endsWith(".json")) : [];
  for (const file of files.sort()) {
    const record = JSON.parse(await readFile(path.join(dir, file), "utf8").catch(() => "{}")) as {
      address?: string;
      abi?: unknown[];
    };
    if (typeof record.address === "string" && Array.isArray(record.abi) && wanted.has(record.address.toLowerCase())) {
      found.set(record.address.toLowerCase(), { name: path.basename(file, ".json"), abi: record.abi });
    }
  }
  const unknown = facets.filter((f) => !found.has(f.address.toLowerCase()));
  if (unknown.length === 0) return found;
  const byHash = new Map<string, { name: string; abi: unknown[] }>();
  for (const name of [...(await hre.artifacts.getAllFullyQualifiedNames())].sort()) {
    const artifact = await hre.artifacts.readArtifact(name);
    if (artifact.deployedBytecode.length > 2 && Object.keys(artifact.deployedLinkReferences ?? {}).length === 0) {
      byHash.set(keccak256(artifact.deployedBytecode), { name: artifact.contractName, abi: artifact.abi as unknown[] });
    }
  }
  for (const facet of unknown) {
    const match = byHash.get(facet.codehash);
    if (match) found.set(facet.address.toLowerCase(), match);
  }
  return found;
}

/** The live facets as the plan sees them: address, name and signatures where known, EXTCODEHASH now. */
export async function liveFacetViews(
  hre: HardhatRuntimeEnvironment,
  network: string,
  reader: Reader,
  live: LiveFacet[],
): Promise<LiveFacetView[]> {
  const liveCode = new Map<string, string>();
  for (const f of live)
    liveCode.set(f.facetAddress.toLowerCase(), (await codehashAt(reader, f.facetAddress))?.codehash ?? ZeroHash);
  const identified = await identifyFacets(
    hre,
    network,
    live.map((f) => ({ address: f.facetAddress, codehash: liveCode.get(f.facetAddress.toLowerCase())! })),
  );
  return live.map((f) => {
    const id = identified.get(f.facetAddress.toLowerCase());
    const signatures = new Map(id ? selectorsOf(id.abi as never).map((s) => [s.selector, s.signature]) : []);
    return {
      address: f.facetAddress,
      ...(id ? { name: id.name } : {}),
      codehash: liveCode.get(f.facetAddress.toLowerCase())!,
      selectors: f.functionSelectors.map((selector) =>
        signatures.has(selector) ? { selector, signature: signatures.get(selector)! } : { selector },
      ),
    };
  });
}

// ------------------------------------------------------------------------------------------------ a change's state

export type ChangeState =
  | { state: "applied" }
  | { state: "staged"; eta: number; now: number }
  | { state: "unstaged" }
  /** Nothing to stage (a removal-only change on a dispatcher): apply right away. */
  | { state: "no staging needed" }
  /** Its timelock operation was executed, but the loupe does not show its routes (rolled back or changed since). */
  | { state: "spent" };

export async function changeState(reader: Reader, ctx: ChangeContext): Promise<ChangeState> {
  const now = (await reader.provider.getBlock(reader.block))!.timestamp;
  const { change, plan } = ctx;
  if (ctx.timelock) {
    const operation = operationState(
      (await namedRead(
        reader,
        getTimestampCall(ctx.timelock.address, ctx.timelock.operationId),
        "the diamond's timelock",
        "TimelockController getTimestamp(bytes32)",
      )) as bigint,
    );
    if (operation.state === "done") {
      const live = await readLoupe(reader, plan.target, plan.kind);
      return routeDifferences(change.after, live).length === 0 ? { state: "applied" } : { state: "spent" };
    }
    return operation.state === "unset" ? { state: "unstaged" } : { state: "staged", eta: operation.eta, now };
  }
  const routesDone = routeDifferences(change.after, await readLoupe(reader, plan.target, plan.kind)).length === 0;
  // A diamond its owner cuts directly, or a removal-only change on a dispatcher: nothing to stage.
  if (ctx.direct || change.root === null) return routesDone ? { state: "applied" } : { state: "no staging needed" };
  const profile = ctx.profile!;
  const d = (entry: Parameters<typeof profileRead>[3]) => profileRead(reader, profile, plan.target, entry);
  const [activeRoot, activeEpoch, pendingRoot, pendingEpoch] = await Promise.all(
    (["activeRoot", "activeEpoch", "pendingRoot", "pendingEpoch"] as const).map(d),
  );
  const eta = await pendingEta(reader, profile, plan.target);
  if (activeRoot === change.root && Number(activeEpoch) === change.epoch && routesDone) return { state: "applied" };
  if (pendingRoot === change.root && Number(pendingEpoch) === change.epoch)
    return { state: "staged", eta: Number(eta), now };
  if (activeRoot === change.root && Number(activeEpoch) === change.epoch) return { state: "staged", eta: 0, now }; // activated, removals left
  return { state: "unstaged" };
}

export async function stateFacts(reader: Reader, ctx: ChangeContext): Promise<Record<string, string>> {
  const { plan } = ctx;
  const facts: Record<string, string> = {
    "target.routes": routesDigest(await readLoupe(reader, plan.target, plan.kind)),
  };
  if (ctx.timelock || ctx.direct) {
    const owner = { to: plan.target, contract: "OwnershipFacet", fn: "owner", args: [] };
    facts["target.owner"] = String(await namedRead(reader, owner, "the diamond", "ERC-173 owner()")).toLowerCase();
    if (ctx.timelock)
      facts["timelock.operation"] = String(
        await namedRead(
          reader,
          getTimestampCall(ctx.timelock.address, ctx.timelock.operationId),
          "the diamond's timelock",
          "TimelockController getTimestamp(bytes32)",
        ),
      );
  } else {
    for (const entry of ["activeRoot", "activeEpoch", "pendingRoot", "pendingEpoch", "frozen"] as const) {
      facts[`dispatcher.${entry}`] = String(await profileRead(reader, ctx.profile!, plan.target, entry)).toLowerCase();
    }
  }
  return facts;
}
