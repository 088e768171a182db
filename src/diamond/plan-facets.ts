// diamond:plan: check the facets against the target, deploy those not on chain yet (CREATE2, through the engine),
// build the plan from their real on-chain code and write the plan file.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { getAddress, isAddress, keccak256, toUtf8Bytes, ZeroHash } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { CutoverInputError } from "../errors.js";
import { Addresses } from "../engine/apply.js";
import { ContractCatalog } from "../engine/contracts.js";
import {
  create2FacetDeployStep,
  create2FactoryDeployStep,
  findCreate2Factory,
  resolveCreate2Addresses,
} from "../engine/create2.js";
import { Reader } from "../engine/reader.js";
import { runKeys } from "../engine/run-key.js";
import { runCutover, type Planner, type RunOptions, type RunOutcome } from "../engine/run.js";
import type { Step } from "../engine/types.js";
import { writeRewireRecords } from "../records/plan-records.js";
import { exists } from "../util/fs.js";
import {
  buildFacetPlan,
  type FacetPlan,
  type FacetPlanInputs,
  type LiveFacetView,
  type PlannedFacet,
} from "./facet-plan.js";
import { FacetPlanError, writePlanFile } from "./plan-file.js";
import { getTimestampCall, operationState } from "../timelock/operation.js";
import { forwardContext } from "./change.js";
import type { OddNodeRule } from "../manifest/merkle.js";
import { namedRead, type DispatcherProfileName } from "./dispatcher-profile.js";
import { bytecodeSelectors, selectorsOf, type SelectorInfo } from "./selectors.js";
import { codehashAt, liveFacetViews, observeTarget, type TargetState } from "./target.js";
import "../type-extensions.js";

export interface PlanFacetsOptions {
  target: string;
  facets: string;
  acceptBreaking: boolean;
  allowTakeover: string;
  /** The target's ABI for the shadowing check: an artifact name or a JSON file (default: its bytecode's selectors). */
  hostAbi?: string;
  /** cutover.diamond.oddNode (default: the dispatcher profile's). */
  oddNode?: OddNodeRule;
  signer: string;
  run: Omit<RunOptions, "replan">;
}

export interface PlanFacetsResult {
  plan: FacetPlan;
  /** Where the plan was written (undefined: --plan-only before the CREATE2 proxy is installed, nothing written). */
  file?: string;
  /** The engine run that deployed the facets (undefined when every facet was already deployed). */
  deployment?: RunOutcome;
}

type FacetArtifact = { name: string; artifact: Awaited<ReturnType<ContractCatalog["artifact"]>> };

const isSelector = (s: string) => /^0x[0-9a-fA-F]{8}$/.test(s);

/** --target, --facets and --allow-takeover, checked. */
function parseOptions(options: PlanFacetsOptions): { target: string; names: string[]; allowTakeover: true | string[] } {
  if (!isAddress(options.target))
    throw new CutoverInputError(
      "--target",
      options.target,
      "give the address of a ManifestDispatcher, or of an EIP-2535 diamond (owned by an EOA, a Safe or a TimelockController), e.g. --target 0x5FbDB2315678afecb367f032d93F642f64180aa3",
    );
  const target = getAddress(options.target);
  const names = [
    ...new Set(
      options.facets
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  if (names.length === 0)
    throw new CutoverInputError(
      "--facets",
      options.facets,
      "give the contract names of the facets to route, comma-separated, e.g. --facets FeeConfigFacet,PauseGuardFacet,MarketInfoFacet",
    );
  const allowTakeover =
    options.allowTakeover === "all"
      ? true
      : options.allowTakeover
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean);
  if (allowTakeover !== true)
    for (const s of allowTakeover)
      if (!isSelector(s))
        throw new CutoverInputError(
          "--allow-takeover",
          s,
          "give comma-separated 4-byte selectors, or all, e.g. --allow-takeover 0x12345678",
        );
  return { target, names, allowTakeover };
}

/** The target observed: a ManifestDispatcher that is not frozen, or a diamond owned by a TimelockController. */
async function requireTarget(
  reader: Reader,
  target: string,
  network: string,
  chainId: number,
  configured?: DispatcherProfileName,
): Promise<TargetState> {
  if (!(await reader.hasCode(target))) {
    throw new CutoverInputError(
      "--target",
      target,
      `no contract there on ${network} (chain ${chainId}); give the address of a ManifestDispatcher or of an EIP-2535 diamond on this network`,
    );
  }
  const state = await observeTarget(reader, target, configured);
  if (!state)
    throw new CutoverInputError(
      "--target",
      target,
      "it answers neither as a ManifestDispatcher (activeEpoch()) nor as an EIP-2535 diamond (owner(), facets()); give the dispatcher's or the diamond's address",
    );
  if (state.kind === "dispatcher" && state.frozen)
    throw new CutoverInputError(
      "--target",
      target,
      "this ManifestDispatcher is frozen: it takes no new routes, ever; plan against another dispatcher",
    );
  if (state.kind === "diamond" && state.ownerKind === undefined) {
    throw new CutoverInputError(
      "--target",
      target,
      `its owner ${state.owner} is a contract that answers neither as a TimelockController (getMinDelay()) nor as a Safe (getThreshold()); the tool can send its diamondCut only through an EOA owner, a Safe or a timelock`,
    );
  }
  return state;
}

/** The facets' artifacts: each compiled, with external functions, and CREATE2-predictable (no constructor arguments, libraries or immutables). */
async function facetArtifacts(catalog: ContractCatalog, names: string[]): Promise<FacetArtifact[]> {
  const artifacts: FacetArtifact[] = [];
  for (const name of names) {
    const artifact = await catalog.artifact(name).catch(() => undefined);
    if (!artifact)
      throw new CutoverInputError(
        "--facets",
        name,
        "no compiled contract has that name; check the spelling or run `npx hardhat build`, e.g. --facets FeeConfigFacet,MarketInfoFacet",
      );
    const constructorInputs =
      (artifact.abi as { type: string; inputs?: unknown[] }[]).find((e) => e.type === "constructor")?.inputs ?? [];
    if (
      constructorInputs.length > 0 ||
      Object.keys(artifact.linkReferences).length > 0 ||
      Object.keys(artifact.immutableReferences ?? {}).length > 0
    ) {
      throw new CutoverInputError(
        "--facets",
        name,
        "a planned facet must have no constructor arguments, linked libraries or immutables, so its CREATE2 address and code hash are known before it is deployed",
      );
    }
    if (selectorsOf(artifact.abi as never).length === 0)
      throw new CutoverInputError("--facets", name, "it has no external functions to route");
    artifacts.push({ name, artifact });
  }
  return artifacts;
}

/**
 * The functions the target answers itself (a route for one of them is never reached): from --host-abi (an artifact
 * name or an ABI JSON file) when given, else from the target's own runtime bytecode. Never from our mock's ABI.
 */
async function hostSelectors(
  reader: Reader,
  catalog: ContractCatalog,
  target: string,
  hostAbi: string | undefined,
): Promise<SelectorInfo[]> {
  if (!hostAbi) return bytecodeSelectors(await reader.code(target));
  const fix =
    "give the target's contract name (a compiled artifact) or a JSON file holding its ABI (an array, or an object with an abi field), e.g. --host-abi ManifestDispatcher or --host-abi abis/dispatcher.json";
  const file = path.resolve(hostAbi);
  const abi = (await exists(file))
    ? await readFile(file, "utf8").then(
        (text) => {
          const parsed = JSON.parse(text) as unknown;
          return Array.isArray(parsed) ? parsed : (parsed as { abi?: unknown }).abi;
        },
        () => undefined,
      )
    : await catalog.artifact(hostAbi).then(
        (a) => a.abi,
        () => undefined,
      );
  if (!Array.isArray(abi)) throw new CutoverInputError("--host-abi", hostAbi, fix);
  try {
    return selectorsOf(abi as never);
  } catch {
    throw new CutoverInputError("--host-abi", hostAbi, fix);
  }
}

/** The plan inputs that come from the target and the options (the facets come later: predicted, then deployed). */
async function targetInputs(
  reader: Reader,
  catalog: ContractCatalog,
  state: TargetState,
  base: { network: string; chainId: number; target: string },
  options: PlanFacetsOptions,
  allowTakeover: true | string[],
): Promise<Omit<FacetPlanInputs, "facets" | "live">> {
  return {
    ...base,
    kind: state.kind,
    timelock: state.ownerKind === "timelock" ? state.owner! : null,
    owner: state.kind === "diamond" ? { address: state.owner!, kind: state.ownerKind! } : null,
    dispatcherProfile: state.profile?.name ?? null,
    oddNode: state.profile ? (options.oddNode ?? state.profile.oddNode) : "promote",
    epoch: state.kind === "dispatcher" ? state.activeEpoch! + 1 : null,
    activationDelay: state.kind === "dispatcher" ? state.activationDelay! : (state.timelockDelay ?? 0),
    hostSelectors: await hostSelectors(reader, catalog, base.target, options.hostAbi),
    pending:
      state.kind === "dispatcher" && state.pendingRoot !== ZeroHash
        ? { root: state.pendingRoot!, epoch: state.pendingEpoch! }
        : null,
    acceptBreaking: options.acceptBreaking,
    allowTakeover,
  };
}

/** The planned facets at their addresses: on-chain code where deployed, else the artifact's runtime code. */
function plannedFacets(
  artifacts: FacetArtifact[],
  deployed: Record<string, string>,
  at: Reader,
): Promise<PlannedFacet[]> {
  return Promise.all(
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
}

/** A CREATE2 address holds the artifact's code unless something replaced it (hardhat_setCode, a metamorphic trick). */
function requireCompiledCode(artifacts: FacetArtifact[], planned: PlannedFacet[]): PlannedFacet[] {
  const foreign = planned.filter((f, i) => f.codehash !== keccak256(artifacts[i].artifact.deployedBytecode));
  if (foreign.length > 0) {
    throw new FacetPlanError(
      `The code at a planned facet's address is not its compiled runtime code; nothing was planned or sent:\n` +
        foreign
          .map(
            (f) =>
              `  - ${f.name} ${f.address}: on chain ${f.codehash}, compiled ${keccak256(artifacts.find((a) => a.name === f.name)!.artifact.deployedBytecode)}`,
          )
          .join("\n") +
        `\nFind out what replaced it; recompile if the source changed.`,
    );
  }
  return planned;
}

/**
 * The plan, with the first `application` whose timelock operation was never executed: after a rollback, the same
 * facets on the same routes give a new plan id (so a new salt), not the spent operation of the first application.
 */
async function buildFresh(reader: Reader, catalog: ContractCatalog, inputs: FacetPlanInputs): Promise<FacetPlan> {
  for (let application = 0; ; application++) {
    const plan = buildFacetPlan({ ...inputs, application });
    if (plan.kind !== "diamond" || plan.timelock === null || plan.status === "refused") return plan;
    const { timelock } = await forwardContext(catalog, plan);
    const at = operationState(
      (await namedRead(
        reader,
        getTimestampCall(timelock!.address, timelock!.operationId),
        "the diamond's timelock",
        "TimelockController getTimestamp(bytes32)",
      )) as bigint,
    );
    if (at.state !== "done") return plan;
  }
}

/** Deploys the facets (and the CREATE2 proxy where absent) through the engine. */
async function deployFacets(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  names: string[],
  steps: Step[],
  create2Factory: string | undefined,
  run: PlanFacetsOptions["run"],
): Promise<RunOutcome> {
  const planner: Planner<undefined> = {
    task: "diamond:plan",
    runKey: runKeys.diamondFacets(names),
    async observe() {
      return { facts: { create2Factory: create2Factory?.toLowerCase() ?? "" }, state: undefined };
    },
    plan: () => ({ steps }),
  };
  return runCutover(hre, conn, planner, { ...run, replan: false });
}

/**
 * diamond:plan. Checks first (from the artifacts and the predicted CREATE2 addresses), so a refused plan deploys
 * nothing; then deploys the facets that are not on chain yet through the engine; then builds the plan from the
 * facets' real on-chain code and writes plans/<network>/<planId>.json. A refused plan is written too, then thrown.
 */
export async function planFacets(
  hre: HardhatRuntimeEnvironment,
  conn: NetworkConnection,
  options: PlanFacetsOptions,
): Promise<PlanFacetsResult> {
  const root = hre.config.paths.root;
  const network = conn.networkName;
  const { target, names, allowTakeover } = parseOptions(options);
  const catalog = new ContractCatalog(hre);
  const provider = conn.ethers.provider;
  const chainId = Number((await provider.getNetwork()).chainId);
  const reader = new Reader(provider, catalog, await provider.getBlockNumber());
  const state = await requireTarget(reader, target, network, chainId, hre.config.cutover.diamond.dispatcherProfile);
  const artifacts = await facetArtifacts(catalog, names);

  const create2Factory = await findCreate2Factory(conn, reader.block);
  const signer = getAddress(options.signer);
  const steps: Step[] = create2Factory ? [] : [create2FactoryDeployStep(signer)];
  for (const { name } of artifacts) steps.push(create2FacetDeployStep(name, signer, !!create2Factory));

  const observed = await targetInputs(reader, catalog, state, { network, chainId, target }, options, allowTakeover);
  const live: LiveFacetView[] = await liveFacetViews(hre, network, reader, state.live);
  const predicted = new Addresses({}, catalog);
  await resolveCreate2Addresses({ steps }, predicted, catalog);
  const first = await buildFresh(reader, catalog, {
    ...observed,
    facets: requireCompiledCode(artifacts, await plannedFacets(artifacts, predicted.deployed, reader)),
    live,
  });
  const write = (plan: FacetPlan) => writePlanFile(root, network, plan);
  if (first.status === "refused") {
    const file = await write(first);
    throw new FacetPlanError(
      `Plan ${first.id} for ${target} is refused (written to ${path.relative(root, file)}); nothing was deployed or sent:\n` +
        first.reasons.map((r) => `  - ${r}`).join("\n"),
    );
  }
  const undeployed = artifacts.filter(({ name }) => !predicted.deployed[name]);
  const missing = [];
  for (const { name } of artifacts)
    if (!predicted.deployed[name] || !(await reader.hasCode(predicted.deployed[name]))) missing.push(name);
  if (missing.length === 0) return { plan: first, file: await write(first) };
  if (options.run.planOnly && undeployed.length === 0) {
    // The CREATE2 addresses and code hashes are known: the plan is exactly the one a deploying run writes.
    options.run.print?.(
      `plan only: ${missing.join(", ")} not deployed yet (diamond:plan without --plan-only deploys them through CREATE2)`,
    );
    return { plan: first, file: await write(first) };
  }

  const deployment = await deployFacets(hre, conn, names, steps, create2Factory, options.run);
  if (options.run.planOnly) return { plan: first, deployment };
  if (!deployment.report!.complete) {
    const failed = deployment.report!.results.filter((r) => r.status === "failed" || r.status === "blocked");
    throw new FacetPlanError(
      `Deploying the facets did not complete; no plan was written:\n${failed.map((r) => `  - ${r.label}: ${r.reason ?? r.status}`).join("\n")}\nFix it and run diamond:plan again: what is deployed stays.`,
    );
  }
  await writeRewireRecords(hre, conn, catalog, deployment);
  const after = new Reader(provider, catalog, await provider.getBlockNumber());
  const plan = await buildFresh(after, catalog, {
    ...observed,
    facets: requireCompiledCode(artifacts, await plannedFacets(artifacts, deployment.report!.deployed, after)),
    live,
  });
  const file = await write(plan);
  if (plan.status === "refused")
    throw new FacetPlanError(
      `Plan ${plan.id} for ${target} is refused (written to ${path.relative(root, file)}):\n` +
        plan.reasons.map((r) => `  - ${r}`).join("\n"),
    );
  return { plan, file, deployment };
}
