import test from 'ava';
import { Tally } from '../../src/sim/tally.js';
import type { VerdictV1 } from '../../src/verifier/types.js';

const verdict = (message: Uint8Array, status: VerdictV1['status'], reason: VerdictV1['reason']): VerdictV1 => ({
  v: 1,
  messageHash: Tally.hashOf(message),
  deviceId: null,
  seq: null,
  readingTime: null,
  receivedAt: 0,
  status,
  reason,
  detail: '',
  quality: null,
  epoch: null,
});

test('copies of one message get their verdicts in the order they were sent', (t) => {
  const tally = new Tally();
  const m = new Uint8Array([1, 2, 3]);
  tally.sent(m, { profile: 'honest', node: 0, legit: true });
  tally.sent(m, { profile: 'replay', node: 9, legit: false });
  t.is(tally.pending, 2);
  tally.verdict(verdict(m, 'accepted', 'ok'));
  tally.verdict(verdict(m, 'rejected', 'duplicate'));
  t.is(tally.pending, 0);
  const { byProfile, legit } = tally.counts();
  t.deepEqual(byProfile.get('honest'), { sent: 1, accepted: 1, rejected: 0, recorded: 0, byReason: { ok: 1 } });
  t.deepEqual(byProfile.get('replay'), { sent: 1, accepted: 0, rejected: 1, recorded: 0, byReason: { duplicate: 1 } });
  t.deepEqual(legit, { sent: 1, rejected: 0, reasons: {} });
});

test('a verdict that arrives before its copy is registered waits for it; a failed publish expects no verdict', (t) => {
  const tally = new Tally();
  const early = new Uint8Array([7]);
  tally.verdict(verdict(early, 'rejected', 'bad_signature'));
  tally.sent(early, { profile: 'forged_signature', node: 1, legit: false });
  t.is(tally.pending, 0);
  const lost = new Uint8Array([8]);
  const failed = tally.sent(lost, { profile: 'honest', node: 2, legit: true });
  t.is(tally.pending, 1);
  failed();
  t.is(tally.pending, 0);
  t.is(tally.counts().byProfile.get('forged_signature')!.rejected, 1);
});

test('a revised verdict replaces the accepted copy\'s and counts as a false rejection when the copy was legitimate', (t) => {
  const tally = new Tally();
  const m = new Uint8Array([4, 4]);
  tally.sent(m, { profile: 'honest', node: 3, legit: true });
  tally.verdict(verdict(m, 'accepted', 'ok'));
  tally.verdict(verdict(m, 'rejected', 'neighbour_outlier'), true);
  t.is(tally.verdicts, 1, 'a revision is not a new verdict');
  const { byProfile, legit } = tally.counts();
  t.is(byProfile.get('honest')!.rejected, 1);
  t.deepEqual(legit, { sent: 1, rejected: 1, reasons: { neighbour_outlier: 1 } });
});
