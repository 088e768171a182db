import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { getAddress, keccak256, ZeroAddress } from "ethers";
import { buildBatchFile } from "../safe/batch-file.js";
import { isSafeVersion, MULTISEND_CALL_ONLY, safeTxForBatch, safeTxHashes } from "../safe/safe-tx.js";
import type { ContractCatalog } from "./contracts.js";
import type { AwaitingOutcome, Executor, WaveOutcome } from "./executor.js";
import type { ChainProvider, TxOutcome, TxRequest } from "./executor-eoa.js";
import type { Journal } from "./journal.js";
import type { SafeProposal } from "./proposal.js";
import { Reader } from "./reader.js";
import { toJson } from "../util/json.js";

export interface SafeProposerOptions {
  safe: string;
  /** The run's folder: batch files are written there, next to the journal. */
  runDir: string;
  planId: string;
  task: string;
  network: string;
  /** The account that prepared the proposal (the run's signer), shown by the Transaction Builder. */
  owner: string;
  /** Step labels, for the batch's description. */
  labels: Record<string, string>;
  /** The artifact whose ABI each step's call is encoded with, by step id: the batch file shows it decoded. */
  contracts?: Record<string, string>;
  /** Where MultiSendCallOnly is (default: Safe v1.4.1's canonical address). Its code hash is checked before use. */
  multiSend?: string;
}

/**
 * Executes nothing: the Safe's ready steps of a wave become ONE proposal — a Transaction Builder batch file
 * (`safe-<nonce>.json` in the run's folder) and the SafeTx that runs it, with its hashes — and those steps are
 * "awaiting". A proposal still executable (its nonce not yet used) covers its steps on later runs instead of a new one,
 * so a rerun before the owners act proposes nothing new; once the Safe has executed it, the steps' on-chain checks
 * hold and the engine goes on.
 */
export class SafeProposer implements Executor {
  readonly safe: string;

  constructor(
    private readonly provider: ChainProvider,
    private readonly journal: Journal,
    private readonly catalog: ContractCatalog,
    private readonly options: SafeProposerOptions,
  ) {
    this.safe = getAddress(options.safe);
  }

  async sendWave(requests: TxRequest[]): Promise<WaveOutcome[]> {
    const reader = new Reader(this.provider, this.catalog, await this.provider.getBlockNumber());
    const chainNonce = (await reader.tryCall({ to: this.safe, contract: "ISafe", fn: "nonce", args: [] })) as
      bigint | undefined;
    if (chainNonce === undefined)
      return requests.map((r) =>
        this.#failed(
          r.stepId,
          `${this.safe} (--safe) does not answer nonce() like a Safe on this network; pass the Safe that holds this step's permission`,
        ),
      );

    // Proposals of this run whose nonce the Safe has not used yet: the latest one per nonce.
    const open = new Map<string, SafeProposal>();
    for (const entry of this.journal.entries()) {
      if (
        entry.type === "proposed" &&
        entry.executor === "safe" &&
        entry.authority.toLowerCase() === this.safe.toLowerCase() &&
        BigInt(entry.nonce) >= chainNonce
      )
        open.set(entry.nonce, entry);
    }
    const outcomes = new Map<string, WaveOutcome>();
    const fresh: TxRequest[] = [];
    for (const request of requests) {
      const covering = [...open.values()].find((p) => p.stepIds.includes(request.stepId));
      if (covering) outcomes.set(request.stepId, this.#awaiting(request.stepId, covering, chainNonce));
      else if (!request.to)
        outcomes.set(
          request.stepId,
          this.#failed(
            request.stepId,
            "a Safe proposal cannot deploy a contract (MultiSendCallOnly makes calls only); let the signer deploy it",
          ),
        );
      else fresh.push(request);
    }
    if (fresh.length > 0) {
      const nonce = [...open.keys()].reduce((max, n) => (BigInt(n) >= max ? BigInt(n) + 1n : max), chainNonce);
      const proposal = await this.#propose(reader, fresh, nonce);
      for (const request of fresh)
        outcomes.set(
          request.stepId,
          typeof proposal === "string"
            ? this.#failed(request.stepId, proposal)
            : this.#awaiting(request.stepId, proposal, chainNonce),
        );
    }
    return requests.map((r) => outcomes.get(r.stepId)!);
  }

  /**
   * The MultiSendCallOnly of the Safe's version (its VERSION()), at a published address whose code hash is the
   * published one; else why none can be used (a batch of several calls cannot be proposed then).
   */
  async #multiSend(reader: Reader): Promise<{ address: string } | string> {
    if (this.options.multiSend) return { address: getAddress(this.options.multiSend) };
    const version = String(await reader.tryCall({ to: this.safe, contract: "ISafe", fn: "VERSION", args: [] }));
    if (!isSafeVersion(version)) {
      return `the Safe ${this.safe} reports VERSION() ${version}; batches are proposed through the MultiSendCallOnly of Safe ${Object.keys(MULTISEND_CALL_ONLY).join(" or ")} only, so nothing was proposed. Send one call per wave (--sequential) or upgrade the Safe`;
    }
    const found: string[] = [];
    for (const deployment of MULTISEND_CALL_ONLY[version]) {
      const code = await reader.code(deployment.address);
      if (code !== "0x" && keccak256(code) === deployment.codeHash) return { address: getAddress(deployment.address) };
      found.push(`${deployment.address}: ${code === "0x" ? "no code" : `code hash ${keccak256(code)}`}`);
    }
    return `no Safe v${version} MultiSendCallOnly with the published code hash on this network (${found.join("; ")}; expected ${MULTISEND_CALL_ONLY[version][0].codeHash}); the Safe would DELEGATECALL it, so nothing was proposed. Deploy it at its canonical address (Safe singleton factory) first`;
  }

  async #interfaceOf(stepId: string) {
    const contract = this.options.contracts?.[stepId];
    return contract ? this.catalog.iface(contract).catch(() => undefined) : undefined;
  }

  async #propose(reader: Reader, requests: TxRequest[], nonce: bigint): Promise<SafeProposal | string> {
    const chainId = (await this.provider.getNetwork()).chainId;
    const multiSend = await this.#multiSend(reader);
    if (typeof multiSend === "string" && requests.length > 1) return multiSend;
    const calls = requests.map((r) => ({ to: r.to!, value: r.value.toString(), data: r.data }));
    const safeTx = safeTxForBatch(calls, nonce, {
      address: typeof multiSend === "string" ? ZeroAddress : multiSend.address,
      iface: await this.catalog.iface("IMultiSendCallOnly"),
    });
    const hashes = safeTxHashes(this.safe, chainId, safeTx);
    const file = `safe-${nonce}.json`;
    const proposal: SafeProposal = {
      executor: "safe",
      authority: this.safe,
      id: hashes.safeTxHash,
      stepIds: requests.map((r) => r.stepId),
      file,
      chainId: chainId.toString(),
      nonce: nonce.toString(),
      safeTx,
      ...hashes,
      calls: calls.length,
    };
    const batch = buildBatchFile({
      chainId,
      safe: this.safe,
      owner: this.options.owner,
      name: `${this.options.task} ${this.options.planId.slice(0, 10)} nonce ${nonce}`,
      description:
        `${this.options.task} on ${this.options.network}, plan ${this.options.planId}, Safe nonce ${nonce}, safeTxHash ${hashes.safeTxHash}: ` +
        requests.map((r) => this.options.labels[r.stepId] ?? r.stepId).join("; "),
      createdAt: Date.now(),
      transactions: calls,
      interfaces: await Promise.all(requests.map((r) => this.#interfaceOf(r.stepId))),
    });
    const target = path.join(this.options.runDir, file);
    mkdirSync(this.options.runDir, { recursive: true });
    // Written before it is journaled: a journaled proposal always has its file.
    writeFileSync(target, toJson(batch));
    this.journal.append({ type: "proposed", at: new Date().toISOString(), ...proposal });
    return proposal;
  }

  #awaiting(stepId: string, proposal: SafeProposal, chainNonce: bigint): AwaitingOutcome {
    const queue = BigInt(proposal.nonce) - chainNonce;
    return {
      stepId,
      awaiting: proposal,
      note: `proposed to Safe ${proposal.authority} (nonce ${proposal.nonce}${queue > 0n ? `, after ${queue} earlier Safe transaction(s)` : ""}), safeTxHash ${proposal.id}`,
    };
  }

  #failed(stepId: string, why: string): TxOutcome {
    this.journal.append({ type: "failed", stepId, reason: why });
    return { stepId, error: why };
  }

  recover(): Promise<TxOutcome | "dropped"> {
    throw new Error("The Safe proposer sends no transactions: nothing to recover");
  }
}
