// The settlement of an epoch: payouts per owner as an OpenZeppelin StandardMerkleTree, so a claim contract can
// check a payout with MerkleProof.verify and anyone can recompute the root from the ledger's readings.
// Leaf = keccak256(bytes.concat(keccak256(abi.encode(address owner, uint256 amount)))) and node = keccak256 of the
// sorted pair (@openzeppelin/merkle-tree README, "Validating a proof in Solidity"; standard-v1 format).
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import type { AcceptedReadingV1, DeviceRecordV1, RewardShareV1, SettlementV1 } from '../types.js';
import { UINT256_MAX, checkArray, checkInteger, checkObject, compareText, describe, parseAmount } from './arguments.js';
import type { RewardConfig } from './epochs.js';
import { normaliseOwner } from './owner-address.js';
import { computeShares } from './scoring.js';

/** The leaf types, in order: what a claim contract abi.encode()s. */
export const PAYOUT_LEAF_ENCODING: readonly string[] = Object.freeze(['address', 'uint256']);

/**
 * The root of a settlement with no payouts (no device earned): 32 zero bytes. No leaf hashes to it, so no proof
 * verifies against it; the tree is then null (StandardMerkleTree refuses an empty tree).
 */
export const EMPTY_ROOT = `0x${'00'.repeat(32)}`;

const HASH = /^0x[0-9a-f]{64}$/i;

type PayoutLeaf = [owner: string, amount: string];

/**
 * Aggregate shares into one payout per owner (an owner may have many devices), keep amounts > 0, sort by owner
 * (lowercase hex, ascending), and commit to them in a StandardMerkleTree. closedAt is recorded as given.
 */
export function buildSettlement(epoch: number, shares: readonly RewardShareV1[], closedAt: number): SettlementV1 {
  checkInteger(epoch, 'epoch', 0);
  checkInteger(closedAt, 'closedAt', 0);
  const perOwner = new Map<string, bigint>();
  const deviceIds = new Set<string>();
  checkArray(shares, 'shares').forEach((value, i) => {
    const share = checkObject(value, `shares[${i}]`);
    if (share.epoch !== epoch) throw new RangeError(`shares[${i}].epoch: expected ${epoch}, got ${describe(share.epoch)}`);
    if (typeof share.deviceId !== 'string') throw new TypeError(`shares[${i}].deviceId: expected a string, got ${describe(share.deviceId)}`);
    if (deviceIds.has(share.deviceId)) throw new RangeError(`shares[${i}].deviceId: ${share.deviceId} has two shares`);
    deviceIds.add(share.deviceId);
    const amount = parseAmount(share.amount, `shares[${i}].amount`);
    if (amount === 0n) return;
    if (share.owner === null) throw new RangeError(`shares[${i}].owner: null, but the amount is ${amount}; only an owner can be paid`);
    const owner = normaliseOwner(share.owner, `shares[${i}].owner`);
    perOwner.set(owner, (perOwner.get(owner) ?? 0n) + amount);
  });

  const payouts = [...perOwner.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([owner, amount]) => {
      if (amount > UINT256_MAX) throw new RangeError(`shares: the payout to ${owner} (${amount}) does not fit uint256`);
      return { owner, amount: amount.toString() };
    });
  const total = [...perOwner.values()].reduce((sum, a) => sum + a, 0n);

  if (payouts.length === 0) return { v: 1, epoch, root: EMPTY_ROOT, total: '0', payouts, tree: null, closedAt };
  // Amounts as decimal strings: the ABI encoder takes them for uint256, and the dump stays JSON (no bigint).
  const tree = StandardMerkleTree.of<PayoutLeaf>(payouts.map((p) => [p.owner, p.amount]), [...PAYOUT_LEAF_ENCODING]);
  return { v: 1, epoch, root: tree.root, total: total.toString(), payouts, tree: tree.dump(), closedAt };
}

/** The payout of an owner and its Merkle proof, or undefined when the owner is not paid this epoch. */
export function proveOwner(settlement: SettlementV1, owner: string): { amount: string; proof: string[] } | undefined {
  const s = checkObject(settlement, 'settlement');
  const wanted = normaliseOwner(owner, 'owner');
  const payouts = checkArray(s.payouts, 'settlement.payouts') as SettlementV1['payouts'];
  const payout = payouts.find((p) => p.owner === wanted);
  if (!payout) return undefined;
  const encoding = (s.tree as { leafEncoding?: unknown } | null)?.leafEncoding;
  if (!Array.isArray(encoding) || encoding.join() !== PAYOUT_LEAF_ENCODING.join()) {
    throw new RangeError(`settlement.tree: leaf encoding is not [${PAYOUT_LEAF_ENCODING.join(', ')}]`);
  }
  let tree: StandardMerkleTree<PayoutLeaf>;
  try {
    tree = StandardMerkleTree.load(s.tree as Parameters<typeof StandardMerkleTree.load<PayoutLeaf>>[0]);
  } catch (error) {
    throw new RangeError(`settlement.tree: not a valid StandardMerkleTree dump (${(error as Error).message})`);
  }
  if (tree.root !== s.root) throw new RangeError(`settlement.tree: its root ${tree.root} is not settlement.root ${describe(s.root)}`);
  let proof: string[];
  try {
    proof = tree.getProof([payout.owner, payout.amount]);
  } catch {
    throw new RangeError(`settlement.payouts: the payout ${payout.owner} ${payout.amount} is not a leaf of settlement.tree`);
  }
  return { amount: payout.amount, proof };
}

/**
 * true when [owner, amount] is a leaf under root with this proof (StandardMerkleTree.verify, the off-chain twin of
 * OpenZeppelin MerkleProof.verify). false for a valid-shaped but wrong payout; TypeError/RangeError for bad shapes.
 */
export function verifyPayout(root: string, owner: string, amount: string | bigint, proof: readonly string[]): boolean {
  if (typeof root !== 'string' || !HASH.test(root)) throw new TypeError(`root: expected 0x + 64 hex digits, got ${describe(root)}`);
  const who = normaliseOwner(owner, 'owner');
  let value: bigint;
  if (typeof amount === 'bigint') {
    if (amount < 0n || amount > UINT256_MAX) throw new RangeError(`amount: expected 0..2^256-1, got ${amount}`);
    value = amount;
  } else {
    value = parseAmount(amount, 'amount');
  }
  checkArray(proof, 'proof').forEach((node, i) => {
    if (typeof node !== 'string' || !HASH.test(node)) throw new TypeError(`proof[${i}]: expected 0x + 64 hex digits, got ${describe(node)}`);
  });
  return StandardMerkleTree.verify<PayoutLeaf>(root.toLowerCase(), [...PAYOUT_LEAF_ENCODING], [who, value.toString()], [...proof]);
}

/** Anyone's recomputation of an epoch from the ledger's readings and registry: computeShares, then buildSettlement. */
export function recomputeSettlement(
  epoch: number,
  readings: readonly AcceptedReadingV1[],
  devices: readonly DeviceRecordV1[],
  cfg: RewardConfig,
  closedAt: number,
): SettlementV1 {
  return buildSettlement(epoch, computeShares(epoch, readings, devices, cfg), closedAt);
}

/**
 * Same money: same version, epoch, root, total and payouts (owner and amount, in order). closedAt (when each side
 * closed it) and the tree dump (derived from the payouts, and checked against the root by proveOwner) are not compared.
 */
export function sameSettlement(a: SettlementV1, b: SettlementV1): boolean {
  checkObject(a, 'a');
  checkObject(b, 'b');
  checkArray(a.payouts, 'a.payouts');
  checkArray(b.payouts, 'b.payouts');
  return (
    a.v === b.v &&
    a.epoch === b.epoch &&
    a.root === b.root &&
    a.total === b.total &&
    a.payouts.length === b.payouts.length &&
    a.payouts.every((p, i) => p.owner === b.payouts[i]!.owner && p.amount === b.payouts[i]!.amount)
  );
}
