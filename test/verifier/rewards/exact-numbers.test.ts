import test from 'ava';
import { DYADIC_SCALE_BITS, decimalRatio, exactDyadic } from '../../../src/verifier/rewards/exact-numbers.js';

const ONE = 1n << DYADIC_SCALE_BITS;

test('exactDyadic scales powers of two exactly', (t) => {
  t.is(exactDyadic(0), 0n);
  t.is(exactDyadic(1), ONE);
  t.is(exactDyadic(0.5), ONE / 2n);
  t.is(exactDyadic(0.75), (ONE * 3n) / 4n);
});

test('exactDyadic keeps the exact binary value of 0.1, not the decimal', (t) => {
  // 0.1 is 3602879701896397 / 2^55 in binary64 (IEEE 754-2019, round to nearest).
  t.is(exactDyadic(0.1), 3602879701896397n << (DYADIC_SCALE_BITS - 55n));
});

test('exactDyadic handles subnormals', (t) => {
  t.is(exactDyadic(Number.MIN_VALUE), 1n);
  t.is(exactDyadic(Number.MIN_VALUE * 3), 3n);
});

test('exactDyadic preserves order and ratios of doubles', (t) => {
  const xs = [0.3, 0.1 + 0.2, 0.9999999999999999, 1e-300, 0.62];
  for (const a of xs) for (const b of xs) t.is(exactDyadic(a) < exactDyadic(b), a < b);
});

test('exactDyadic refuses negative and non-finite input', (t) => {
  t.throws(() => exactDyadic(-1), { instanceOf: RangeError, message: /^x:/ });
  t.throws(() => exactDyadic(Number.POSITIVE_INFINITY), { instanceOf: RangeError, message: /^x:/ });
});

test('decimalRatio reads the decimal the number was written as', (t) => {
  t.deepEqual(decimalRatio(0.02), [2n, 100n]);
  t.deepEqual(decimalRatio(1), [1n, 1n]);
  t.deepEqual(decimalRatio(0.125), [125n, 1000n]);
  t.deepEqual(decimalRatio(1e-7), [1n, 10_000_000n]);
  t.deepEqual(decimalRatio(2.5e-8), [25n, 1_000_000_000n]);
  t.deepEqual(decimalRatio(1e21), [10n ** 21n, 1n]);
});
