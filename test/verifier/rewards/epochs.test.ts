import test from 'ava';
import { DEFAULT_EPOCH_SECONDS, emissionFor, epochBounds, epochOf, parseRewardConfig } from '../../../src/verifier/rewards/epochs.js';

const GENESIS = 1767225600; // 2026-01-01T00:00:00Z

const base = {
  genesis: GENESIS,
  emission: { initial: '1000000000000000000000', halvingEvery: 4 },
  maxDeviceShare: 0.02,
  maxDevicesPerArea: 3,
  minQuality: 0.5,
  readingIntervalSeconds: 300,
};

test('epochSeconds defaults to one day and expectedReadings follows from the reading interval', (t) => {
  const cfg = parseRewardConfig(base);
  t.is(cfg.epochSeconds, DEFAULT_EPOCH_SECONDS);
  t.is(DEFAULT_EPOCH_SECONDS, 86400);
  t.is(cfg.expectedReadings, 86400 / 300);
});

test('a simulation epoch of minutes is accepted', (t) => {
  const cfg = parseRewardConfig({ ...base, epochSeconds: 600, readingIntervalSeconds: 60 });
  t.is(cfg.epochSeconds, 600);
  t.is(cfg.expectedReadings, 10);
});

test('the parsed config is frozen, amounts are bigints', (t) => {
  const cfg = parseRewardConfig(base);
  t.true(Object.isFrozen(cfg));
  t.true(Object.isFrozen(cfg.emission));
  t.is(cfg.emission.initial, 10n ** 21n);
});

// Each malformed field: the error type and the field path it must name.
const badFields: [label: string, patch: Record<string, unknown>, error: typeof TypeError | typeof RangeError, field: string][] = [
  ['epochSeconds 0', { epochSeconds: 0 }, RangeError, 'config.epochSeconds'],
  ['epochSeconds fractional', { epochSeconds: 1.5 }, TypeError, 'config.epochSeconds'],
  ['genesis missing', { genesis: undefined }, TypeError, 'config.genesis'],
  ['genesis negative', { genesis: -1 }, RangeError, 'config.genesis'],
  ['emission missing', { emission: undefined }, TypeError, 'config.emission'],
  ['emission.initial a number', { emission: { initial: 1000, halvingEvery: 4 } }, TypeError, 'config.emission.initial'],
  ['emission.initial with leading zero', { emission: { initial: '0100', halvingEvery: 4 } }, TypeError, 'config.emission.initial'],
  ['emission.initial beyond uint256', { emission: { initial: (1n << 256n).toString(), halvingEvery: 4 } }, RangeError, 'config.emission.initial'],
  ['emission with no decay', { emission: { initial: '1' } }, TypeError, 'config.emission'],
  ['emission with both decays', { emission: { initial: '1', halvingEvery: 2, steps: [] } }, TypeError, 'config.emission'],
  ['emission.halvingEvery 0', { emission: { initial: '1', halvingEvery: 0 } }, RangeError, 'config.emission.halvingEvery'],
  ['emission.steps not an array', { emission: { initial: '1', steps: {} } }, TypeError, 'config.emission.steps'],
  ['emission step not a pair', { emission: { initial: '1', steps: [[5]] } }, TypeError, 'config.emission.steps[0]'],
  ['emission step from epoch 0', { emission: { initial: '1', steps: [[0, '5']] } }, RangeError, 'config.emission.steps[0][0]'],
  ['emission step amount not decimal', { emission: { initial: '1', steps: [[3, '1e3']] } }, TypeError, 'config.emission.steps[0][1]'],
  ['emission steps out of order', { emission: { initial: '1', steps: [[5, '2'], [5, '1']] } }, RangeError, 'config.emission.steps[1][0]'],
  ['emission unknown field', { emission: { initial: '1', halvingEvery: 2, halving: 3 } }, TypeError, 'config.emission.halving'],
  ['maxDeviceShare 0', { maxDeviceShare: 0 }, RangeError, 'config.maxDeviceShare'],
  ['maxDeviceShare above 1', { maxDeviceShare: 1.5 }, RangeError, 'config.maxDeviceShare'],
  ['maxDeviceShare NaN', { maxDeviceShare: Number.NaN }, TypeError, 'config.maxDeviceShare'],
  ['maxDevicesPerArea 0', { maxDevicesPerArea: 0 }, RangeError, 'config.maxDevicesPerArea'],
  ['maxDevicesPerArea a string', { maxDevicesPerArea: '3' }, TypeError, 'config.maxDevicesPerArea'],
  ['minQuality above 1', { minQuality: 1.01 }, RangeError, 'config.minQuality'],
  ['minQuality missing', { minQuality: undefined }, TypeError, 'config.minQuality'],
  ['readingIntervalSeconds 0', { readingIntervalSeconds: 0 }, RangeError, 'config.readingIntervalSeconds'],
  ['readingIntervalSeconds not dividing the epoch', { readingIntervalSeconds: 7 }, RangeError, 'config.readingIntervalSeconds'],
  ['unknown top-level field', { deviceCap: 0.02 }, TypeError, 'config.deviceCap'],
];

for (const [label, patch, error, field] of badFields) {
  test(`config error names the field: ${label}`, (t) => {
    const config: Record<string, unknown> = { ...base, ...patch };
    for (const key of Object.keys(patch)) if (patch[key] === undefined) delete config[key];
    const thrown = t.throws(() => parseRewardConfig(config), { instanceOf: error });
    t.true(thrown.message.startsWith(`${field}:`), thrown.message);
  });
}

test('a config that is not an object is refused naming the parameter', (t) => {
  t.throws(() => parseRewardConfig(null), { instanceOf: TypeError, message: /^config:/ });
  t.throws(() => parseRewardConfig([]), { instanceOf: TypeError, message: /^config:/ });
});

test('epochOf counts whole epochs from genesis', (t) => {
  const cfg = parseRewardConfig({ ...base, epochSeconds: 600, readingIntervalSeconds: 60 });
  t.is(epochOf(GENESIS, cfg), 0);
  t.is(epochOf(GENESIS + 599, cfg), 0);
  t.is(epochOf(GENESIS + 600, cfg), 1);
  t.is(epochOf(GENESIS + 600 * 41 + 17, cfg), 41);
});

test('epochOf refuses a time before genesis, naming timeS', (t) => {
  const cfg = parseRewardConfig(base);
  t.throws(() => epochOf(GENESIS - 1, cfg), { instanceOf: RangeError, message: /^timeS:/ });
  t.throws(() => epochOf(Number.NaN, cfg), { instanceOf: TypeError, message: /^timeS:/ });
});

test('epochBounds is the half-open window epochOf maps into', (t) => {
  const cfg = parseRewardConfig({ ...base, epochSeconds: 600, readingIntervalSeconds: 60 });
  const [start, end] = epochBounds(7, cfg);
  t.deepEqual([start, end], [GENESIS + 7 * 600, GENESIS + 8 * 600]);
  t.is(epochOf(start, cfg), 7);
  t.is(epochOf(end - 1, cfg), 7);
  t.is(epochOf(end, cfg), 8);
});

test('epochBounds and emissionFor refuse a negative or fractional epoch, naming epoch', (t) => {
  const cfg = parseRewardConfig(base);
  t.throws(() => epochBounds(-1, cfg), { instanceOf: RangeError, message: /^epoch:/ });
  t.throws(() => emissionFor(1.5, cfg), { instanceOf: TypeError, message: /^epoch:/ });
});

test('halving: the amount halves (floor) every halvingEvery epochs', (t) => {
  const cfg = parseRewardConfig({ ...base, emission: { initial: '1001', halvingEvery: 3 } });
  const expected = [1001n, 1001n, 1001n, 500n, 500n, 500n, 250n, 250n, 250n, 125n, 125n, 125n, 62n];
  t.deepEqual(expected.map((_, e) => emissionFor(e, cfg)), expected);
  t.is(emissionFor(3 * 20, cfg), 1001n >> 20n);
  t.is(emissionFor(3 * 20, cfg), 0n);
});

test('steps: initial until the first step, then each step from its epoch on', (t) => {
  const cfg = parseRewardConfig({ ...base, emission: { initial: '900', steps: [[2, '600'], [5, '300'], [9, '0']] } });
  const expected = [900n, 900n, 600n, 600n, 600n, 300n, 300n, 300n, 300n, 0n, 0n];
  t.deepEqual(expected.map((_, e) => emissionFor(e, cfg)), expected);
  t.is(emissionFor(1_000_000, cfg), 0n);
});

test('steps: an empty list is a constant emission', (t) => {
  const cfg = parseRewardConfig({ ...base, emission: { initial: '77', steps: [] } });
  t.is(emissionFor(0, cfg), 77n);
  t.is(emissionFor(123456, cfg), 77n);
});
