import type { Value } from "../engine/types.js";
import { keccak256, toUtf8Bytes, ZeroHash } from "ethers";

export const VAULT_ROLES = [
  "DEFAULT_ADMIN_ROLE",
  "FACTORY_ROLE",
  "SETTLEMENT_ROLE",
  "EXTERNAL_CREDITOR_ROLE",
  "ORDERBOOK_ROLE",
] as const;
export type VaultRole = (typeof VAULT_ROLES)[number];

export function roleId(role: VaultRole): string {
  return role === "DEFAULT_ADMIN_ROLE" ? ZeroHash : keccak256(toUtf8Bytes(role));
}

export function roleName(id: string): string {
  return VAULT_ROLES.find((role) => roleId(role) === id.toLowerCase()) ?? id;
}

export interface FacetCutTemplate {
  facetAddress: string;
  action: number;
  functionSelectors: string[];
}

/** The legacy system around one CoreVault, as read from chain at one block. */
export interface LegacySystem {
  block: number;
  chainId: number;
  vault: string;
  collateral: string;
  collateralDecimals: number;
  liquidationManager: string;
  /** The values of the profile's MMR setter, in its order (the reference mock has four). */
  mmrParams: string[];
  paused: boolean;
  libraries: { VaultAnalytics: string; PositionManager: string };
  roles: Record<VaultRole, { admin: string; holders: string[] }>;
  orderBooks: string[];
  markets: { marketId: string; orderBook: string }[];
  factory?: {
    address: string;
    /** Undefined where the factory's vault has no getter (dexetra-v5's immutable one). */
    vault?: string;
    updatable: boolean;
    orderBookInit?: string;
    facetTemplate?: FacetCutTemplate[];
    /** Values the profile keeps from the old factory for its replacement (profile `factory.keep`). */
    keep?: Record<string, Value>;
  };
  hub?: { address: string; vault: string; keep?: Record<string, Value> };
}
