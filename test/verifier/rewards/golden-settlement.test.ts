// Golden settlements (test/vectors/settlement-golden.json, written by tools/golden-settlement.ts): fixed fleets and
// configs -> exact shares, payouts and root. A change here means the reward rules changed: anyone who recomputed an
// old epoch would no longer get its root.
import test from 'ava';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { fromHex } from '../../../src/core/bytes.js';
import type { AcceptedReadingV1, DeviceRecordV1, RewardShareV1, SettlementV1 } from '../../../src/verifier/types.js';
import { parseRewardConfig } from '../../../src/verifier/rewards/epochs.js';
import { computeShares } from '../../../src/verifier/rewards/scoring.js';
import { EMPTY_ROOT, proveOwner, recomputeSettlement, verifyPayout } from '../../../src/verifier/rewards/settlement.js';
import { loadVectors } from '../../helpers/vectors.js';

type Hex<T, K extends keyof T> = Omit<T, K> & { [P in K]: string };

interface GoldenSettlement {
  name: string;
  config: unknown;
  epoch: number;
  closedAt: number;
  devices: Hex<DeviceRecordV1, 'publicKey' | 'attestation'>[];
  readings: Hex<AcceptedReadingV1, 'message'>[];
  expected: { root: string; total: string; payouts: SettlementV1['payouts']; shares: RewardShareV1[] };
}

const { vectors } = loadVectors<GoldenSettlement>('settlement-golden.json');

const inputsOf = (v: GoldenSettlement) => ({
  cfg: parseRewardConfig(v.config),
  devices: v.devices.map((d): DeviceRecordV1 => ({ ...d, publicKey: fromHex(d.publicKey), attestation: fromHex(d.attestation) })),
  readings: v.readings.map((r): AcceptedReadingV1 => ({ ...r, message: fromHex(r.message) })),
});

for (const v of vectors) {
  test(`recomputes the golden root and payouts: ${v.name}`, (t) => {
    const { cfg, devices, readings } = inputsOf(v);
    const s = recomputeSettlement(v.epoch, readings, devices, cfg, v.closedAt);
    t.is(s.root, v.expected.root);
    t.is(s.total, v.expected.total);
    t.deepEqual(s.payouts, v.expected.payouts);
    t.like(s, { v: 1, epoch: v.epoch, closedAt: v.closedAt });
  });

  test(`recomputes the golden shares: ${v.name}`, (t) => {
    const { cfg, devices, readings } = inputsOf(v);
    t.deepEqual(computeShares(v.epoch, readings, devices, cfg), v.expected.shares);
  });

  test(`the golden root is what OpenZeppelin computes for the golden payouts: ${v.name}`, (t) => {
    if (v.expected.payouts.length === 0) return t.is(v.expected.root, EMPTY_ROOT);
    const leaves = v.expected.payouts.map((p) => [p.owner, p.amount]);
    t.is(StandardMerkleTree.of(leaves, ['address', 'uint256']).root, v.expected.root);
  });

  test(`every golden payout proves against the golden root, and unpaid owners prove nothing: ${v.name}`, (t) => {
    const { cfg, devices, readings } = inputsOf(v);
    const s = recomputeSettlement(v.epoch, readings, devices, cfg, v.closedAt);
    for (const p of v.expected.payouts) {
      const proved = proveOwner(s, p.owner)!;
      t.true(verifyPayout(v.expected.root, p.owner, p.amount, proved.proof));
    }
    const paid = new Set(v.expected.payouts.map((p) => p.owner));
    for (const share of v.expected.shares) {
      if (share.owner !== null && !paid.has(share.owner)) t.is(proveOwner(s, share.owner), undefined);
    }
  });
}

test('the golden fleets cover every outcome, a capped device and an owner of several devices', (t) => {
  const shares = vectors.flatMap((v) => v.expected.shares);
  t.deepEqual([...new Set(shares.map((s) => s.outcome))].sort(), ['area_full', 'below_quality', 'earned', 'no_owner', 'no_readings']);
  const paidDevices = (v: GoldenSettlement, owner: string) => v.expected.shares.filter((s) => s.owner === owner && s.amount !== '0').length;
  t.true(vectors.some((v) => v.expected.payouts.some((p) => paidDevices(v, p.owner) > 1)));
  t.true(vectors.some((v) => new Set(v.expected.shares.filter((s) => s.outcome === 'earned').map((s) => s.amount)).size < v.expected.shares.filter((s) => s.outcome === 'earned').length));
});
