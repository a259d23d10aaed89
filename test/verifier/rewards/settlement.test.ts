import test from 'ava';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { concatBytes, fromHex, toHex } from '../../../src/core/bytes.js';
import type { RewardShareV1, SettlementV1 } from '../../../src/verifier/types.js';
import { EMPTY_ROOT, PAYOUT_LEAF_ENCODING, buildSettlement, proveOwner, sameSettlement, verifyPayout } from '../../../src/verifier/rewards/settlement.js';

const EPOCH = 5;
const CLOSED_AT = 1767229200000;
const alice = `0x${'a1'.repeat(20)}`;
const bob = `0x${'b2'.repeat(20)}`;
const carol = `0x${'c3'.repeat(20)}`;

function share(deviceId: string, owner: string | null, amount: bigint, outcome: RewardShareV1['outcome'] = 'earned'): RewardShareV1 {
  return { epoch: EPOCH, deviceId, owner, score: 0.5, amount: amount.toString(), outcome };
}

const shares: RewardShareV1[] = [
  share('d1', alice, 300n),
  share('d2', bob, 125n),
  share('d3', alice, 75n), // alice owns two devices
  share('d4', carol, 2n ** 70n), // beyond 2^53: decimal strings all the way
  share('d5', bob, 0n, 'area_full'),
  share('d6', null, 0n, 'no_owner'),
  share('d7', `0x${'DD'.repeat(20)}`, 0n, 'below_quality'),
];

// --- an independent implementation of the OpenZeppelin standard tree, from the published algorithm, with noble's
// keccak and a hand-written ABI encoding (Solidity ABI spec: address and uint256 each left-padded to 32 bytes).
const hash = (b: Uint8Array) => keccak_256(b);
const word = (value: bigint) => fromHex(value.toString(16).padStart(64, '0'));
const leafOf = (owner: string, amount: string) => hash(hash(concatBytes(word(BigInt(owner)), word(BigInt(amount)))));
const compare = (a: Uint8Array, b: Uint8Array) => (toHex(a) < toHex(b) ? -1 : toHex(a) > toHex(b) ? 1 : 0); // bytewise
const nodeOf = (a: Uint8Array, b: Uint8Array) => hash(compare(a, b) <= 0 ? concatBytes(a, b) : concatBytes(b, a));
function independentRoot(payouts: { owner: string; amount: string }[]): string {
  const leaves = payouts.map((p) => leafOf(p.owner, p.amount)).sort(compare);
  const tree = new Array<Uint8Array>(2 * leaves.length - 1);
  leaves.forEach((leaf, i) => (tree[tree.length - 1 - i] = leaf));
  for (let i = tree.length - 1 - leaves.length; i >= 0; i--) tree[i] = nodeOf(tree[2 * i + 1]!, tree[2 * i + 2]!);
  return `0x${toHex(tree[0]!)}`;
}
/** What OpenZeppelin MerkleProof.processProof computes on chain. */
const processProof = (leaf: Uint8Array, proof: string[]) => `0x${toHex(proof.reduce((acc, p) => nodeOf(acc, fromHex(p.slice(2))), leaf))}`;

test('payouts are aggregated per owner, zero amounts dropped, sorted by owner', (t) => {
  const s = buildSettlement(EPOCH, shares, CLOSED_AT);
  t.deepEqual(s.payouts, [
    { owner: alice, amount: (300n + 75n).toString() },
    { owner: bob, amount: '125' },
    { owner: carol, amount: (2n ** 70n).toString() },
  ]);
  t.is(s.total, (300n + 75n + 125n + 2n ** 70n).toString());
  t.like(s, { v: 1, epoch: EPOCH, closedAt: CLOSED_AT });
});

test('owners written in different letter case are one payout', (t) => {
  const s = buildSettlement(EPOCH, [share('d1', `0x${'AB'.repeat(20)}`, 1n), share('d2', `0x${'ab'.repeat(20)}`, 2n)], CLOSED_AT);
  t.deepEqual(s.payouts, [{ owner: `0x${'ab'.repeat(20)}`, amount: '3' }]);
});

test('the root matches OpenZeppelin StandardMerkleTree.of on the same leaves in another order', (t) => {
  const s = buildSettlement(EPOCH, shares, CLOSED_AT);
  const leaves = [...s.payouts].reverse().map((p) => [p.owner, p.amount]);
  t.is(StandardMerkleTree.of(leaves, ['address', 'uint256']).root, s.root);
});

test('the root matches an independent keccak implementation of the standard tree', (t) => {
  const s = buildSettlement(EPOCH, shares, CLOSED_AT);
  t.is(independentRoot(s.payouts), s.root);
});

test('the tree is a StandardMerkleTree dump that loads back to the root', (t) => {
  const s = buildSettlement(EPOCH, shares, CLOSED_AT);
  const tree = StandardMerkleTree.load(s.tree as Parameters<typeof StandardMerkleTree.load>[0]);
  t.is(tree.root, s.root);
  t.deepEqual((s.tree as { leafEncoding: string[] }).leafEncoding, [...PAYOUT_LEAF_ENCODING]);
  t.deepEqual(JSON.parse(JSON.stringify(s)), s); // JSON-safe: no bigint, no bytes
});

test('a proof for every owner verifies, with the library and as MerkleProof.sol would', (t) => {
  const s = buildSettlement(EPOCH, shares, CLOSED_AT);
  for (const p of s.payouts) {
    const proved = proveOwner(s, p.owner)!;
    t.is(proved.amount, p.amount);
    t.true(verifyPayout(s.root, p.owner, proved.amount, proved.proof));
    t.true(verifyPayout(s.root, p.owner, BigInt(proved.amount), proved.proof));
    t.is(processProof(leafOf(p.owner, p.amount), proved.proof), s.root);
  }
});

test('a tampered amount does not verify', (t) => {
  const s = buildSettlement(EPOCH, shares, CLOSED_AT);
  const { amount, proof } = proveOwner(s, alice)!;
  t.false(verifyPayout(s.root, alice, (BigInt(amount) + 1n).toString(), proof));
  t.false(verifyPayout(s.root, alice, '0', proof));
});

test("another owner's address with a valid proof does not verify", (t) => {
  const s = buildSettlement(EPOCH, shares, CLOSED_AT);
  const { amount, proof } = proveOwner(s, alice)!;
  t.false(verifyPayout(s.root, bob, amount, proof));
  t.false(verifyPayout(s.root, `0x${'ee'.repeat(20)}`, amount, proof));
});

test('a proof against another root does not verify', (t) => {
  const s = buildSettlement(EPOCH, shares, CLOSED_AT);
  const other = buildSettlement(EPOCH, [share('d1', alice, 375n)], CLOSED_AT);
  const { amount, proof } = proveOwner(s, alice)!;
  t.false(verifyPayout(other.root, alice, amount, proof));
});

test('proveOwner accepts any letter case and returns undefined for an unpaid owner', (t) => {
  const s = buildSettlement(EPOCH, shares, CLOSED_AT);
  t.deepEqual(proveOwner(s, alice.toUpperCase().replace('0X', '0x')), proveOwner(s, alice));
  t.is(proveOwner(s, `0x${'DD'.repeat(20)}`), undefined); // below_quality: in the shares, not paid
  t.is(proveOwner(s, `0x${'ee'.repeat(20)}`), undefined);
});

test('proveOwner refuses a settlement whose tree does not match its root or payouts', (t) => {
  const s = buildSettlement(EPOCH, shares, CLOSED_AT);
  const otherTree = buildSettlement(EPOCH, [share('d1', alice, 1n)], CLOSED_AT).tree;
  t.throws(() => proveOwner({ ...s, tree: otherTree }, alice), { instanceOf: RangeError, message: /^settlement\.tree:/ });
  const inflated: SettlementV1 = { ...s, payouts: s.payouts.map((p) => ({ ...p, amount: p.amount + '0' })) };
  t.throws(() => proveOwner(inflated, alice), { instanceOf: RangeError, message: /^settlement\.payouts:/ });
});

test('a settlement with no payouts has the zero root, no tree, and proves nothing', (t) => {
  const s = buildSettlement(EPOCH, [share('d5', bob, 0n, 'area_full'), share('d6', null, 0n, 'no_owner')], CLOSED_AT);
  t.like(s, { root: EMPTY_ROOT, total: '0', payouts: [], tree: null });
  t.is(proveOwner(s, bob), undefined);
  t.false(verifyPayout(EMPTY_ROOT, bob, '0', []));
});

test('the settlement does not depend on the order of shares', (t) => {
  const forward = buildSettlement(EPOCH, shares, CLOSED_AT);
  const backward = buildSettlement(EPOCH, [...shares].reverse(), CLOSED_AT);
  t.deepEqual(backward, forward);
});

test('sameSettlement compares the money, not when each side closed it', (t) => {
  const a = buildSettlement(EPOCH, shares, CLOSED_AT);
  t.true(sameSettlement(a, buildSettlement(EPOCH, shares, CLOSED_AT + 60_000)));
  t.false(sameSettlement(a, buildSettlement(EPOCH, [...shares, share('d8', bob, 1n)], CLOSED_AT)));
  t.false(sameSettlement(a, { ...a, payouts: a.payouts.map((p, i) => (i === 0 ? { ...p, amount: '1' } : p)) }));
  t.false(sameSettlement(a, { ...a, epoch: EPOCH + 1 }));
});

test('buildSettlement refuses inconsistent shares naming the field', (t) => {
  t.throws(() => buildSettlement(EPOCH, [{ ...share('d1', alice, 1n), epoch: EPOCH + 1 }], CLOSED_AT), { instanceOf: RangeError, message: /^shares\[0\]\.epoch:/ });
  t.throws(() => buildSettlement(EPOCH, [share('d1', null, 5n)], CLOSED_AT), { instanceOf: RangeError, message: /^shares\[0\]\.owner:/ });
  t.throws(() => buildSettlement(EPOCH, [share('d1', '0xnot-an-address', 5n)], CLOSED_AT), { instanceOf: TypeError, message: /^shares\[0\]\.owner:/ });
  t.throws(() => buildSettlement(EPOCH, [{ ...share('d1', alice, 1n), amount: '-1' }], CLOSED_AT), { instanceOf: TypeError, message: /^shares\[0\]\.amount:/ });
  t.throws(() => buildSettlement(EPOCH, [{ ...share('d1', alice, 1n), amount: '1.5' }], CLOSED_AT), { instanceOf: TypeError, message: /^shares\[0\]\.amount:/ });
  t.throws(() => buildSettlement(EPOCH, [share('d1', alice, 1n), share('d1', bob, 1n)], CLOSED_AT), { instanceOf: RangeError, message: /^shares\[1\]\.deviceId:/ });
});

test('buildSettlement refuses a payout that does not fit uint256', (t) => {
  const half = 2n ** 255n;
  t.throws(() => buildSettlement(EPOCH, [share('d1', alice, half), share('d2', alice, half)], CLOSED_AT), { instanceOf: RangeError, message: /^shares:/ });
});

test('buildSettlement refuses a bad epoch or closedAt naming it', (t) => {
  t.throws(() => buildSettlement(-1, [], CLOSED_AT), { instanceOf: RangeError, message: /^epoch:/ });
  t.throws(() => buildSettlement(EPOCH, [], Number.NaN), { instanceOf: TypeError, message: /^closedAt:/ });
});

test('verifyPayout throws on wrong-shaped arguments, naming them', (t) => {
  const s = buildSettlement(EPOCH, shares, CLOSED_AT);
  const { amount, proof } = proveOwner(s, alice)!;
  t.throws(() => verifyPayout('0x1234', alice, amount, proof), { instanceOf: TypeError, message: /^root:/ });
  t.throws(() => verifyPayout(s.root, 'alice', amount, proof), { instanceOf: TypeError, message: /^owner:/ });
  t.throws(() => verifyPayout(s.root, alice, '1e3', proof), { instanceOf: TypeError, message: /^amount:/ });
  t.throws(() => verifyPayout(s.root, alice, -1n, proof), { instanceOf: RangeError, message: /^amount:/ });
  t.throws(() => verifyPayout(s.root, alice, amount, ['0x12']), { instanceOf: TypeError, message: /^proof\[0\]:/ });
});

test('proveOwner refuses a malformed owner naming it', (t) => {
  const s = buildSettlement(EPOCH, shares, CLOSED_AT);
  t.throws(() => proveOwner(s, 'not-an-address'), { instanceOf: TypeError, message: /^owner:/ });
});
