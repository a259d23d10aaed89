import test from 'ava';
import type { AcceptedReadingV1, DeviceRecordV1, RewardShareV1 } from '../../../src/verifier/types.js';
import { epochBounds, parseRewardConfig, type RewardConfig } from '../../../src/verifier/rewards/epochs.js';
import { computeShares } from '../../../src/verifier/rewards/scoring.js';

// Epochs of 10 minutes, one reading a minute: 10 slots per epoch, so availability = slots / 10.
const GENESIS = 1767225600;
const EMISSION = 1_000_003n; // not divisible by much, so the floors show
const EPOCH = 2;
const configOf = (patch: Record<string, unknown> = {}): RewardConfig =>
  parseRewardConfig({
    epochSeconds: 600,
    genesis: GENESIS,
    emission: { initial: EMISSION.toString(), steps: [] },
    maxDeviceShare: 1,
    maxDevicesPerArea: 10,
    minQuality: 0.5,
    readingIntervalSeconds: 60,
    ...patch,
  });
const cfg = configOf();
const [START] = epochBounds(EPOCH, cfg);
const SLOT = cfg.readingIntervalSeconds;

const ownerOf = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;

function device(deviceId: string, patch: Partial<DeviceRecordV1> = {}): DeviceRecordV1 {
  return {
    deviceId,
    publicKey: new Uint8Array(32),
    model: 'esp32-bme280',
    sensorKinds: ['thermometer'],
    location: { lat: 48.2, lon: 16.37 },
    area: 'g0.1:1382:1963',
    owner: ownerOf(1),
    status: 'active',
    registeredAt: 0,
    attestation: new Uint8Array(0),
    ...patch,
  };
}

function reading(deviceId: string, seq: number, slot: number, quality: number, patch: Partial<AcceptedReadingV1> = {}): AcceptedReadingV1 {
  return {
    deviceId,
    seq,
    time: START + slot * SLOT,
    receivedAt: (START + slot * SLOT) * 1000,
    epoch: EPOCH,
    measurements: [{ quantity: 'temperature', value: 21 }],
    backfilled: false,
    maintenance: false,
    quality,
    messageHash: `${deviceId}-${seq}`,
    message: new Uint8Array(0),
    ...patch,
  };
}

/** One reading in each of the first `slots` slots, all of the same quality. */
const inSlots = (deviceId: string, slots: number, quality: number, firstSeq = 0) =>
  Array.from({ length: slots }, (_, i) => reading(deviceId, firstSeq + i, i, quality));

const byId = (shares: RewardShareV1[]) => new Map(shares.map((s) => [s.deviceId, s]));
const share = (shares: RewardShareV1[], id: string) => byId(shares).get(id)!;

test('score is availability × mean quality', (t) => {
  const qualities = [1, 0.5, 0.75, 0.25, 1];
  const readings = qualities.map((q, i) => reading('a', i, i * 2, q)); // 5 distinct slots of 10
  const [a] = computeShares(EPOCH, readings, [device('a')], cfg);
  const availability = 5 / cfg.expectedReadings;
  const meanQuality = qualities.reduce((s, q) => s + q, 0) / qualities.length;
  t.is(a!.score, availability * meanQuality);
});

test('availability counts distinct sampling slots, not readings', (t) => {
  const readings = [
    reading('a', 0, 3, 1),
    reading('a', 1, 3, 1, { time: START + 3 * SLOT + 20 }),
    reading('a', 2, 3, 1, { time: START + 3 * SLOT + 59 }),
    reading('a', 3, 4, 1),
  ];
  const [a] = computeShares(EPOCH, readings, [device('a')], cfg);
  t.is(a!.score, 2 / cfg.expectedReadings);
});

test('a reading in every slot gives availability 1', (t) => {
  const [a] = computeShares(EPOCH, inSlots('a', cfg.expectedReadings, 0.75), [device('a')], cfg);
  t.is(a!.score, 0.75);
});

test('maintenance readings neither earn nor cost, availability included', (t) => {
  const normal = inSlots('a', 5, 0.75);
  const maintenance = [5, 6, 7, 8, 9].map((slot) => reading('a', 100 + slot, slot, 0, { maintenance: true }));
  const [withMaintenance] = computeShares(EPOCH, [...normal, ...maintenance], [device('a')], cfg);
  const [without] = computeShares(EPOCH, normal, [device('a')], cfg);
  t.deepEqual(withMaintenance, without);
  t.is(without!.score, (5 / cfg.expectedReadings) * 0.75);
});

test('a device with only maintenance readings has no_readings', (t) => {
  const [a] = computeShares(EPOCH, [reading('a', 0, 0, 1, { maintenance: true })], [device('a')], cfg);
  t.like(a, { outcome: 'no_readings', score: 0, amount: '0' });
});

test('a device with no readings has no_readings, score 0, amount 0', (t) => {
  const shares = computeShares(EPOCH, inSlots('a', 10, 1), [device('a'), device('b')], cfg);
  t.like(share(shares, 'b'), { outcome: 'no_readings', score: 0, amount: '0' });
  t.like(share(shares, 'a'), { outcome: 'earned', amount: EMISSION.toString() });
});

test('the emission is split pro rata by score, each amount floored', (t) => {
  // a: availability 1 × quality 0.75 = 0.75; b: availability 0.5 × quality 0.5 = 0.25. Shares 3/4 and 1/4.
  const readings = [...inSlots('a', 10, 0.75), ...inSlots('b', 5, 0.5)];
  const shares = computeShares(EPOCH, readings, [device('a'), device('b', { owner: ownerOf(2) })], cfg);
  t.is(share(shares, 'a').amount, ((EMISSION * 3n) / 4n).toString());
  t.is(share(shares, 'b').amount, (EMISSION / 4n).toString());
});

test('the floor remainder is left unallocated', (t) => {
  const readings = [...inSlots('a', 10, 0.75), ...inSlots('b', 5, 0.5)];
  const shares = computeShares(EPOCH, readings, [device('a'), device('b')], cfg);
  const total = shares.reduce((s, x) => s + BigInt(x.amount), 0n);
  t.is(EMISSION - total, EMISSION - (EMISSION * 3n) / 4n - EMISSION / 4n);
  t.true(EMISSION - total < 2n);
});

test('an unowned device is no_owner: its score is computed, it gets 0, and the others share the whole emission', (t) => {
  const readings = [...inSlots('a', 10, 0.75), ...inSlots('b', 10, 0.75)];
  const shares = computeShares(EPOCH, readings, [device('a'), device('b', { owner: null })], cfg);
  t.like(share(shares, 'b'), { outcome: 'no_owner', score: 0.75, amount: '0', owner: null });
  t.is(share(shares, 'a').amount, EMISSION.toString());
});

test('mean quality below the threshold is below_quality with amount 0', (t) => {
  const readings = [...inSlots('a', 10, 0.75), ...inSlots('b', 10, 0.25)];
  const shares = computeShares(EPOCH, readings, [device('a'), device('b')], configOf({ minQuality: 0.5 }));
  t.like(share(shares, 'b'), { outcome: 'below_quality', score: 0.25, amount: '0' });
  t.is(share(shares, 'a').amount, EMISSION.toString());
});

test('mean quality exactly at the threshold earns', (t) => {
  const [a] = computeShares(EPOCH, inSlots('a', 10, 0.5), [device('a')], configOf({ minQuality: 0.5 }));
  t.is(a!.outcome, 'earned');
});

test('the threshold applies to mean quality, not to the score', (t) => {
  // availability 0.2 × quality 1 = score 0.2, below the 0.5 threshold, but the mean quality (1) is not.
  const [a] = computeShares(EPOCH, inSlots('a', 2, 1), [device('a')], configOf({ minQuality: 0.5 }));
  t.like(a, { outcome: 'earned', score: 0.2 });
});

test('an unowned device with low quality is no_owner (owner is checked first)', (t) => {
  const [a] = computeShares(EPOCH, inSlots('a', 10, 0.1), [device('a', { owner: null })], cfg);
  t.is(a!.outcome, 'no_owner');
});

test('the device cap limits a share to floor(emission × maxDeviceShare) and redistributes the excess', (t) => {
  // scores 1, 0.75, 0.25 (sum 2): a would get 1/2 > 0.4, capped; of the rest, b would get 0.75/1 of 60% = 45% > 40%,
  // capped too; c gets what is left.
  const readings = [...inSlots('a', 10, 1), ...inSlots('b', 10, 0.75), ...inSlots('c', 5, 0.5)];
  const shares = computeShares(EPOCH, readings, [device('a'), device('b'), device('c')], configOf({ maxDeviceShare: 0.4 }));
  const cap = (EMISSION * 4n) / 10n;
  t.is(share(shares, 'a').amount, cap.toString());
  t.is(share(shares, 'b').amount, cap.toString());
  t.is(share(shares, 'c').amount, (EMISSION - 2n * cap).toString());
});

test('with every earner capped the rest of the emission is not paid', (t) => {
  const readings = [...inSlots('a', 10, 1), ...inSlots('b', 10, 0.75)];
  const shares = computeShares(EPOCH, readings, [device('a'), device('b')], configOf({ maxDeviceShare: 0.02 }));
  const cap = (EMISSION * 2n) / 100n;
  t.deepEqual(shares.map((s) => s.amount), [cap.toString(), cap.toString()]);
});

test('the area cap lets the best K by score earn and marks the rest area_full', (t) => {
  const readings = [...inSlots('a', 10, 0.5), ...inSlots('b', 10, 1), ...inSlots('c', 10, 0.75), ...inSlots('d', 4, 1)];
  const devices = ['a', 'b', 'c', 'd'].map((id) => device(id));
  const shares = computeShares(EPOCH, readings, devices, configOf({ maxDevicesPerArea: 2 }));
  t.deepEqual(shares.map((s) => [s.deviceId, s.outcome]), [['a', 'area_full'], ['b', 'earned'], ['c', 'earned'], ['d', 'area_full']]);
  t.like(share(shares, 'a'), { score: 0.5, amount: '0' });
});

test('the area cap breaks ties by device id', (t) => {
  const readings = [...inSlots('z', 10, 0.75), ...inSlots('m', 10, 0.75), ...inSlots('q', 10, 0.75)];
  const devices = ['z', 'm', 'q'].map((id) => device(id));
  const shares = computeShares(EPOCH, readings, devices, configOf({ maxDevicesPerArea: 2 }));
  t.deepEqual(shares.map((s) => [s.deviceId, s.outcome]), [['m', 'earned'], ['q', 'earned'], ['z', 'area_full']]);
});

test('unowned and below-quality devices take no place in the area', (t) => {
  const readings = [...inSlots('a', 10, 1), ...inSlots('b', 10, 0.3), ...inSlots('c', 5, 0.75)];
  const devices = [device('a', { owner: null }), device('b'), device('c')];
  const shares = computeShares(EPOCH, readings, devices, configOf({ maxDevicesPerArea: 1, minQuality: 0.5 }));
  t.deepEqual(shares.map((s) => s.outcome), ['no_owner', 'below_quality', 'earned']);
});

test('each area is capped on its own', (t) => {
  const readings = [...inSlots('a', 10, 1), ...inSlots('b', 10, 0.75), ...inSlots('c', 10, 0.5)];
  const devices = [device('a'), device('b'), device('c', { area: 'elsewhere' })];
  const shares = computeShares(EPOCH, readings, devices, configOf({ maxDevicesPerArea: 1 }));
  t.deepEqual(shares.map((s) => s.outcome), ['earned', 'area_full', 'earned']);
});

test('shares are sorted by deviceId and do not depend on input order', (t) => {
  const readings = [...inSlots('c', 10, 0.75), ...inSlots('a', 7, 0.9), ...inSlots('b', 3, 0.6)];
  const devices = [device('c'), device('a', { owner: ownerOf(2) }), device('b', { owner: null })];
  const forward = computeShares(EPOCH, readings, devices, cfg);
  const backward = computeShares(EPOCH, [...readings].reverse(), [...devices].reverse(), cfg);
  t.deepEqual(forward.map((s) => s.deviceId), ['a', 'b', 'c']);
  t.deepEqual(backward, forward);
});

test('every share carries the epoch, and amounts are decimal strings', (t) => {
  const shares = computeShares(EPOCH, inSlots('a', 10, 1), [device('a'), device('b')], cfg);
  for (const s of shares) {
    t.is(s.epoch, EPOCH);
    t.regex(s.amount, /^(0|[1-9][0-9]*)$/);
  }
});

test('owners are normalised to lowercase', (t) => {
  const [a] = computeShares(EPOCH, inSlots('a', 10, 1), [device('a', { owner: `0x${'AbCdEf0123'.repeat(4)}` })], cfg);
  t.is(a!.owner, `0x${'abcdef0123'.repeat(4)}`);
});

test('an epoch with zero emission pays earners 0', (t) => {
  const zero = configOf({ emission: { initial: '0', steps: [] } });
  const [a] = computeShares(EPOCH, inSlots('a', 10, 1), [device('a')], zero);
  t.like(a, { outcome: 'earned', amount: '0' });
});

test('readings of another epoch and of unlisted devices are ignored', (t) => {
  const other = reading('a', 50, 0, 0.1, { time: START + cfg.epochSeconds, epoch: EPOCH + 1 });
  const stranger = inSlots('x', 10, 1, 0);
  const [a] = computeShares(EPOCH, [...inSlots('a', 10, 1), other, ...stranger], [device('a')], cfg);
  t.like(a, { score: 1, amount: EMISSION.toString() });
});

test('a reading whose stored epoch disagrees with its time under the config is refused', (t) => {
  const wrong = reading('a', 0, 0, 1, { epoch: EPOCH + 1 });
  t.throws(() => computeShares(EPOCH, [wrong], [device('a')], cfg), { instanceOf: RangeError, message: /^readings\[0\]\.epoch:/ });
  const outside = reading('a', 1, 0, 1, { time: START - 1 });
  t.throws(() => computeShares(EPOCH, [outside], [device('a')], cfg), { instanceOf: RangeError, message: /^readings\[0\]\.epoch:/ });
});

test('the same (deviceId, seq) twice is refused', (t) => {
  const twice = [reading('a', 7, 0, 1), reading('a', 7, 1, 1)];
  t.throws(() => computeShares(EPOCH, twice, [device('a')], cfg), { instanceOf: RangeError, message: /^readings\[1\]:/ });
});

test('malformed devices are refused naming the field', (t) => {
  t.throws(() => computeShares(EPOCH, [], [device('a', { owner: '0x1234' })], cfg), { instanceOf: TypeError, message: /^devices\[0\]\.owner:/ });
  t.throws(() => computeShares(EPOCH, [], [device('a'), device('a')], cfg), { instanceOf: RangeError, message: /^devices\[1\]\.deviceId:/ });
  t.throws(() => computeShares(EPOCH, [], 'x' as unknown as DeviceRecordV1[], cfg), { instanceOf: TypeError, message: /^devices:/ });
});

test('malformed readings are refused naming the field', (t) => {
  t.throws(() => computeShares(EPOCH, [reading('a', 0, 0, 1.5)], [device('a')], cfg), { instanceOf: RangeError, message: /^readings\[0\]\.quality:/ });
  t.throws(() => computeShares(EPOCH, [reading('a', -1, 0, 1)], [device('a')], cfg), { instanceOf: RangeError, message: /^readings\[0\]\.seq:/ });
  const noFlag = { ...reading('a', 0, 0, 1), maintenance: undefined } as unknown as AcceptedReadingV1;
  t.throws(() => computeShares(EPOCH, [noFlag], [device('a')], cfg), { instanceOf: TypeError, message: /^readings\[0\]\.maintenance:/ });
});

test('a negative epoch is refused naming epoch', (t) => {
  t.throws(() => computeShares(-1, [], [], cfg), { instanceOf: RangeError, message: /^epoch:/ });
});
