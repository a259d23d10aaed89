import test from 'ava';
import { splitCapped } from '../../../src/verifier/rewards/pro-rata.js';

test('without a binding cap, each gets floor(pool × w / W)', (t) => {
  const pool = 1_000_003n;
  const weights = [3n, 1n];
  t.deepEqual(splitCapped(pool, weights, pool), [(pool * 3n) / 4n, pool / 4n]);
});

test('the floors leave the remainder unallocated, less than the number of earners', (t) => {
  const pool = 10n;
  const amounts = splitCapped(pool, [1n, 1n, 1n], pool);
  t.deepEqual(amounts, [3n, 3n, 3n]);
  t.is(pool - amounts.reduce((a, b) => a + b), 1n);
});

test('an earner over the cap gets the cap and the excess goes to the others pro rata', (t) => {
  const pool = 1000n;
  const cap = 500n;
  // 6:2:2 would give 600 to the first; capped at 500, the other 500 splits 2:2.
  t.deepEqual(splitCapped(pool, [6n, 2n, 2n], cap), [cap, (pool - cap) / 2n, (pool - cap) / 2n]);
});

test('redistribution repeats until no one is over the cap', (t) => {
  const pool = 1000n;
  const cap = 400n;
  // 4:3:1 -> 500, 375, 125: the first is capped; the remaining 600 splits 3:1 -> 450, 150: the second is capped too.
  t.deepEqual(splitCapped(pool, [4n, 3n, 1n], cap), [cap, cap, pool - 2n * cap]);
});

test('when everyone is capped the rest of the pool stays unallocated', (t) => {
  t.deepEqual(splitCapped(1000n, [1n, 5n, 9n], 20n), [20n, 20n, 20n]);
});

test('zero weights get nothing and do not dilute the others', (t) => {
  t.deepEqual(splitCapped(100n, [0n, 1n, 0n, 1n], 100n), [0n, 50n, 0n, 50n]);
  t.deepEqual(splitCapped(100n, [0n, 0n], 100n), [0n, 0n]);
  t.deepEqual(splitCapped(100n, [], 100n), []);
});

test('malformed arguments are refused naming the parameter', (t) => {
  t.throws(() => splitCapped(-1n, [1n], 1n), { instanceOf: RangeError, message: /^pool:/ });
  t.throws(() => splitCapped(1n, [1n], -1n), { instanceOf: RangeError, message: /^cap:/ });
  t.throws(() => splitCapped(1n, [1n, -2n], 1n), { instanceOf: RangeError, message: /^weights\[1\]:/ });
  t.throws(() => splitCapped(1n, [1 as unknown as bigint], 1n), { instanceOf: RangeError, message: /^weights\[0\]:/ });
});
