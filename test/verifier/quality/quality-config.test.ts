import test from 'ava';
import { QUANTITIES_V1 } from '../../../src/core/quantities.js';
import { DEFAULT_QUALITY_CONFIG, parseQualityConfig, ruleOf } from '../../../src/verifier/quality/quality-config.js';

test('the defaults give every protocol v1 quantity a range and a jump limit', (t) => {
  for (const q of QUANTITIES_V1) {
    t.truthy(ruleOf(DEFAULT_QUALITY_CONFIG.ranges, q.name), q.name);
    t.truthy(ruleOf(DEFAULT_QUALITY_CONFIG.jump.perMinute, q.name), q.name);
  }
});

test('the pressure range is in Pa, the wire unit (300..1100 hPa)', (t) => {
  t.deepEqual(DEFAULT_QUALITY_CONFIG.ranges.pressure, { min: 30_000, max: 110_000 });
});

test('the neighbour defaults are those of the issue', (t) => {
  const n = DEFAULT_QUALITY_CONFIG.neighbour;
  t.deepEqual([n.radiusKm, n.bucketS, n.minNeighbours, n.zReject], [10, 600, 4, 3.5]);
  t.is(n.madFloor.pressure, undefined, 'pressure is not compared: station altitude is unknown');
});

test('the flat-line epsilon is half a wire step, so only the same wire integer counts as unchanged', (t) => {
  t.is(DEFAULT_QUALITY_CONFIG.flatLine.rules.temperature!.epsilon, 0.005);
  t.is(DEFAULT_QUALITY_CONFIG.flatLine.rules.pressure!.epsilon, 5);
});

test('the defaults are deeply frozen', (t) => {
  t.true(Object.isFrozen(DEFAULT_QUALITY_CONFIG.ranges.temperature));
  t.true(Object.isFrozen(DEFAULT_QUALITY_CONFIG.models.bme280));
});

test('an empty config is the defaults', (t) => {
  t.deepEqual(parseQualityConfig({}), DEFAULT_QUALITY_CONFIG);
});

test('a partial config replaces only what it names', (t) => {
  const cfg = parseQualityConfig({ ranges: { temperature: { min: -60, max: 60 } }, neighbour: { radiusKm: 5 } });
  t.deepEqual(cfg.ranges.temperature, { min: -60, max: 60 });
  t.deepEqual(cfg.ranges.humidity, DEFAULT_QUALITY_CONFIG.ranges.humidity);
  t.is(cfg.neighbour.radiusKm, 5);
  t.is(cfg.neighbour.zReject, 3.5);
  t.true(Object.isFrozen(cfg.neighbour));
});

test('a model override merges with the model defaults and adds new models', (t) => {
  const cfg = parseQualityConfig({ models: { bme280: { pressure: { min: 50_000, max: 110_000 } }, 'sps30': { pm2_5: { min: 0, max: 1000 } } } });
  t.deepEqual(cfg.models.bme280!.pressure, { min: 50_000, max: 110_000 });
  t.deepEqual(cfg.models.bme280!.temperature, { min: -40, max: 85 });
  t.deepEqual(cfg.models.sps30, { pm2_5: { min: 0, max: 1000 } });
});

test('null removes a default rule', (t) => {
  const cfg = parseQualityConfig({ neighbour: { madFloor: { pm10: null } }, flatLine: { rules: { humidity: null } }, models: { scd40: null } });
  t.is(cfg.neighbour.madFloor.pm10, undefined);
  t.is(cfg.flatLine.rules.humidity, undefined);
  t.false(Object.hasOwn(cfg.models, 'scd40'));
  t.is(cfg.neighbour.madFloor.pm2_5, 5);
});

test('refuses a config that is not an object, naming it', (t) => {
  t.throws(() => parseQualityConfig(null), { instanceOf: TypeError, message: /^obj:/ });
  t.throws(() => parseQualityConfig([]), { instanceOf: TypeError, message: /^obj:/ });
});

test('refuses an unknown field, naming its path', (t) => {
  t.throws(() => parseQualityConfig({ neighbour: { radiusKM: 5 } }), { instanceOf: RangeError, message: /^obj\.neighbour\.radiusKM: unknown field/ });
  t.throws(() => parseQualityConfig({ neighbours: {} }), { instanceOf: RangeError, message: /^obj\.neighbours: unknown field/ });
});

test('refuses an unknown quantity, naming its path', (t) => {
  t.throws(() => parseQualityConfig({ ranges: { temprature: { min: 0, max: 1 } } }), { instanceOf: RangeError, message: /^obj\.ranges\.temprature: unknown quantity/ });
  t.throws(() => parseQualityConfig(JSON.parse('{"ranges": {"__proto__": {"min": 0, "max": 1}}}')), { instanceOf: RangeError, message: /^obj\.ranges\.__proto__: unknown quantity/ });
});

test('refuses a wrongly typed value with a TypeError naming the field', (t) => {
  t.throws(() => parseQualityConfig({ ranges: { humidity: { min: '0', max: 100 } } }), { instanceOf: TypeError, message: /^obj\.ranges\.humidity\.min:/ });
  t.throws(() => parseQualityConfig({ jump: { perMinute: { temperature: Number.NaN } } }), { instanceOf: TypeError, message: /^obj\.jump\.perMinute\.temperature:/ });
  t.throws(() => parseQualityConfig({ neighbour: 10 }), { instanceOf: TypeError, message: /^obj\.neighbour:/ });
});

test('refuses a range whose min is not below its max', (t) => {
  t.throws(() => parseQualityConfig({ ranges: { temperature: { min: 60, max: -40 } } }), { instanceOf: RangeError, message: /^obj\.ranges\.temperature: min/ });
  t.throws(() => parseQualityConfig({ models: { bme280: { humidity: { min: 5, max: 5 } } } }), { instanceOf: RangeError, message: /^obj\.models\.bme280\.humidity:/ });
});

test('refuses a range missing a bound', (t) => {
  t.throws(() => parseQualityConfig({ ranges: { co2: { min: 400 } } }), { instanceOf: TypeError, message: /^obj\.ranges\.co2\.max:/ });
});

test('refuses a model name the registry could not hold', (t) => {
  t.throws(() => parseQualityConfig({ models: { 'BME 280': {} } }), { instanceOf: RangeError, message: /^obj\.models\.BME 280:/ });
  t.throws(() => parseQualityConfig(JSON.parse('{"models": {"__proto__": {}}}')), { instanceOf: RangeError, message: /^obj\.models\.__proto__:/ });
});

test('refuses non-positive limits and counts', (t) => {
  t.throws(() => parseQualityConfig({ jump: { perMinute: { pressure: 0 } } }), { instanceOf: RangeError, message: /^obj\.jump\.perMinute\.pressure:/ });
  t.throws(() => parseQualityConfig({ neighbour: { radiusKm: -1 } }), { instanceOf: RangeError, message: /^obj\.neighbour\.radiusKm:/ });
  t.throws(() => parseQualityConfig({ neighbour: { minNeighbours: 2.5 } }), { instanceOf: RangeError, message: /^obj\.neighbour\.minNeighbours:/ });
  t.throws(() => parseQualityConfig({ flatLine: { rules: { co2: { windowS: 3600, epsilon: -1 } } } }), { instanceOf: RangeError, message: /^obj\.flatLine\.rules\.co2\.epsilon:/ });
});

test('refuses limits that contradict each other', (t) => {
  t.throws(() => parseQualityConfig({ neighbour: { zFull: 4 } }), { instanceOf: RangeError, message: /^obj\.neighbour\.zFull: must be below zReject/ });
  t.throws(() => parseQualityConfig({ neighbour: { maxNeighbours: 3 } }), { instanceOf: RangeError, message: /^obj\.neighbour\.maxNeighbours:/ });
  t.throws(() => parseQualityConfig({ jump: { minElapsedS: 7200 } }), { instanceOf: RangeError, message: /^obj\.jump\.maxElapsedS:/ });
  t.throws(() => parseQualityConfig({ jump: { maxElapsedS: 20_000 } }), { instanceOf: RangeError, message: /^obj\.jump\.staleAfterS:/ });
  t.throws(() => parseQualityConfig({ flatLine: { rules: { co2: { windowS: 3600, epsilon: 0.5, floor: 500, ceiling: 400 } } } }), {
    instanceOf: RangeError,
    message: /^obj\.flatLine\.rules\.co2: floor/,
  });
});

test('neighbour consistency: a share from 0 to 1 and a positive count of readings', (t) => {
  t.is(parseQualityConfig({ neighbour: { minConsistency: 0.3 } }).neighbour.minConsistency, 0.3);
  t.is(parseQualityConfig({}).neighbour.minConsistency, 0.5);
  t.throws(() => parseQualityConfig({ neighbour: { minConsistency: 1.5 } }), { message: /obj\.neighbour\.minConsistency/ });
  t.throws(() => parseQualityConfig({ neighbour: { minConsistencyReadings: 0 } }), { message: /obj\.neighbour\.minConsistencyReadings/ });
});
