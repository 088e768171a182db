// An ERC-20 balance at the reader's pinned block (the collateral token's: USDC, 6 decimals, in token units).
import type { Reader } from "../engine/reader.js";

export const BALANCE_OF = "function balanceOf(address account) view returns (uint256)";

export async function tokenBalance(reader: Reader, token: string, holder: string): Promise<bigint> {
  return BigInt(String(await reader.call({ to: token, contract: BALANCE_OF, fn: "balanceOf", args: [holder] })));
}
