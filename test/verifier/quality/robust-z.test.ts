import test from 'ava';
import fc from 'fast-check';
import { mad, median, robustZ, select } from '../../../src/verifier/quality/robust-z.js';

test('median of odd and even counts, without changing the input', (t) => {
  const values = [5, 1, 3];
  t.is(median(values), 3);
  t.deepEqual(values, [5, 1, 3]);
  t.is(median([4, 1, 3, 2]), 2.5);
  t.true(Number.isNaN(median([])));
});

test('MAD is the median distance from the centre', (t) => {
  t.is(mad([1, 2, 3, 4, 100], 3), 1);
});

test('the modified z-score is 0.6745 (x - median) / MAD (Iglewicz & Hoaglin 1993)', (t) => {
  t.is(robustZ(16, 14, 1), 0.6745 * 2);
  t.is(robustZ(12, 14, 2), -0.6745);
});

test('one wild value moves neither median nor MAD much', (t) => {
  const honest = [13.6, 13.8, 14, 14.1, 14.3];
  t.is(median([...honest, 1000]), median([...honest, 14.2]));
});

test('median and select agree with sorting, ties and odd or even counts included', (t) => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -20, max: 20 }).map((v) => v / 4), { minLength: 1, maxLength: 60 }), fc.nat(), (values, k) => {
      const sorted = [...values].sort((a, b) => a - b);
      const mid = sorted.length >> 1;
      const expected = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
      const i = k % values.length;
      return median(values) === expected && select(Float64Array.from(values), i) === sorted[i];
    }),
  );
  t.pass();
});
