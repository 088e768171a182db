// The whole-plan preflight: when steps call contracts the plan itself deploys (the per-step preflight cannot simulate
// those), every step still to send is sent in plan order on a throwaway copy of the chain (src/fork/throwaway.ts), its
// senders impersonated. A step that reverts there stops the run before anything is sent; the gas each step used there
// becomes its gas limit for the real send.
import type { Interface } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import { Addresses, buildTransaction, stepDone } from "../engine/apply.js";
import { contractLabel } from "../engine/contracts.js";
import { resolveCreate2Addresses } from "../engine/create2.js";
import type { TxRequest } from "../engine/executor-eoa.js";
import { containsEncoded, describeValue } from "../engine/plan.js";
import { revertReason } from "../engine/preflight.js";
import { Reader } from "../engine/reader.js";
import type { PlanSimulation } from "../engine/run.js";
import type { Plan, Step } from "../engine/types.js";
import { PlanSimulationError } from "../errors.js";
import { throwawayChain } from "../fork/throwaway.js";
import { impersonate } from "./authorities.js";

/** EIP-7825's cap on one transaction's gas. */
const MAX_TX_GAS = 2n ** 24n;

/** True when a step still to send calls a contract the plan deploys (or encodes one into its calldata). */
export function dependsOnNewContracts(pending: Step[]): boolean {
  return pending.some(
    (step) =>
      step.kind === "call" &&
      step.actions.some((a) => typeof a.call.to !== "string" || a.call.args.some(containsEncoded)),
  );
}

/** The engine hook (RunOptions.simulate): the gas each pending step used on the throwaway copy, by step id. */
export function wholePlanSimulation(hre: HardhatRuntimeEnvironment): PlanSimulation {
  return async ({ conn, plan, pending, addresses, block }) => {
    if (!dependsOnNewContracts(pending)) return undefined;
    const chain = await throwawayChain(hre, conn, block);
    try {
      return await sendInOrder(chain.conn, plan, pending, addresses, chain.where);
    } catch (error) {
      // the fork's own error for a read it could not make says less than the relay's "could not read X from <rpc>"
      throw chain.readFailure?.() ?? error;
    } finally {
      await chain.close();
    }
  };
}

/** Sends each pending step in plan order as its impersonated sender; throws PlanSimulationError on the first revert. */
async function sendInOrder(
  fork: NetworkConnection,
  plan: Plan,
  pending: Step[],
  known: Addresses,
  where: string,
): Promise<Record<string, bigint>> {
  const catalog = known.catalog!;
  const provider = fork.ethers.provider;
  const addresses = new Addresses({ ...known.deployed }, catalog);
  for (const [id, sent] of known.confirmed) addresses.confirmed.set(id, sent);
  await impersonate(fork, [...new Set(pending.filter((s) => s.kind !== "presigned").map((s) => s.from))]);
  // A whole block's gas, within the per-transaction cap of Osaka (EIP-7825): the node then estimates nothing.
  const blockGas = (await provider.getBlock("latest"))?.gasLimit ?? MAX_TX_GAS;
  const gas = blockGas < MAX_TX_GAS ? blockGas : MAX_TX_GAS;
  const gasUsed: Record<string, bigint> = {};
  for (const step of pending) {
    if (step.kind === "presigned") {
      await provider.send("hardhat_setBalance", [step.deployer, `0x${BigInt(step.funding).toString(16)}`]);
      await provider.send("eth_sendRawTransaction", [step.rawTransaction]).catch(() => undefined);
      continue;
    }
    await resolveCreate2Addresses(plan, addresses, catalog);
    const reader = new Reader(provider, catalog, await provider.getBlockNumber());
    // done by the steps before it (the real run then skips it too)
    if (await stepDone(reader, step, addresses)) continue;
    const request = await buildTransaction(step, reader, addresses, catalog);
    const receipt = await send(fork, request, gas);
    if (!receipt || receipt.status !== 1) {
      const why = await whyReverted(fork, step, request, addresses, plan);
      throw new PlanSimulationError(step.id, step.label, target(step, request, plan), why, where);
    }
    if (step.kind === "deploy" && !step.create2 && receipt.contractAddress)
      addresses.deployed[step.record] = receipt.contractAddress;
    gasUsed[step.id] = receipt.gasUsed;
  }
  return gasUsed;
}

/** The transaction mined on the copy (gas given, so the node estimates nothing); undefined when it reverted. */
async function send(fork: NetworkConnection, request: TxRequest, gas: bigint) {
  const { from, to, data, value } = request;
  const tx = { from, ...(to ? { to } : {}), data, value: `0x${value.toString(16)}`, gas: `0x${gas.toString(16)}` };
  try {
    const hash = (await fork.provider.request({ method: "eth_sendTransaction", params: [tx] })) as string;
    return (await fork.ethers.provider.waitForTransaction(hash)) ?? undefined;
  } catch (error) {
    // a revert; anything else (a read of the forked state that failed) is no answer about the plan
    if (/revert|VM Exception|invalid opcode|out of gas/i.test(String((error as Error)?.message))) return undefined;
    throw error;
  }
}

/** The revert of the same transaction as a call (state as it was before it), decoded with the target's errors. */
async function whyReverted(
  fork: NetworkConnection,
  step: Step,
  request: TxRequest,
  addresses: Addresses,
  plan: Plan,
): Promise<string> {
  const { from, to, data, value } = request;
  const contract = step.kind === "deploy" ? step.contract : step.kind === "call" ? step.actions[0].call.contract : "";
  let iface: Interface | undefined;
  try {
    iface = contract ? await addresses.catalog!.iface(contract) : undefined;
  } catch {
    // no ABI to decode with: the raw reason
  }
  try {
    await fork.ethers.provider.call({ from, to, data, value });
    return "reverted (out of gas, or only in the context of the transactions before it)";
  } catch (error) {
    return iface ? revertReason(iface, error, plan.labels) : String((error as Error).message);
  }
}

/** What the step calls, for the message: `Contract <address>.fn(args)`, or the deployment. */
function target(step: Step, request: TxRequest, plan: Plan): string {
  if (step.kind === "deploy") return `deploying ${step.contract} as ${step.record}`;
  if (step.kind !== "call") return step.label;
  return step.actions
    .map(
      (a) =>
        `${contractLabel(a.call.contract)} ${request.to}.${a.call.fn}(${a.call.args.map((v) => describeValue(v, plan.labels)).join(", ")})`,
    )
    .join("; ");
}
