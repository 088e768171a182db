// Merkle manifest for ManifestDispatcher: identical rules on both sides (see contracts/dispatcher/ManifestDispatcher.sol).
//
//   leaf       = keccak256(abi.encode(bytes4 selector, address facet, bytes32 codehash))
//   leaf node  = keccak256(0x00 ‖ leaf)
//   inner node = keccak256(0x01 ‖ left ‖ right)        position-aware, pairs are NOT sorted
//   odd level  : "promote" (default, our mock's builder): the last node has no sibling and is promoted unchanged to
//                the next level, so its proof has no entry for that level (proofs may differ in length);
//                "duplicate" (PayRox's off-chain builder): the last node is paired with itself, H(0x01 ‖ n ‖ n), and
//                its proof holds itself on the right. The on-chain verifier is the same for both.
//   isRight[i] : true when the sibling at level i is on the RIGHT of the running hash.
//
// The tree is built over the entries in the order given; a deterministic order is the caller's business.
import { AbiCoder, concat, getAddress, keccak256 } from "ethers";

export interface ManifestEntry {
  selector: string; // 0x + 8 hex
  facet: string;
  codehash: string; // 0x + 64 hex
}

export interface ManifestProof {
  proof: string[];
  isRight: boolean[];
}

export interface ManifestTree {
  root: string;
  leaves: string[];
  proofs: ManifestProof[];
}

const LEAF_PREFIX = "0x00";
const NODE_PREFIX = "0x01";

export function manifestLeaf(selector: string, facet: string, codehash: string): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(["bytes4", "address", "bytes32"], [selector, getAddress(facet), codehash]),
  );
}

export function hashLeafNode(leaf: string): string {
  return keccak256(concat([LEAF_PREFIX, leaf]));
}

export function hashInnerNode(left: string, right: string): string {
  return keccak256(concat([NODE_PREFIX, left, right]));
}

/** How a node without a sibling on an odd level is carried up (see the header). */
export type OddNodeRule = "promote" | "duplicate";

export function buildManifestTree(entries: readonly ManifestEntry[], oddNode: OddNodeRule = "promote"): ManifestTree {
  if (entries.length === 0) throw new Error("buildManifestTree: entries is empty; a manifest needs at least one route");
  const leaves = entries.map((e) => manifestLeaf(e.selector, e.facet, e.codehash));
  const proofs: ManifestProof[] = entries.map(() => ({ proof: [], isRight: [] }));
  // positions[k] = index of entry k's running node on the current level
  const positions = entries.map((_, k) => k);
  let level = leaves.map(hashLeafNode);

  while (level.length > 1) {
    for (let k = 0; k < entries.length; k++) {
      const i = positions[k];
      const sibling = i ^ 1;
      if (sibling < level.length || oddNode === "duplicate") {
        proofs[k].proof.push(level[Math.min(sibling, level.length - 1)]);
        proofs[k].isRight.push(sibling > i);
      }
      positions[k] = i >> 1;
    }
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) {
      if (i + 1 < level.length) next.push(hashInnerNode(level[i], level[i + 1]));
      else next.push(oddNode === "duplicate" ? hashInnerNode(level[i], level[i]) : level[i]);
    }
    level = next;
  }
  return { root: level[0], leaves, proofs };
}

export function verifyManifestProof(
  root: string,
  entry: ManifestEntry,
  proof: readonly string[],
  isRight: readonly boolean[],
): boolean {
  if (proof.length !== isRight.length) return false;
  let node = hashLeafNode(manifestLeaf(entry.selector, entry.facet, entry.codehash));
  for (let i = 0; i < proof.length; i++) {
    node = isRight[i] ? hashInnerNode(node, proof[i]) : hashInnerNode(proof[i], node);
  }
  return node.toLowerCase() === root.toLowerCase();
}
