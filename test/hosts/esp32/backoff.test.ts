import test from 'ava';
import { Backoff, unitRandom } from '../../../hosts/esp32/backoff.js';

test('without jitter the delays double from initialMs up to maxMs', (t) => {
  const b = new Backoff({ initialMs: 1000, maxMs: 10_000 });
  t.deepEqual([1, 2, 3, 4, 5, 6].map(() => b.next()), [1000, 2000, 4000, 8000, 10_000, 10_000]);
  t.is(b.attempts, 6);
});

test('reset() starts again from initialMs after a success', (t) => {
  const b = new Backoff({ initialMs: 500, maxMs: 60_000 });
  b.next();
  b.next();
  b.reset();
  t.is(b.next(), 500);
});

test('equal jitter keeps each delay between half the ceiling and the ceiling', (t) => {
  const values = [0, 0.999999, 0.5];
  let i = 0;
  const b = new Backoff({ initialMs: 1000, maxMs: 100_000, random: () => values[i++ % values.length]! });
  t.is(b.next(), 500); // ceiling 1000, r = 0
  t.is(b.next(), 2000); // ceiling 2000, r ~ 1
  t.is(b.next(), 3000); // ceiling 4000, r = 0.5
});

test('a random source outside [0, 1) is treated as 0, never as a longer or negative delay', (t) => {
  const b = new Backoff({ initialMs: 1000, random: () => 7 });
  t.is(b.next(), 500);
});

test('bad options are refused naming the option', (t) => {
  t.throws(() => new Backoff({ initialMs: 0 }), { instanceOf: RangeError, message: /initialMs/ });
  t.throws(() => new Backoff({ initialMs: 1000, maxMs: 10 }), { instanceOf: RangeError, message: /maxMs/ });
  t.throws(() => new Backoff({ factor: 0.5 }), { instanceOf: RangeError, message: /factor/ });
});

test('unitRandom maps 4 RNG bytes to [0, 1)', (t) => {
  t.is(unitRandom(() => Uint8Array.of(0, 0, 0, 0))(), 0);
  const top = unitRandom(() => Uint8Array.of(255, 255, 255, 255))();
  t.true(top < 1 && top > 0.9999999);
  t.is(unitRandom(() => Uint8Array.of(128, 0, 0, 0))(), 0.5);
});
