// The aggregated record in the production protocol's own layout (Dexetra v5's deploy scripts):
// `deployments/<network>-deployment.json` = { network, chainId, timestamp, deployer, contracts: { CORE_VAULT, MOCK_USDC,
// …, ALUMINUM_ORDERBOOK, ALUMINUM_MARKET_ID }, allUsers: [{ index, address, role }], aluminumMarket }. Unlike the
// reference layout (schema.ts) it has no list of markets: one market is named, the others are found on chain.
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { CutoverInputError } from "../errors.js";
import { writeAtomically } from "../util/fs.js";
import { toJson } from "../util/json.js";
import { systemRecordPath } from "./records.js";

export const DexetraDeploymentRecordSchema = z
  .object({
    network: z.string(),
    chainId: z.number().int(),
    timestamp: z.string(),
    deployer: z.string(),
    /** CORE_VAULT, MOCK_USDC, VAULT_ANALYTICS, POSITION_MANAGER, LIQUIDATION_MANAGER, COLLATERAL_HUB, … to addresses or ids. */
    contracts: z.record(z.string()),
    allUsers: z.array(z.object({ index: z.number().int(), address: z.string(), role: z.string() })),
    aluminumMarket: z.object({ marketId: z.string(), symbol: z.string(), orderBook: z.string() }).optional(),
  })
  .passthrough();

export type DexetraDeploymentRecord = z.infer<typeof DexetraDeploymentRecordSchema>;

export async function writeDexetraRecord(root: string, record: DexetraDeploymentRecord): Promise<void> {
  await writeAtomically(systemRecordPath(root, record.network), toJson(record));
}

/** The record of `network`, validated: a field of the wrong shape is an error naming the file and the field. */
export async function readDexetraRecord(root: string, network: string): Promise<DexetraDeploymentRecord> {
  const file = systemRecordPath(root, network);
  const value: unknown = JSON.parse(await readFile(file, "utf8"));
  const parsed = DexetraDeploymentRecordSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new CutoverInputError(
    `field "${issue.path.join(".") || "(the whole file)"}" of ${file}`,
    issue.path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], value) ??
      "(missing)",
    `${issue.message}; the protocol's deploy scripts (or mocks:deploy-system --profile dexetra-v5) write it`,
  );
}
