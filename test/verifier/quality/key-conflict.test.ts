import test from 'ava';
import { findKeyConflicts, KEY_CONFLICT_TOLERANCE_S } from '../../../src/verifier/quality/key-conflict.js';

const series = (deviceId: string, seq0: number, t0: number, n: number, stepS = 60) =>
  Array.from({ length: n }, (_, k) => ({ deviceId, seq: seq0 + k, time: t0 + k * stepS }));

test('an honest device, in any arrival order, with backfill and a clock stepped back a little, has no conflict', (t) => {
  const honest = series('a', 10, 1000, 60);
  const stepped = [...series('b', 0, 1000, 20), ...series('b', 20, 1000 + 19 * 60 - 90, 20)]; // SNTP steps back 90 s
  const shuffled = [...honest].reverse();
  t.is(findKeyConflicts([...shuffled, ...stepped]).size, 0);
});

test('two boards with one key, numbering apart and sampling at the same times, conflict, with the proving pair', (t) => {
  const original = series('c', 100, 1000, 30);
  const clone = series('c', 1_000_000_000, 1020, 30);
  const conflicts = findKeyConflicts([...original, ...clone, ...series('d', 0, 1000, 30)]);
  t.deepEqual([...conflicts.keys()], ['c']);
  const c = conflicts.get('c')!;
  t.true(c.earlier.seq < c.later.seq);
  t.true(c.earlier.time - c.later.time > KEY_CONFLICT_TOLERANCE_S);
});

test('a conflict needs disagreement beyond the tolerance, and the tolerance is checked', (t) => {
  const r = [
    { deviceId: 'e', seq: 1, time: 2000 },
    { deviceId: 'e', seq: 2, time: 2000 - KEY_CONFLICT_TOLERANCE_S },
  ];
  t.is(findKeyConflicts(r).size, 0);
  t.is(findKeyConflicts([...r, { deviceId: 'e', seq: 3, time: 2000 - KEY_CONFLICT_TOLERANCE_S - 1 }]).size, 1);
  t.throws(() => findKeyConflicts(r, -1), { instanceOf: RangeError, message: /toleranceS/ });
});
