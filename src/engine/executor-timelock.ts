import { getAddress } from "ethers";
import { describeWait } from "../timelock/duration.js";
import {
  getTimestampCall,
  hashOperationBatch,
  NO_PREDECESSOR,
  operationState,
  timelockSalt,
} from "../timelock/operation.js";
import type { ContractCatalog } from "./contracts.js";
import { EXECUTOR_STEP_PREFIX, isAwaiting, type AwaitingOutcome, type Executor, type WaveOutcome } from "./executor.js";
import type { ChainProvider, TxOutcome, TxReceiptSummary, TxRequest } from "./executor-eoa.js";
import type { Journal } from "./journal.js";
import type { TimelockProposal } from "./proposal.js";
import { Reader } from "./reader.js";

export interface TimelockExecutorOptions {
  timelock: string;
  /** Sends scheduleBatch (needs PROPOSER_ROLE) and executeBatch (needs EXECUTOR_ROLE, unless that role is open). */
  signer: string;
  planId: string;
}

/**
 * Steps whose authority is a TimelockController: the timelock's ready steps of a wave become one `scheduleBatch`
 * (sent by the signer, a PROPOSER), chained to the run's previous batch on that timelock (predecessor), with the
 * minimum delay; they are "awaiting" until the ETA. Run again after it and the batch is executed (`executeBatch`, by
 * the signer); before it, the outcome says how long remains. The timelock's own transactions go through `sender` (the
 * EOA executor), so they are journaled and crash-safe like any other.
 */
export class TimelockExecutor implements Executor {
  readonly timelock: string;

  constructor(
    private readonly provider: ChainProvider,
    private readonly journal: Journal,
    private readonly catalog: ContractCatalog,
    private readonly sender: Executor,
    private readonly options: TimelockExecutorOptions,
  ) {
    this.timelock = getAddress(options.timelock);
  }

  async #reader(): Promise<{ reader: Reader; now: number }> {
    const latest = await this.provider.getBlock("latest");
    return { reader: new Reader(this.provider, this.catalog, latest!.number), now: latest!.timestamp };
  }

  #timestamp(reader: Reader, id: string): Promise<bigint> {
    return reader.call(getTimestampCall(this.timelock, id)) as Promise<bigint>;
  }

  /** This run's batches on the timelock, by batch number (the latest entry for each). */
  #batches(): Map<number, TimelockProposal> {
    const batches = new Map<number, TimelockProposal>();
    for (const entry of this.journal.entries()) {
      if (
        entry.type === "proposed" &&
        entry.executor === "timelock" &&
        entry.authority.toLowerCase() === this.timelock.toLowerCase()
      )
        batches.set(entry.batch, entry);
    }
    return batches;
  }

  async sendWave(requests: TxRequest[], onSent: (stepId: string, hash: string) => void): Promise<WaveOutcome[]> {
    const outcomes = new Map<string, WaveOutcome>();
    const batches = this.#batches();
    const { reader, now } = await this.#reader();
    if (
      (await reader.tryCall({ to: this.timelock, contract: "Timelock", fn: "getMinDelay", args: [] })) === undefined
    ) {
      return requests.map((r) =>
        this.#failed(
          r.stepId,
          `${this.timelock} (--timelock) does not answer getMinDelay() like a TimelockController on this network`,
        ),
      );
    }
    const fresh: TxRequest[] = [];
    const due: TimelockProposal[] = [];
    for (const request of requests) {
      const batch = [...batches.values()].find((b) => b.stepIds.includes(request.stepId));
      if (!batch) {
        fresh.push(request);
        continue;
      }
      const operation = operationState(await this.#timestamp(reader, batch.id));
      if (operation.state === "unset")
        fresh.push(request); // cancelled: schedule again
      else if (operation.state === "done")
        outcomes.set(
          request.stepId,
          this.#failed(
            request.stepId,
            `timelock operation ${batch.id} was executed, but this step's effect is not on chain`,
          ),
        );
      else if (operation.eta > now) outcomes.set(request.stepId, this.#awaiting(request.stepId, batch, now));
      else if (!due.includes(batch)) due.push(batch);
    }
    // Due batches in their order (each is the next one's predecessor), each executed once for all its steps.
    for (const batch of due.sort((a, b) => a.batch - b.batch)) {
      const mine = requests.filter((r) => batch.stepIds.includes(r.stepId) && !outcomes.has(r.stepId));
      const data = (await this.catalog.iface("Timelock")).encodeFunctionData("executeBatch", [
        batch.targets,
        batch.values,
        batch.payloads,
        batch.predecessor,
        batch.salt,
      ]);
      const [sent] = await this.sender.sendWave(
        [
          {
            stepId: `${EXECUTOR_STEP_PREFIX}timelock:execute:${batch.batch}`,
            from: this.options.signer,
            to: this.timelock,
            data,
            value: 0n,
          },
        ],
        (_id, hash) => onSent(mine[0].stepId, hash),
      );
      for (const request of mine)
        outcomes.set(
          request.stepId,
          "error" in sent
            ? { stepId: request.stepId, error: `executeBatch of timelock operation ${batch.id}: ${sent.error}` }
            : isAwaiting(sent)
              ? sent
              : { stepId: request.stepId, receipt: sent.receipt },
        );
    }
    if (fresh.length > 0) {
      const scheduled = await this.#schedule(fresh, batches, onSent);
      for (const request of fresh)
        outcomes.set(
          request.stepId,
          typeof scheduled === "string"
            ? { stepId: request.stepId, error: scheduled }
            : this.#awaiting(request.stepId, scheduled.proposal, scheduled.now, scheduled.receipt),
        );
    }
    return requests.map((r) => outcomes.get(r.stepId)!);
  }

  async #schedule(
    requests: TxRequest[],
    batches: Map<number, TimelockProposal>,
    onSent: (stepId: string, hash: string) => void,
  ): Promise<{ proposal: TimelockProposal; now: number; receipt?: TxReceiptSummary } | string> {
    const iface = await this.catalog.iface("Timelock");
    const previous = [...batches.values()].sort((a, b) => b.batch - a.batch)[0];
    const batch = (previous?.batch ?? 0) + 1;
    const targets = requests.map((r) => getAddress(r.to!));
    const values = requests.map((r) => r.value.toString());
    const payloads = requests.map((r) => r.data);
    const predecessor = previous?.id ?? NO_PREDECESSOR;
    const salt = timelockSalt(this.options.planId, batch);
    let { reader } = await this.#reader();
    const delay = (await reader.call({
      to: this.timelock,
      contract: "Timelock",
      fn: "getMinDelay",
      args: [],
    })) as bigint;
    const id = hashOperationBatch(targets, values, payloads, predecessor, salt);
    let receipt: TxReceiptSummary | undefined;
    // Scheduled already by an earlier process that stopped before journaling it: only the journal entry is missing.
    if (operationState(await this.#timestamp(reader, id)).state === "unset") {
      const data = iface.encodeFunctionData("scheduleBatch", [targets, values, payloads, predecessor, salt, delay]);
      const [sent] = await this.sender.sendWave(
        [
          {
            stepId: `${EXECUTOR_STEP_PREFIX}timelock:schedule:${batch}`,
            from: this.options.signer,
            to: this.timelock,
            data,
            value: 0n,
          },
        ],
        (_id, hash) => onSent(requests[0].stepId, hash),
      );
      if ("error" in sent) return `scheduleBatch on timelock ${this.timelock}: ${sent.error}`;
      if (isAwaiting(sent))
        return `scheduleBatch on timelock ${this.timelock} cannot itself wait for another authority`;
      if (sent.receipt.status !== 1)
        return `scheduleBatch on timelock ${this.timelock} reverted (${sent.receipt.hash}); the signer needs PROPOSER_ROLE`;
      receipt = sent.receipt;
    }
    const latest = await this.#reader();
    reader = latest.reader;
    const eta = Number(await this.#timestamp(reader, id));
    const proposal: TimelockProposal = {
      executor: "timelock",
      authority: this.timelock,
      id,
      stepIds: requests.map((r) => r.stepId),
      batch,
      targets,
      values,
      payloads,
      predecessor,
      salt,
      delay: delay.toString(),
      eta,
      ...(receipt ? { scheduledBy: receipt.hash } : {}),
    };
    this.journal.append({ type: "proposed", at: new Date().toISOString(), ...proposal });
    return { proposal, now: latest.now, receipt };
  }

  #awaiting(stepId: string, proposal: TimelockProposal, now: number, receipt?: TxReceiptSummary): AwaitingOutcome {
    const remaining = proposal.eta - now;
    return {
      stepId,
      awaiting: proposal,
      note: `scheduled on timelock ${proposal.authority} (operation ${proposal.id}, batch ${proposal.batch}): executable at ${new Date(proposal.eta * 1000).toISOString()}, ${remaining > 0 ? `in ${describeWait(remaining)}` : "now"}`,
      ...(receipt ? { receipt } : {}),
    };
  }

  #failed(stepId: string, why: string): TxOutcome {
    this.journal.append({ type: "failed", stepId, reason: why });
    return { stepId, error: why };
  }

  recover(): Promise<TxOutcome | "dropped"> {
    throw new Error("The timelock executor's transactions are recovered by the executor that sent them");
  }
}
