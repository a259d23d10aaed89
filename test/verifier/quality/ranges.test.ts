import test from 'ava';
import { checkRanges } from '../../../src/verifier/quality/ranges.js';
import { DEFAULT_QUALITY_CONFIG as cfg, parseQualityConfig } from '../../../src/verifier/quality/quality-config.js';

const one = (quantity: string, value: number) => [{ quantity, value }];

test('accepts values at both ends of the physical range', (t) => {
  for (const [q, min, max] of [
    ['temperature', -40, 60],
    ['humidity', 0, 100],
    ['pressure', 30_000, 110_000],
    ['pm2_5', 0, 1000],
    ['pm10', 0, 2000],
    ['co2', 400, 10_000],
    ['wind_speed', 0, 75],
    ['illuminance', 0, 200_000],
    ['battery', 0, 6],
  ] as const) {
    t.true(checkRanges(one(q, min), null, cfg).ok, `${q} ${min}`);
    t.true(checkRanges(one(q, max), null, cfg).ok, `${q} ${max}`);
  }
});

test('rejects one wire step beyond either end, naming quantity, value and limit', (t) => {
  const below = checkRanges(one('temperature', -40.01), null, cfg);
  t.like(below, { ok: false, reason: 'out_of_range', quantity: 'temperature', value: -40.01, limit: -40 });
  t.is(!below.ok && below.detail, 'temperature = -40.01 Cel is below -40 Cel, the minimum of the physical range');
  const above = checkRanges(one('humidity', 100.01), null, cfg);
  t.like(above, { ok: false, reason: 'out_of_range', quantity: 'humidity', limit: 100 });
  t.is(!above.ok && above.detail, 'humidity = 100.01 %RH is above 100 %RH, the maximum of the physical range');
});

test('judges pressure in Pa: 299.9 hPa is out, 300 hPa is in', (t) => {
  t.like(checkRanges(one('pressure', 29_990), null, cfg), { ok: false, limit: 30_000 });
  t.true(checkRanges(one('pressure', 30_000), null, cfg).ok);
});

test('keeps the issue floor of 400 ppm for CO2', (t) => {
  t.like(checkRanges(one('co2', 399), null, cfg), { ok: false, reason: 'out_of_range', limit: 400 });
});

test('reports the first value out of range in measurement order', (t) => {
  const r = checkRanges([{ quantity: 'temperature', value: 20 }, { quantity: 'pm10', value: 2500 }, { quantity: 'humidity', value: -1 }], null, cfg);
  t.like(r, { ok: false, quantity: 'pm10' });
});

test('a model range narrows the physical range, and the detail names the model', (t) => {
  t.true(checkRanges(one('co2', 2000), 'scd40', cfg).ok);
  const r = checkRanges(one('co2', 2001), 'scd40', cfg);
  t.like(r, { ok: false, reason: 'out_of_range', limit: 2000 });
  t.is(!r.ok && r.detail, 'co2 = 2001 ppm is above 2000 ppm, the maximum of model scd40');
  t.true(checkRanges(one('co2', 2001), 'scd41', cfg).ok);
  t.true(checkRanges(one('co2', 2001), null, cfg).ok, 'no model: the baseline alone');
});

test('a model range never widens the physical range', (t) => {
  // BME280 operates to 85 Cel, but 70 Cel air is still implausible.
  const r = checkRanges(one('temperature', 70), 'bme280', cfg);
  t.like(r, { ok: false, limit: 60 });
  t.regex(!r.ok ? r.detail : '', /the physical range$/);
});

test('PMS5003 devices get its 1000 ug/m3 maximum range for PM10', (t) => {
  t.true(checkRanges(one('pm10', 1500), null, cfg).ok);
  t.like(checkRanges(one('pm10', 1500), 'pms5003', cfg), { ok: false, limit: 1000 });
});

test('several model names apply together (device model and sensor kinds)', (t) => {
  t.like(checkRanges([{ quantity: 'co2', value: 2500 }, { quantity: 'pm10', value: 1200 }], ['fp-aq1', 'scd40', 'pms5003'], cfg), { ok: false, quantity: 'co2' });
  t.like(checkRanges([{ quantity: 'pm10', value: 1200 }], ['fp-aq1', 'scd40', 'pms5003'], cfg), { ok: false, quantity: 'pm10', limit: 1000 });
});

test('an unknown model falls back to the physical range', (t) => {
  t.true(checkRanges(one('co2', 9000), 'no-such-model', cfg).ok);
});

test('a configured model override applies to that model only', (t) => {
  const custom = parseQualityConfig({ models: { 'fp-wx1': { pressure: { min: 50_000, max: 110_000 } } } });
  t.like(checkRanges(one('pressure', 45_000), 'fp-wx1', custom), { ok: false, limit: 50_000 });
  t.true(checkRanges(one('pressure', 45_000), 'fp-wx2', custom).ok);
});

test('a quantity without any range is not judged', (t) => {
  const noBattery = parseQualityConfig({ ranges: { battery: null } });
  t.true(checkRanges(one('battery', 12.6), null, noBattery).ok);
});

test('a value that is not a finite number is out of range, not an exception', (t) => {
  t.like(checkRanges(one('temperature', Number.NaN), null, cfg), { ok: false, reason: 'out_of_range' });
  t.like(checkRanges(one('temperature', Number.POSITIVE_INFINITY), null, cfg), { ok: false, reason: 'out_of_range' });
});

test('throws on wrong-shaped arguments, naming the parameter', (t) => {
  t.throws(() => checkRanges(undefined as never, null, cfg), { instanceOf: TypeError, message: /^measurements:/ });
  t.throws(() => checkRanges([{ quantity: 'co2' }] as never, null, cfg), { instanceOf: TypeError, message: /^measurements\[0\]:/ });
  t.throws(() => checkRanges([], 42 as never, cfg), { instanceOf: TypeError, message: /^model:/ });
});
