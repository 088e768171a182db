// Facet plans on chain: observing the target, deploying the facets (CREATE2), and the engine planners that stage and
// apply a plan (or its inverse). Every transaction goes through the engine (runCutover): journal, resume, plan-only,
// drift and preflight come from there. The checks, the cut and the Merkle entries come from facet-plan.ts.
import { mkdir, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { getAddress, isAddress, keccak256, toUtf8Bytes, ZeroAddress, ZeroHash } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { HardhatPluginError } from "@nomicfoundation/hardhat-errors";
import { CutoverInputError, PLUGIN_ID } from "../errors.js";
import { Addresses } from "../engine/apply.js";
import { ContractCatalog } from "../engine/contracts.js";
import { reason } from "../engine/executor-eoa.js";
import { create2FacetDeployStep, create2FactoryDeployStep, findCreate2Factory, resolveCreate2Addresses } from "../engine/create2.js";
import { Reader } from "../engine/reader.js";
import { runCutover, type Planner, type RunOptions, type RunOutcome } from "../engine/run.js";
import type { CallStep, DeployStep, Observation, Plan, Ref, Step } from "../engine/types.js";
import { writeRewireRecords } from "../records/plan-records.js";
import { networkDir } from "../records/records.js";
import { exists, writeAtomically } from "../util/fs.js";
import { toJson } from "../util/json.js";
import type { LiveFacet } from "./cut.js";
import {
  batches,
  buildFacetPlan,
  forwardChange,
  MAX_APPLY_BATCH,
  planIntegrityProblems,
  rollbackId,
  routeDifferences,
  type FacetPlan,
  type LiveFacetView,
  type PlannedFacet,
  type RouteChange,
  type TargetKind,
} from "./facet-plan.js";
import { selectorsOf } from "./selectors.js";
import { formatDuration } from "../timelock/duration.js";
import { changeSalt, getTimestampCall, hashOperationBatch, NO_PREDECESSOR, operationState } from "../timelock/operation.js";
import "../type-extensions.js";

/** A plan the tool will not go on with: refused checks, a tampered file, too early, code swapped. Nothing was sent. */
export class FacetPlanError extends HardhatPluginError {
  constructor(message: string) {
    super(PLUGIN_ID, message);
  }
}

// ------------------------------------------------------------------------------------------------ plan files

export function plansDir(root: string, network: string): string {
  return path.join(root, "plans", network);
}

export function planPath(root: string, network: string, id: string): string {
  return path.join(plansDir(root, network), `${id}.json`);
}

/** Reads a plan file and refuses one that was edited (id or proofs), is not ready, or is for another chain. */
export async function loadPlan(hre: HardhatRuntimeEnvironment, conn: NetworkConnection, file: string): Promise<{ plan: FacetPlan; file: string }> {
  const resolved = path.resolve(hre.config.paths.root, file);
  if (!file || !(await exists(resolved))) throw new CutoverInputError("--plan", file, "give the plan file diamond:plan wrote, e.g. --plan plans/localhost/0x1234….json");
  let plan: FacetPlan;
  try {
    plan = JSON.parse(await readFile(resolved, "utf8")) as FacetPlan;
  } catch (error) {
    throw new CutoverInputError("--plan", file, `it is not valid JSON (${(error as Error).message}); give the file diamond:plan wrote`);
  }
  const problems = planIntegrityProblems(plan);
  if (problems.length > 0) throw new FacetPlanError(`Plan file ${file} is not usable; nothing was sent:\n${problems.map((p) => `  - ${p}`).join("\n")}\nRun diamond:plan again to get a plan you can stage.`);
  if (plan.status !== "ready") {
    throw new FacetPlanError(`Plan ${plan.id} was refused when it was made; nothing was sent:\n${plan.reasons.map((r) => `  - ${r}`).join("\n")}\nFix the facets or options, then run diamond:plan again.`);
  }
  const chainId = Number((await conn.ethers.provider.getNetwork()).chainId);
  if (chainId !== plan.chainId) throw new CutoverInputError("--plan", file, `it is for chain ${plan.chainId} but ${conn.networkName} is chain ${chainId}; run it with the network it was made for`);
  return { plan, file: resolved };
}

// ------------------------------------------------------------------------------------------------ observing a target

interface TargetState {
  kind: TargetKind;
  live: LiveFacet[];
  /** Dispatcher. */
  activeRoot?: string;
  activeEpoch?: number;
  pendingRoot?: string;
  pendingEpoch?: number;
  earliestActivation?: number;
  activationDelay?: number;
  frozen?: boolean;
  /** Diamond. */
  owner?: string;
  timelockDelay?: number;
}

const loupeOf = (kind: TargetKind) => (kind === "dispatcher" ? "IDispatcherLoupe" : "DiamondLoupeFacet");

async function readLoupe(reader: Reader, target: string, kind: TargetKind): Promise<LiveFacet[]> {
  const facets = (await reader.call({ to: target, contract: loupeOf(kind), fn: "facets", args: [] })) as [string, string[]][];
  return facets.map(([facetAddress, selectors]) => ({ facetAddress: getAddress(facetAddress), functionSelectors: selectors.map((s) => s.toLowerCase()) }));
}

/** What the target is (dispatcher or diamond) and its state at the reader's block; undefined when it is neither. */
async function observeTarget(reader: Reader, target: string): Promise<TargetState | undefined> {
  const d = (fn: string) => reader.tryCall({ to: target, contract: "ManifestDispatcher", fn, args: [] });
  const activeEpoch = await d("activeEpoch");
  if (activeEpoch !== undefined) {
    const [activeRoot, pendingRoot, pendingEpoch, earliestActivation, activationDelay, frozen] = await Promise.all(["activeRoot", "pendingRoot", "pendingEpoch", "earliestActivation", "activationDelay", "frozen"].map(d));
    return {
      kind: "dispatcher",
      live: await readLoupe(reader, target, "dispatcher"),
      activeRoot: activeRoot as string,
      activeEpoch: Number(activeEpoch),
      pendingRoot: pendingRoot as string,
      pendingEpoch: Number(pendingEpoch),
      earliestActivation: Number(earliestActivation),
      activationDelay: Number(activationDelay),
      frozen: frozen as boolean,
    };
  }
  const owner = (await reader.tryCall({ to: target, contract: "OwnershipFacet", fn: "owner", args: [] })) as string | undefined;
  if (owner === undefined) return undefined;
  const live = await readLoupe(reader, target, "diamond").catch(() => undefined);
  if (!live) return undefined;
  const delay = await reader.tryCall({ to: owner, contract: "Timelock", fn: "getMinDelay", args: [] });
  return { kind: "diamond", live, owner: getAddress(owner), timelockDelay: delay === undefined ? undefined : Number(delay) };
}

function routesDigest(live: LiveFacet[]): string {
  const routes = live.flatMap((f) => f.functionSelectors.map((s) => `${s.toLowerCase()}:${f.facetAddress.toLowerCase()}`)).sort();
  return keccak256(toUtf8Bytes(routes.join(",")));
}

async function codehashAt(reader: Reader, address: string): Promise<{ codehash: string; size: number } | undefined> {
  const code = await reader.code(address);
  return code === "0x" ? undefined : { codehash: keccak256(code), size: (code.length - 2) / 2 };
}

/**
 * Names and signatures of live facets: from deployments/<network>/ records (also superseded ones kept under
 * .cutover/) when one has the facet's address, else from a compiled artifact whose runtime code hash matches.
 */
async function identifyFacets(hre: HardhatRuntimeEnvironment, network: string, facets: { address: string; codehash: string }[]): Promise<Map<string, { name: string; abi: unknown[] }>> {
  const found = new Map<string, { name: string; abi: unknown[] }>();
  const wanted = new Set(facets.map((f) => f.address.toLowerCase()));
  const dir = networkDir(hre.config.paths.root, network);
  const files = (await exists(dir)) ? (await readdir(dir, { recursive: true })).filter((f) => f.endsWith(".json")) : [];
  for (const file of files.sort()) {
    const record = JSON.parse(await readFile(path.join(dir, file), "utf8").catch(() => "{}")) as { address?: string; abi?: unknown[] };
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

// ------------------------------------------------------------------------------------------------ diamond:plan

export interface PlanFacetsOptions {
  target: string;
  facets: string;
  acceptBreaking: boolean;
  allowTakeover: string;
  signer: string;
  run: Omit<RunOptions, "replan">;
}

export interface PlanFacetsResult {
  plan: FacetPlan;
  /** Where the plan was written (undefined: --plan-only before the CREATE2 factory exists, nothing written). */
  file?: string;
  /** The engine run that deployed the facets (undefined when every facet was already deployed). */
  deployment?: RunOutcome;
}

const isSelector = (s: string) => /^0x[0-9a-fA-F]{8}$/.test(s);

/**
 * diamond:plan. Checks first (from the artifacts and the predicted CREATE2 addresses), so a refused plan deploys
 * nothing; then deploys the facets that are not on chain yet through the engine; then builds the plan from the
 * facets' real on-chain code and writes plans/<network>/<planId>.json. A refused plan is written too, then thrown.
 */
export async function planFacets(hre: HardhatRuntimeEnvironment, conn: NetworkConnection, options: PlanFacetsOptions): Promise<PlanFacetsResult> {
  const root = hre.config.paths.root;
  const network = conn.networkName;
  if (!isAddress(options.target)) throw new CutoverInputError("--target", options.target, "give the address of a ManifestDispatcher, or of an EIP-2535 diamond owned by a TimelockController, e.g. --target 0x5FbDB2315678afecb367f032d93F642f64180aa3");
  const target = getAddress(options.target);
  const names = [...new Set(options.facets.split(",").map((s) => s.trim()).filter(Boolean))];
  if (names.length === 0) throw new CutoverInputError("--facets", options.facets, "give the contract names of the facets to route, comma-separated, e.g. --facets FeeConfigFacet,PauseGuardFacet,MarketInfoFacet");
  const allowTakeover = options.allowTakeover === "all" ? true : options.allowTakeover.split(",").map((s) => s.trim()).filter(Boolean);
  if (allowTakeover !== true) for (const s of allowTakeover) if (!isSelector(s)) throw new CutoverInputError("--allow-takeover", s, "give comma-separated 4-byte selectors, or all, e.g. --allow-takeover 0x12345678");

  const catalog = new ContractCatalog(hre);
  const provider = conn.ethers.provider;
  const chainId = Number((await provider.getNetwork()).chainId);
  const reader = new Reader(provider, catalog, await provider.getBlockNumber());
  if (!(await reader.hasCode(target))) {
    throw new CutoverInputError("--target", target, `no contract there on ${network} (chain ${chainId}); give the address of a ManifestDispatcher or of a timelock-owned EIP-2535 diamond on this network`);
  }
  const state = await observeTarget(reader, target);
  if (!state) throw new CutoverInputError("--target", target, "it answers neither as a ManifestDispatcher (activeEpoch()) nor as an EIP-2535 diamond (owner(), facets()); give the dispatcher's or the diamond's address");
  if (state.kind === "dispatcher" && state.frozen) throw new CutoverInputError("--target", target, "this ManifestDispatcher is frozen: it takes no new routes, ever; plan against another dispatcher");
  if (state.kind === "diamond" && state.timelockDelay === undefined) {
    throw new CutoverInputError("--target", target, `its owner ${state.owner} is not a TimelockController (no getMinDelay()); transfer the diamond to a timelock first, or cut it directly with its owner`);
  }

  const artifacts: { name: string; artifact: Awaited<ReturnType<ContractCatalog["artifact"]>> }[] = [];
  for (const name of names) {
    const artifact = await catalog.artifact(name).catch(() => undefined);
    if (!artifact) throw new CutoverInputError("--facets", name, "no compiled contract has that name; check the spelling or run `npx hardhat build`, e.g. --facets FeeConfigFacet,MarketInfoFacet");
    const constructorInputs = (artifact.abi as { type: string; inputs?: unknown[] }[]).find((e) => e.type === "constructor")?.inputs ?? [];
    if (constructorInputs.length > 0 || Object.keys(artifact.linkReferences).length > 0 || Object.keys(artifact.immutableReferences ?? {}).length > 0) {
      throw new CutoverInputError("--facets", name, "a planned facet must have no constructor arguments, linked libraries or immutables, so its CREATE2 address and code hash are known before it is deployed");
    }
    if (selectorsOf(artifact.abi as never).length === 0) throw new CutoverInputError("--facets", name, "it has no external functions to route");
    artifacts.push({ name, artifact });
  }

  const create2Factory = await findCreate2Factory(conn, catalog, root, reader.block);
  const signer = getAddress(options.signer);
  const factoryRef: string | Ref = create2Factory ?? { $ref: "Create2Factory" };
  const steps: Step[] = [];
  if (!create2Factory) {
    steps.push(create2FactoryDeployStep(signer));
  }
  for (const { name } of artifacts) steps.push(create2FacetDeployStep(name, signer, factoryRef));

  const observed = {
    network,
    chainId,
    target,
    kind: state.kind,
    timelock: state.kind === "diamond" ? state.owner! : null,
    epoch: state.kind === "dispatcher" ? state.activeEpoch! + 1 : null,
    activationDelay: state.kind === "dispatcher" ? state.activationDelay! : state.timelockDelay!,
    hostSelectors: state.kind === "dispatcher" ? selectorsOf((await catalog.artifact("ManifestDispatcher")).abi as never) : [],
    pending: state.kind === "dispatcher" && state.pendingRoot !== ZeroHash ? { root: state.pendingRoot!, epoch: state.pendingEpoch! } : null,
    acceptBreaking: options.acceptBreaking,
    allowTakeover,
  };
  const liveCode = new Map<string, string>();
  for (const f of state.live) liveCode.set(f.facetAddress.toLowerCase(), (await codehashAt(reader, f.facetAddress))?.codehash ?? ZeroHash);
  const identified = await identifyFacets(hre, network, state.live.map((f) => ({ address: f.facetAddress, codehash: liveCode.get(f.facetAddress.toLowerCase())! })));
  const live: LiveFacetView[] = state.live.map((f) => {
    const id = identified.get(f.facetAddress.toLowerCase());
    const signatures = new Map(id ? selectorsOf(id.abi as never).map((s) => [s.selector, s.signature]) : []);
    return {
      address: f.facetAddress,
      ...(id ? { name: id.name } : {}),
      codehash: liveCode.get(f.facetAddress.toLowerCase())!,
      selectors: f.functionSelectors.map((selector) => (signatures.has(selector) ? { selector, signature: signatures.get(selector)! } : { selector })),
    };
  });

  /** The planned facets at their addresses: on-chain code where deployed, else the artifact's runtime code. */
  const plannedFacets = async (deployed: Record<string, string>, at: Reader): Promise<PlannedFacet[]> =>
    Promise.all(
      artifacts.map(async ({ name, artifact }) => {
        const address = deployed[name] ?? `0x${keccak256(toUtf8Bytes(`not deployed: ${name}`)).slice(26)}`;
        const onChain = deployed[name] ? await codehashAt(at, address) : undefined;
        return {
          name,
          address,
          codehash: onChain?.codehash ?? keccak256(artifact.deployedBytecode),
          deployedSize: onChain?.size ?? (artifact.deployedBytecode.length - 2) / 2,
          selectors: selectorsOf(artifact.abi as never),
        };
      }),
    );

  /** A CREATE2 address holds the artifact's code unless something replaced it (hardhat_setCode, a metamorphic trick). */
  const requireCompiledCode = (planned: PlannedFacet[]) => {
    const foreign = planned.filter((f, i) => f.codehash !== keccak256(artifacts[i].artifact.deployedBytecode));
    if (foreign.length > 0) {
      throw new FacetPlanError(
        `The code at a planned facet's address is not its compiled runtime code; nothing was planned or sent:\n` +
          foreign.map((f) => `  - ${f.name} ${f.address}: on chain ${f.codehash}, compiled ${keccak256(artifacts.find((a) => a.name === f.name)!.artifact.deployedBytecode)}`).join("\n") +
          `\nFind out what replaced it; recompile if the source changed.`,
      );
    }
    return planned;
  };
  const predicted = new Addresses({}, catalog);
  await resolveCreate2Addresses({ steps }, predicted, catalog);
  const first = buildFacetPlan({ ...observed, facets: requireCompiledCode(await plannedFacets(predicted.deployed, reader)), live });
  const write = async (plan: FacetPlan) => {
    const file = planPath(root, network, plan.id);
    await mkdir(path.dirname(file), { recursive: true });
    await writeAtomically(file, toJson(plan));
    return file;
  };
  if (first.status === "refused") {
    const file = await write(first);
    throw new FacetPlanError(
      `Plan ${first.id} for ${target} is refused (written to ${path.relative(root, file)}); nothing was deployed or sent:\n` + first.reasons.map((r) => `  - ${r}`).join("\n"),
    );
  }
  const undeployed = artifacts.filter(({ name }) => !predicted.deployed[name]);
  const missing = [];
  for (const { name } of artifacts) if (!predicted.deployed[name] || !(await reader.hasCode(predicted.deployed[name]))) missing.push(name);
  if (missing.length === 0) return { plan: first, file: await write(first) };
  if (options.run.planOnly && undeployed.length === 0) {
    // The CREATE2 addresses and code hashes are known: the plan is exactly the one a deploying run writes.
    options.run.print?.(`plan only: ${missing.join(", ")} not deployed yet (diamond:plan without --plan-only deploys them through CREATE2)`);
    return { plan: first, file: await write(first) };
  }

  const planner: Planner = {
    task: "diamond:plan",
    runKey: `diamond-facets-${keccak256(toUtf8Bytes(names.slice().sort().join(","))).slice(2, 18)}`,
    async observe(r): Promise<Observation> {
      return { chainId, block: r.block, facts: { create2Factory: create2Factory?.toLowerCase() ?? "" } };
    },
    async plan(observation, known): Promise<Omit<Plan, "id">> {
      return { task: "diamond:plan", runKey: planner.runKey, network, chainId, observedBlock: observation.block, facts: observation.facts, known, steps, notes: [], labels: {} };
    },
  };
  const deployment = await runCutover(hre, conn, planner, { ...options.run, replan: false });
  if (options.run.planOnly) return { plan: first, deployment };
  if (!deployment.report!.complete) {
    const failed = deployment.report!.results.filter((r) => r.status === "failed" || r.status === "blocked");
    throw new FacetPlanError(`Deploying the facets did not complete; no plan was written:\n${failed.map((r) => `  - ${r.label}: ${r.reason ?? r.status}`).join("\n")}\nFix it and run diamond:plan again: what is deployed stays.`);
  }
  await writeRewireRecords(hre, conn, catalog, deployment);
  const after = new Reader(provider, catalog, await provider.getBlockNumber());
  const plan = buildFacetPlan({ ...observed, facets: requireCompiledCode(await plannedFacets(deployment.report!.deployed, after)), live });
  const file = await write(plan);
  if (plan.status === "refused") throw new FacetPlanError(`Plan ${plan.id} for ${target} is refused (written to ${path.relative(root, file)}):\n` + plan.reasons.map((r) => `  - ${r}`).join("\n"));
  return { plan, file, deployment };
}

// ------------------------------------------------------------------------------------------------ stage and apply

/** A plan's change (or its inverse) with what staging and applying it needs. */
export interface ChangeContext {
  plan: FacetPlan;
  /** The plan id, or the rollback id. */
  id: string;
  rollback: boolean;
  /** "plan 0x1234…" or "rollback of plan 0x1234…" (full id). */
  what: string;
  /** The same with a short id, for step labels. */
  short: string;
  change: RouteChange;
  /** Diamond: the TimelockController batch. */
  timelock?: { address: string; targets: string[]; values: bigint[]; payloads: string[]; predecessor: string; salt: string; operationId: string };
}

async function timelockBatch(catalog: ContractCatalog, plan: FacetPlan, change: RouteChange, id: string, predecessor: string) {
  const payload = (await catalog.iface("DiamondCutFacet")).encodeFunctionData("diamondCut", [change.cut.map((c) => [c.facetAddress, c.action, c.functionSelectors]), ZeroAddress, "0x"]);
  const targets = [plan.target];
  const values = [0n];
  const salt = changeSalt(id);
  return { address: plan.timelock!, targets, values, payloads: [payload], predecessor, salt, operationId: hashOperationBatch(targets, values, [payload], predecessor, salt) };
}

export async function forwardContext(catalog: ContractCatalog, plan: FacetPlan): Promise<ChangeContext> {
  const change = forwardChange(plan);
  const ctx: ChangeContext = { plan, id: plan.id, rollback: false, what: `plan ${plan.id}`, short: `plan ${plan.id.slice(0, 10)}`, change };
  if (plan.kind === "diamond") ctx.timelock = await timelockBatch(catalog, plan, change, plan.id, NO_PREDECESSOR);
  return ctx;
}

/** The inverse stored in the plan. On a timelock, it runs only after the plan's own operation (its predecessor). */
export async function rollbackContext(catalog: ContractCatalog, plan: FacetPlan): Promise<ChangeContext> {
  const forward = await forwardContext(catalog, plan);
  const id = rollbackId(plan.id);
  const change = plan.inverse!;
  const ctx: ChangeContext = { plan, id, rollback: true, what: `rollback of plan ${plan.id}`, short: `rollback of plan ${plan.id.slice(0, 10)}`, change };
  if (plan.kind === "diamond") ctx.timelock = await timelockBatch(catalog, plan, change, id, forward.timelock!.operationId);
  return ctx;
}

export type ChangeState =
  | { state: "applied" }
  | { state: "staged"; eta: number; now: number }
  | { state: "unstaged" }
  /** Nothing to stage (a removal-only change on a dispatcher): apply right away. */
  | { state: "no staging needed" };

export async function changeState(reader: Reader, ctx: ChangeContext): Promise<ChangeState> {
  const now = (await reader.provider.getBlock(reader.block))!.timestamp;
  const { change, plan } = ctx;
  if (ctx.timelock) {
    const operation = operationState((await reader.call(getTimestampCall(ctx.timelock.address, ctx.timelock.operationId))) as bigint);
    if (operation.state === "done") return { state: "applied" };
    return operation.state === "unset" ? { state: "unstaged" } : { state: "staged", eta: operation.eta, now };
  }
  const routesDone = routeDifferences(change.after, await readLoupe(reader, plan.target, plan.kind)).length === 0;
  if (change.root === null) return routesDone ? { state: "applied" } : { state: "no staging needed" };
  const d = (fn: string) => reader.call({ to: plan.target, contract: "ManifestDispatcher", fn, args: [] });
  const [activeRoot, activeEpoch, pendingRoot, pendingEpoch, eta] = await Promise.all(["activeRoot", "activeEpoch", "pendingRoot", "pendingEpoch", "earliestActivation"].map(d));
  if (activeRoot === change.root && Number(activeEpoch) === change.epoch && routesDone) return { state: "applied" };
  if (pendingRoot === change.root && Number(pendingEpoch) === change.epoch) return { state: "staged", eta: Number(eta), now };
  if (activeRoot === change.root && Number(activeEpoch) === change.epoch) return { state: "staged", eta: 0, now }; // activated, removals left
  return { state: "unstaged" };
}

async function stateFacts(reader: Reader, ctx: ChangeContext): Promise<Record<string, string>> {
  const { plan } = ctx;
  const facts: Record<string, string> = { "target.routes": routesDigest(await readLoupe(reader, plan.target, plan.kind)) };
  if (ctx.timelock) {
    facts["target.owner"] = String(await reader.call({ to: plan.target, contract: "OwnershipFacet", fn: "owner", args: [] })).toLowerCase();
    facts["timelock.operation"] = String(await reader.call(getTimestampCall(ctx.timelock.address, ctx.timelock.operationId)));
  } else {
    for (const fn of ["activeRoot", "activeEpoch", "pendingRoot", "pendingEpoch", "frozen"]) {
      facts[`dispatcher.${fn}`] = String(await reader.call({ to: plan.target, contract: "ManifestDispatcher", fn, args: [] })).toLowerCase();
    }
  }
  return facts;
}

const DISPATCHER_FACTS = ["dispatcher.activeRoot", "dispatcher.activeEpoch", "dispatcher.pendingRoot", "dispatcher.pendingEpoch"];

/** The steps that stage a change: commitRoot on a dispatcher, scheduleBatch on the diamond's timelock. */
function stageSteps(ctx: ChangeContext, signer: string, minDelay: number): Step[] {
  const { change, plan } = ctx;
  if (ctx.timelock) {
    const t = ctx.timelock;
    return [
      {
        id: "schedule",
        kind: "call",
        label: `schedule the diamondCut of the ${ctx.short} on the timelock`,
        from: signer,
        dependsOn: [],
        writes: ["timelock.operation"],
        actions: [
          {
            call: { to: t.address, contract: "Timelock", fn: "scheduleBatch", args: [t.targets, t.values.map(String), t.payloads, t.predecessor, t.salt, String(minDelay)] },
            done: [{ read: { to: t.address, contract: "Timelock", fn: "isOperation", args: [t.operationId] }, equals: true }],
          },
        ],
      },
    ];
  }
  const read = (fn: string) => ({ to: plan.target, contract: "ManifestDispatcher", fn, args: [] });
  return [
    {
      id: "commit-root",
      kind: "call",
      label: `commit the manifest root of the ${ctx.short} for epoch ${change.epoch}`,
      from: signer,
      dependsOn: [],
      writes: ["dispatcher.pendingRoot", "dispatcher.pendingEpoch"],
      actions: [
        {
          call: { to: plan.target, contract: "ManifestDispatcher", fn: "commitRoot", args: [change.root!, change.epoch!] },
          done: [
            { read: read("pendingRoot"), equals: change.root! },
            { read: read("pendingEpoch"), equals: change.epoch! },
          ],
        },
      ],
    },
  ];
}

/** The steps that apply a staged change: applyRoutes batches, activateCommittedRoot, removeRoutes; or executeBatch. */
function applySteps(ctx: ChangeContext, signer: string, batchSize: number): Step[] {
  const { change, plan } = ctx;
  if (ctx.timelock) {
    const t = ctx.timelock;
    return [
      {
        id: "execute",
        kind: "call",
        label: `execute the diamondCut of the ${ctx.short} through the timelock`,
        from: signer,
        dependsOn: [],
        writes: ["timelock.operation", "target.routes"],
        actions: [
          {
            call: { to: t.address, contract: "Timelock", fn: "executeBatch", args: [t.targets, t.values.map(String), t.payloads, t.predecessor, t.salt] },
            done: [{ read: { to: t.address, contract: "Timelock", fn: "isOperationDone", args: [t.operationId] }, equals: true }],
          },
        ],
      },
    ];
  }
  const call = (fn: string, args: CallStep["actions"][number]["call"]["args"]) => ({ to: plan.target, contract: "ManifestDispatcher", fn, args });
  const steps: Step[] = [];
  if (change.root !== null) {
    const groups = batches(change.entries, batchSize);
    groups.forEach((group, i) => {
      steps.push({
        id: `apply-routes:${i + 1}`,
        kind: "call",
        label: `stage routes ${i * batchSize + 1}-${i * batchSize + group.length} of ${change.entries.length} with their proofs`,
        from: signer,
        dependsOn: [],
        writes: [],
        // Staged routes are cleared by the activation: once it is done, these are not needed.
        temporary: true,
        actions: [
          {
            call: call("applyRoutes", [group.map((e) => e.selector), group.map((e) => e.facet), group.map((e) => e.codehash), group.map((e) => e.proof), group.map((e) => e.positions)]),
            done: group.map((e) => ({ read: call("stagedRoute", [e.selector]), equals: [e.facet, e.codehash] })),
          },
        ],
      });
    });
    steps.push({
      id: "activate",
      kind: "call",
      label: `activate the root of epoch ${change.epoch}: the staged routes go live`,
      from: signer,
      dependsOn: groups.map((_, i) => `apply-routes:${i + 1}`),
      writes: [...DISPATCHER_FACTS, "target.routes"],
      actions: [{ call: call("activateCommittedRoot", []), done: [{ read: call("activeRoot", []), equals: change.root }, { read: call("activeEpoch", []), equals: change.epoch! }] }],
    });
  }
  if (change.removals.length > 0) {
    steps.push({
      id: "remove-routes",
      kind: "call",
      label: `remove ${change.removals.length} route(s) the ${ctx.rollback ? "rollback" : "plan"} takes out`,
      from: signer,
      dependsOn: change.root !== null ? ["activate"] : [],
      writes: ["target.routes"],
      actions: [{ call: call("removeRoutes", [change.removals]), done: change.removals.map((s) => ({ read: call("facetAddress", [s]), equals: ZeroAddress })) }],
    });
  }
  return steps;
}

function refuse(ctx: ChangeContext, problem: string): never {
  throw new FacetPlanError(`${ctx.what[0].toUpperCase()}${ctx.what.slice(1)}: ${problem}\nNothing was sent.`);
}

/** The live routes must be those the change was computed from. */
async function requireLiveBefore(reader: Reader, ctx: ChangeContext): Promise<void> {
  const differences = routeDifferences(ctx.change.before, await readLoupe(reader, ctx.plan.target, ctx.plan.kind));
  if (differences.length > 0) {
    refuse(ctx, `the routes of ${ctx.plan.target} are not those it was computed from:\n${differences.map((d) => `  ${d}`).join("\n")}\n${ctx.rollback ? "The plan is not (or no longer) applied as planned; roll back by hand or plan again." : "Run diamond:plan again against the routes as they are now."}`);
  }
}

/** Simulates a step's call as its sender, so a missing role is reported before anything is sent. */
async function simulate(reader: Reader, catalog: ContractCatalog, ctx: ChangeContext, step: Step, fix: string): Promise<void> {
  if (step.kind !== "call") return;
  const { call } = step.actions[0];
  const data = (await catalog.iface(call.contract)).encodeFunctionData(call.fn, call.args as unknown[]);
  try {
    await reader.provider.call({ from: step.from, to: call.to as string, data, blockTag: reader.block });
  } catch (error) {
    refuse(ctx, `${step.label} would revert when sent by ${step.from}: ${reason(error)}. ${fix}`);
  }
}

export interface ChangeRunOptions {
  signer: string;
  /** Selectors per applyRoutes transaction (applying only; default MAX_APPLY_BATCH). */
  batchSize?: number;
  run: RunOptions;
}

const stageName = (ctx: ChangeContext) => (ctx.rollback ? "diamond:rollback" : "diamond:stage-plan");

/** Stages a change through the engine (commitRoot / scheduleBatch); staging it again sends nothing. */
export async function stageChange(hre: HardhatRuntimeEnvironment, conn: NetworkConnection, ctx: ChangeContext, options: ChangeRunOptions): Promise<RunOutcome> {
  const catalog = new ContractCatalog(hre);
  const { plan, change } = ctx;
  let minDelay = plan.activationDelay;
  const planner: Planner = {
    task: stageName(ctx),
    runKey: `diamond-stage-${ctx.id}`,
    async observe(reader) {
      if (ctx.timelock) minDelay = Number(await reader.call({ to: ctx.timelock.address, contract: "Timelock", fn: "getMinDelay", args: [] }));
      return { chainId: plan.chainId, block: reader.block, facts: await stateFacts(reader, ctx) };
    },
    async plan(observation, known) {
      return { task: planner.task, runKey: planner.runKey, network: conn.networkName, chainId: plan.chainId, observedBlock: observation.block, facts: observation.facts, known, steps: stageSteps(ctx, options.signer, minDelay), notes: [], labels: {} };
    },
    async preflight(_plan, reader, pending) {
      if (pending.length === 0) return;
      await requireLiveBefore(reader, ctx);
      if (ctx.timelock) {
        const owner = getAddress(String(await reader.call({ to: plan.target, contract: "OwnershipFacet", fn: "owner", args: [] })));
        if (owner !== getAddress(ctx.timelock.address)) refuse(ctx, `${plan.target} is owned by ${owner}, not by the timelock ${ctx.timelock.address} the plan was made for; plan again`);
        if (ctx.timelock.predecessor !== NO_PREDECESSOR && !(await reader.call({ to: ctx.timelock.address, contract: "Timelock", fn: "isOperationDone", args: [ctx.timelock.predecessor] }))) {
          refuse(ctx, `its predecessor, the timelock operation ${ctx.timelock.predecessor} of the plan, is not executed`);
        }
        await simulate(reader, catalog, ctx, pending[0], "Use --signer with an account holding the timelock's PROPOSER_ROLE.");
      } else {
        const activeEpoch = Number(await reader.call({ to: plan.target, contract: "ManifestDispatcher", fn: "activeEpoch", args: [] }));
        const pendingRoot = String(await reader.call({ to: plan.target, contract: "ManifestDispatcher", fn: "pendingRoot", args: [] }));
        const acknowledged = !ctx.rollback && plan.checks.warnings.some((w) => w.startsWith(`root ${pendingRoot} `));
        if (pendingRoot !== ZeroHash && pendingRoot !== change.root && !acknowledged) {
          refuse(ctx, `root ${pendingRoot} is committed on ${plan.target} and not activated; staging would discard it and its staged routes. Find out whose it is; plan again to acknowledge it.`);
        }
        if (activeEpoch + 1 !== change.epoch) refuse(ctx, `it is for epoch ${change.epoch}, but the dispatcher's active epoch is ${activeEpoch} (commitRoot takes ${activeEpoch + 1})${ctx.rollback ? "" : "; run diamond:plan again"}`);
        await simulate(reader, catalog, ctx, pending[0], "Use --signer with an account holding the dispatcher's COMMIT_ROLE.");
      }
    },
  };
  return runCutover(hre, conn, planner, options.run);
}

/**
 * Applies a staged change through the engine. Refused before anything is sent when it is early (with the time left),
 * when a facet's code hash is not the planned one, or when the live routes are not those the change starts from.
 */
export async function applyChange(hre: HardhatRuntimeEnvironment, conn: NetworkConnection, ctx: ChangeContext, options: ChangeRunOptions): Promise<RunOutcome> {
  const catalog = new ContractCatalog(hre);
  const { plan, change } = ctx;
  const batchSize = options.batchSize ?? MAX_APPLY_BATCH;
  const planner: Planner = {
    task: ctx.rollback ? "diamond:rollback" : "diamond:apply-plan",
    runKey: `diamond-apply-${ctx.id}`,
    async observe(reader) {
      return { chainId: plan.chainId, block: reader.block, facts: await stateFacts(reader, ctx) };
    },
    async plan(observation, known) {
      return { task: planner.task, runKey: planner.runKey, network: conn.networkName, chainId: plan.chainId, observedBlock: observation.block, facts: observation.facts, known, steps: applySteps(ctx, options.signer, batchSize), notes: [], labels: {} };
    },
    async preflight(_plan, reader, pending) {
      if (pending.length === 0) return;
      const goesLive = pending.some((s) => s.id !== "remove-routes");
      if (!goesLive) return;
      const state = await changeState(reader, ctx);
      if (state.state === "unstaged") refuse(ctx, `it is not staged on ${plan.target}; run ${stageName(ctx)} --plan <file> first`);
      if (state.state === "staged" && state.eta > state.now) {
        refuse(ctx, `too early: it can be applied from ${new Date(state.eta * 1000).toISOString()} (chain time), ${formatDuration(state.eta - state.now)} from now. Run it again then.`);
      }
      const mismatches: string[] = [];
      for (const facet of [...new Map(change.entries.map((e) => [e.facet, e])).values()]) {
        const code = await reader.code(facet.facet);
        const actual = code === "0x" ? "(no code)" : keccak256(code);
        if (actual !== facet.codehash) mismatches.push(`${facet.facetName || "facet"} ${facet.facet}: planned code hash ${facet.codehash}, on chain ${actual}`);
      }
      if (mismatches.length > 0) refuse(ctx, `a facet's code is not the code it was planned with:\n${mismatches.map((m) => `  ${m}`).join("\n")}\nPlan again against the facets as deployed.`);
      await requireLiveBefore(reader, ctx);
      await simulate(reader, catalog, ctx, pending[0], ctx.timelock ? "Use --signer with an account holding the timelock's EXECUTOR_ROLE." : "Use --signer with an account holding the dispatcher's APPLY_ROLE.");
    },
  };
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_APPLY_BATCH) {
    throw new CutoverInputError("--batch-size", batchSize, `give a whole number of selectors per applyRoutes transaction from 1 to ${MAX_APPLY_BATCH}, e.g. --batch-size 50`);
  }
  return runCutover(hre, conn, planner, options.run);
}

/** After an apply: the routes the change leaves, compared with the loupe. Empty: every selector routes as planned. */
export async function verifyRoutes(conn: NetworkConnection, hre: HardhatRuntimeEnvironment, ctx: ChangeContext): Promise<string[]> {
  const provider = conn.ethers.provider;
  const reader = new Reader(provider, new ContractCatalog(hre), await provider.getBlockNumber());
  return routeDifferences(ctx.change.after, await readLoupe(reader, ctx.plan.target, ctx.plan.kind));
}

export async function currentState(hre: HardhatRuntimeEnvironment, conn: NetworkConnection, ctx: ChangeContext): Promise<ChangeState> {
  const provider = conn.ethers.provider;
  return changeState(new Reader(provider, new ContractCatalog(hre), await provider.getBlockNumber()), ctx);
}

/** Records what staging did next to the plan: plans/<network>/<planId>.stage.json (or .rollback.stage.json). */
export async function writeStageRecord(hre: HardhatRuntimeEnvironment, conn: NetworkConnection, ctx: ChangeContext, outcome: RunOutcome, state: ChangeState): Promise<string> {
  const file = path.join(plansDir(hre.config.paths.root, conn.networkName), `${ctx.plan.id}${ctx.rollback ? ".rollback" : ""}.stage.json`);
  const previous = (await exists(file)) ? (JSON.parse(await readFile(file, "utf8")) as { transactions?: unknown[] }) : undefined;
  const sent = (outcome.report?.results ?? []).filter((r) => r.sentNow).map((r) => ({ step: r.id, txHash: r.txHash, block: r.block, gasUsed: r.gasUsed }));
  const eta = state.state === "staged" ? state.eta : null;
  const record = {
    change: ctx.id,
    plan: ctx.plan.id,
    rollback: ctx.rollback,
    kind: ctx.plan.kind,
    target: ctx.plan.target,
    ...(ctx.timelock
      ? { timelock: ctx.timelock.address, operationId: ctx.timelock.operationId, salt: ctx.timelock.salt, predecessor: ctx.timelock.predecessor }
      : { root: ctx.change.root, epoch: ctx.change.epoch }),
    eta,
    etaIso: eta ? new Date(eta * 1000).toISOString() : null,
    transactions: [...(previous?.transactions ?? []), ...sent],
  };
  await writeAtomically(file, toJson(record));
  return file;
}
