import test from 'ava';
import fc from 'fast-check';
import { checkFlatLine, checkFlatLineNewestFirst, checkJump } from '../../../src/verifier/quality/history.js';
import { DEFAULT_QUALITY_CONFIG as cfg, parseQualityConfig } from '../../../src/verifier/quality/quality-config.js';

const T0 = 1_750_000_000;
const at = (time: number, values: Record<string, number>) => ({ time, measurements: Object.entries(values).map(([quantity, value]) => ({ quantity, value })) });
/** Readings of one value every `stepS` seconds, from T0 - spanS to T0 - stepS, newest first. */
const steady = (values: Record<string, number>, spanS: number, stepS = 600) => {
  const out = [];
  for (let t = T0 - stepS; t >= T0 - spanS; t -= stepS) out.push(at(t, values));
  return out;
};

// ---- jump

test('jump: a first reading has nothing to jump from', (t) => {
  t.true(checkJump(at(T0, { temperature: 20 }), undefined, cfg).ok);
  t.true(checkJump(at(T0, { temperature: 20 }), null, cfg).ok);
});

test('jump: exactly the limit passes, despite binary rounding (20.37 -> 23.37 Cel in 60 s)', (t) => {
  t.true(checkJump(at(T0, { temperature: 23.37 }), at(T0 - 60, { temperature: 20.37 }), cfg).ok);
});

test('jump: one wire step past the limit fails, naming quantity, values and limit', (t) => {
  const r = checkJump(at(T0, { temperature: 23.38 }), at(T0 - 60, { temperature: 20.37 }), cfg);
  t.like(r, { ok: false, reason: 'jump', quantity: 'temperature', value: 23.38, limit: 3 });
  t.is(!r.ok && r.detail, 'temperature changed by 3.01 Cel (from 20.37 to 23.38) in 60 s; the limit is 3 Cel (3 Cel/min over 1 min)');
});

test('jump: the limit scales with the time between readings', (t) => {
  t.true(checkJump(at(T0, { humidity: 75 }), at(T0 - 150, { humidity: 50 }), cfg).ok); // 10 %RH/min x 2.5 min
  t.like(checkJump(at(T0, { humidity: 75.01 }), at(T0 - 150, { humidity: 50 }), cfg), { ok: false, limit: 25 });
});

test('jump: readings seconds apart get a full minute of allowance', (t) => {
  t.true(checkJump(at(T0, { temperature: 23 }), at(T0 - 5, { temperature: 20 }), cfg).ok);
  t.true(checkJump(at(T0, { temperature: 23 }), at(T0, { temperature: 20 }), cfg).ok);
  t.false(checkJump(at(T0, { temperature: 23.01 }), at(T0 - 5, { temperature: 20 }), cfg).ok);
});

test('jump: the allowance stops growing at maxElapsedS, so a gap of hours does not allow anything', (t) => {
  // pressure 100 Pa/min, capped at 30 min: 3000 Pa whether 30 min or 2 h have passed.
  t.true(checkJump(at(T0, { pressure: 101_000 }), at(T0 - 7200, { pressure: 98_000 }), cfg).ok);
  t.like(checkJump(at(T0, { pressure: 101_010 }), at(T0 - 7200, { pressure: 98_000 }), cfg), { ok: false, reason: 'jump', limit: 3000 });
  t.like(checkJump(at(T0, { pressure: 101_010 }), at(T0 - 1800, { pressure: 98_000 }), cfg), { ok: false, limit: 3000 });
});

test('jump: a previous reading older than staleAfterS is no reference', (t) => {
  t.false(checkJump(at(T0, { pressure: 96_000 }), at(T0 - 10_800, { pressure: 101_000 }), cfg).ok);
  t.true(checkJump(at(T0, { pressure: 96_000 }), at(T0 - 10_801, { pressure: 101_000 }), cfg).ok);
});

test('jump: the time order of the two readings does not matter (backfill)', (t) => {
  t.like(checkJump(at(T0 - 60, { temperature: 10 }), at(T0, { temperature: 20 }), cfg), { ok: false, limit: 3 });
});

test('jump: a quantity the previous reading lacks is not compared', (t) => {
  t.true(checkJump(at(T0, { temperature: 20, co2: 5000 }), at(T0 - 60, { temperature: 20 }), cfg).ok);
});

test('jump: PM may spike by hundreds in a minute (a passing truck)', (t) => {
  t.true(checkJump(at(T0, { pm2_5: 412 }), at(T0 - 60, { pm2_5: 12 }), cfg).ok);
  t.false(checkJump(at(T0, { pm2_5: 990 }), at(T0 - 60, { pm2_5: 3 }), cfg).ok);
});

test('jump: a quantity without a limit is not judged', (t) => {
  const noBattery = parseQualityConfig({ jump: { perMinute: { battery: null } } });
  t.true(checkJump(at(T0, { battery: 6 }), at(T0 - 60, { battery: 0 }), noBattery).ok);
});

test('jump: throws on wrong-shaped arguments, naming the parameter', (t) => {
  t.throws(() => checkJump({ time: 'now' } as never, undefined, cfg), { instanceOf: TypeError, message: /^current\.time:/ });
  t.throws(() => checkJump(at(T0, {}), { time: T0 } as never, cfg), { instanceOf: TypeError, message: /^previous\.measurements:/ });
});

// ---- flat line

test('flat line: unchanged for exactly the window passes', (t) => {
  t.true(checkFlatLine(at(T0, { temperature: 21.37 }), steady({ temperature: 21.37 }, 6 * 3600), cfg).ok);
});

test('flat line: unchanged for longer than the window fails, naming quantity, value and window', (t) => {
  const r = checkFlatLine(at(T0, { temperature: 21.37 }), steady({ temperature: 21.37 }, 6 * 3600 + 600), cfg);
  t.like(r, { ok: false, reason: 'flat_line', quantity: 'temperature', value: 21.37, limit: 21_600 });
  t.is(!r.ok && r.detail, 'temperature has stayed at 21.37 Cel (within 0.005) for 22200 s, longer than the 21600 s window');
});

test('flat line: one wire step of change anywhere in the window breaks the run', (t) => {
  const history = steady({ temperature: 21.37 }, 7 * 3600);
  history[20] = at(history[20]!.time, { temperature: 21.38 }); // 3.5 h ago
  t.true(checkFlatLine(at(T0, { temperature: 21.37 }), history, cfg).ok);
});

test('flat line: humidity and pressure are judged the same way', (t) => {
  t.like(checkFlatLine(at(T0, { humidity: 64.2 }), steady({ humidity: 64.2 }, 7 * 3600), cfg), { ok: false, quantity: 'humidity' });
  t.like(checkFlatLine(at(T0, { pressure: 101_320 }), steady({ pressure: 101_320 }, 7 * 3600), cfg), { ok: false, quantity: 'pressure' });
  t.true(checkFlatLine(at(T0, { pressure: 101_330 }), steady({ pressure: 101_320 }, 7 * 3600), cfg).ok);
});

test('flat line: history that does not reach back over the window is no evidence', (t) => {
  t.true(checkFlatLine(at(T0, { temperature: 21.37 }), steady({ temperature: 21.37 }, 5 * 3600), cfg).ok);
  t.true(checkFlatLine(at(T0, { temperature: 21.37 }), [], cfg).ok);
});

test('flat line: a gap longer than maxGapS ends the run (sparse equal values prove nothing)', (t) => {
  const history = steady({ pressure: 101_320 }, 7 * 3600, 3 * 3600 + 1);
  t.true(checkFlatLine(at(T0, { pressure: 101_320 }), history, cfg).ok);
  t.false(checkFlatLine(at(T0, { pressure: 101_320 }), steady({ pressure: 101_320 }, 7 * 3600, 3600), cfg).ok);
});

test('flat line: PM resting at the floor in clean air is not flat', (t) => {
  t.true(checkFlatLine(at(T0, { pm1: 0, pm2_5: 1, pm10: 0 }), steady({ pm1: 0, pm2_5: 1, pm10: 0 }, 12 * 3600), cfg).ok);
});

test('flat line: PM stuck above the floor is flat', (t) => {
  t.like(checkFlatLine(at(T0, { pm2_5: 12.3 }), steady({ pm2_5: 12.3 }, 12 * 3600), cfg), { ok: false, reason: 'flat_line', quantity: 'pm2_5' });
  t.like(checkFlatLine(at(T0, { pm2_5: 1.1 }), steady({ pm2_5: 1.1 }, 12 * 3600), cfg), { ok: false, quantity: 'pm2_5' });
});

test('flat line: CO2 at its 400 ppm baseline is not flat, 415 ppm stuck is', (t) => {
  t.true(checkFlatLine(at(T0, { co2: 400 }), steady({ co2: 400 }, 12 * 3600), cfg).ok);
  t.like(checkFlatLine(at(T0, { co2: 415 }), steady({ co2: 415 }, 12 * 3600), cfg), { ok: false, quantity: 'co2' });
});

test('flat line: humidity saturated at 100 %RH (fog) is not flat', (t) => {
  t.true(checkFlatLine(at(T0, { humidity: 100 }), steady({ humidity: 100 }, 12 * 3600), cfg).ok);
});

test('flat line: calm wind and darkness are not flat', (t) => {
  t.true(checkFlatLine(at(T0, { wind_speed: 0, illuminance: 0 }), steady({ wind_speed: 0, illuminance: 0 }, 12 * 3600), cfg).ok);
  t.like(checkFlatLine(at(T0, { wind_speed: 3.2 }), steady({ wind_speed: 3.2 }, 12 * 3600), cfg), { ok: false, quantity: 'wind_speed' });
});

test('flat line: a steady battery voltage is not judged', (t) => {
  t.true(checkFlatLine(at(T0, { battery: 4.2 }), steady({ battery: 4.2 }, 48 * 3600), cfg).ok);
});

test('flat line: readings without the quantity are skipped, not counted as change', (t) => {
  const history = steady({ temperature: 21.37 }, 7 * 3600).map((h, i) => (i % 2 === 0 ? at(h.time, { battery: 3.9 + i / 1000 }) : h));
  t.false(checkFlatLine(at(T0, { temperature: 21.37 }), history, cfg).ok);
});

test('flat line: history in any order gives the same result', (t) => {
  const history = steady({ temperature: 21.37 }, 7 * 3600);
  t.deepEqual(checkFlatLine(at(T0, { temperature: 21.37 }), [...history].reverse(), cfg), checkFlatLine(at(T0, { temperature: 21.37 }), history, cfg));
});

test('flat line: history at or after the current reading is ignored (backfill)', (t) => {
  const later = [at(T0 + 600, { temperature: 30 }), at(T0, { temperature: 30 })];
  t.false(checkFlatLine(at(T0, { temperature: 21.37 }), [...later, ...steady({ temperature: 21.37 }, 7 * 3600)], cfg).ok);
});

test('flat line: throws on wrong-shaped arguments, naming the parameter', (t) => {
  t.throws(() => checkFlatLine(at(T0, {}), undefined as never, cfg), { instanceOf: TypeError, message: /^history:/ });
  t.throws(() => checkFlatLine(at(T0, {}), [{ time: T0 - 1 }] as never, cfg), { instanceOf: TypeError, message: /^history\[0\]\.measurements:/ });
});

test('flat line: the newest-first variant gives checkFlatLine\'s verdict on the history without its maintenance readings (property)', (t) => {
  // Histories as DeviceHistory holds them: newest first, values that mostly repeat (so runs form), gaps of various
  // lengths, some readings marked maintenance, some at or after the current reading. A short window and gap limit
  // make stuck runs common (about one case in ten fails the check).
  const short = { ...cfg, flatLine: { maxGapS: 900, rules: { temperature: { windowS: 1800, epsilon: 0.005 }, pm2_5: { windowS: 1800, epsilon: 0.05, floor: 1 } } } };
  const entry = fc.record({
    gapS: fc.constantFrom(0, 60, 300, 300, 600, 1200),
    temperature: fc.constantFrom(21.37, 21.37, 21.37, 21.37, 21.37, 21.37, 21.38),
    pm2_5: fc.option(fc.constantFrom(0, 12.5, 12.5, 12.5, 40), { nil: undefined }),
    maintenance: fc.constantFrom(false, false, false, true),
  });
  let failures = 0;
  fc.assert(
    fc.property(fc.array(entry, { minLength: 5, maxLength: 40 }), fc.integer({ min: -1200, max: 0 }), (entries, firstOffsetS) => {
      let time = T0 + firstOffsetS;
      const history = entries.map((e) => {
        time -= e.gapS;
        const values: Record<string, number> = { temperature: e.temperature };
        if (e.pm2_5 !== undefined) values.pm2_5 = e.pm2_5;
        return { ...at(time, values), maintenance: e.maintenance };
      });
      const current = at(T0, { temperature: 21.37, pm2_5: 12.5 });
      const expected = checkFlatLine(current, history.filter((h) => !h.maintenance), short);
      if (!expected.ok) failures++;
      t.deepEqual(checkFlatLineNewestFirst(current, history, short), expected);
    }),
    { numRuns: 1000 },
  );
  t.true(failures > 0, 'some generated histories are stuck');
});
