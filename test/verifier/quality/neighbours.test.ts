import test from 'ava';
import fc from 'fast-check';
import { EARTH_RADIUS_KM } from '../../../src/verifier/quality/geo.js';
import { reviewBucket, type BucketEntry } from '../../../src/verifier/quality/neighbours.js';
import { DEFAULT_QUALITY_CONFIG as cfg, parseQualityConfig } from '../../../src/verifier/quality/quality-config.js';

const VIENNA = { lat: 48.2082, lon: 16.3738 };
const T = 1_750_000_200;
const RAD = Math.PI / 180;

/** The point `km` from `from` on the initial bearing `deg` (spherical destination formula). */
function destination(from: { lat: number; lon: number }, deg: number, km: number) {
  const d = km / EARTH_RADIUS_KM;
  const lat1 = from.lat * RAD;
  const b = deg * RAD;
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(b));
  const lon2 = from.lon * RAD + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * Math.sin(lat2));
  return { lat: lat2 / RAD, lon: ((lon2 / RAD + 540) % 360) - 180 };
}

let counter = 0;
function entry(deviceId: string, location: { lat: number; lon: number }, values: Record<string, number>, time = T): BucketEntry {
  counter += 1;
  return {
    messageHash: `${deviceId}-${time}-${counter}`,
    deviceId,
    time,
    location,
    measurements: Object.entries(values).map(([quantity, value]) => ({ quantity, value })),
  };
}

/** Eight honest stations within 4 km of Vienna's centre (so all are each other's neighbours) at 14 ± 0.5 Cel. */
function honestTown() {
  const temps = [13.5, 13.6, 13.8, 14, 14.1, 14.3, 14.4, 14.5];
  return temps.map((temperature, i) => entry(`honest-${i}`, destination(VIENNA, i * 45, 1 + (i % 4)), { temperature, humidity: 70 + i / 2 }));
}

test('flags a plausible but invented value: 30 Cel where 8 neighbours read 14 ± 0.5', (t) => {
  const suspect = entry('suspect', VIENNA, { temperature: 30, humidity: 72 });
  const reviews = reviewBucket([...honestTown(), suspect], cfg);
  const r = reviews.get(suspect.messageHash)!;
  t.like(r.outlier, { quantity: 'temperature', value: 30, median: 14.05, mad: 1, neighbours: 8 });
  t.true(r.z.temperature! > 10);
  t.is(r.quality, null);
  t.is(r.detail, 'temperature = 30 Cel has robust z 10.76 against the median 14.05 Cel of 8 neighbours within 10 km (MAD 1 Cel, the floor); the limit is |z| <= 3.5');
});

test('the honest stations around an invented value are not flagged', (t) => {
  const town = honestTown();
  const reviews = reviewBucket([...town, entry('suspect', VIENNA, { temperature: 30 })], cfg);
  for (const e of town) {
    const r = reviews.get(e.messageHash)!;
    t.is(r.outlier, null, e.deviceId);
    t.is(r.quality, 1, e.deviceId);
  }
});

test('a station with fewer than minNeighbours neighbours is not compared and keeps quality 1', (t) => {
  const few = honestTown().slice(0, 3);
  const suspect = entry('suspect', VIENNA, { temperature: 30 });
  const r = reviewBucket([...few, suspect], cfg).get(suspect.messageHash)!;
  t.deepEqual(r.z, {});
  t.is(r.outlier, null);
  t.is(r.quality, 1);
  t.is(r.detail, 'no neighbours to compare with (fewer than 4 within 10 km)');
});

test('exactly minNeighbours neighbours are enough to compare', (t) => {
  const suspect = entry('suspect', VIENNA, { temperature: 30 });
  t.like(reviewBucket([...honestTown().slice(0, 4), suspect], cfg).get(suspect.messageHash)!.outlier, { quantity: 'temperature', neighbours: 4 });
});

test('stations just inside the radius count, stations just outside do not', (t) => {
  const inside = [0, 90, 180, 270].map((deg, i) => entry(`in-${i}`, destination(VIENNA, deg, 9.99), { temperature: 14 }));
  const outside = [45, 135, 225, 315, 0].map((deg, i) => entry(`out-${i}`, destination(VIENNA, deg, 10.01), { temperature: 30 }));
  const suspect = entry('suspect', VIENNA, { temperature: 30 });
  const r = reviewBucket([...inside, ...outside, suspect], cfg).get(suspect.messageHash)!;
  t.like(r.outlier, { quantity: 'temperature', median: 14, neighbours: 4 });
});

test('the MAD floor keeps a perfectly uniform neighbourhood from magnifying small differences', (t) => {
  const uniform = [0, 60, 120, 180, 240, 300].map((deg, i) => entry(`u-${i}`, destination(VIENNA, deg, 2), { temperature: 14 }));
  const near = entry('near', VIENNA, { temperature: 14.5 });
  const r = reviewBucket([...uniform, near], cfg).get(near.messageHash)!;
  t.is(r.z.temperature, 0.6745 * 0.5);
  t.is(r.outlier, null);
  t.is(r.quality, 1);
});

test('|z| just below zReject is accepted with a low score, just above is rejected', (t) => {
  const uniform = [0, 60, 120, 180, 240, 300].map((deg, i) => entry(`u-${i}`, destination(VIENNA, deg, 2), { temperature: 14 }));
  const below = entry('below', VIENNA, { temperature: 14 + 3.49 / 0.6745 });
  const rb = reviewBucket([...uniform, below], cfg).get(below.messageHash)!;
  t.is(rb.outlier, null);
  t.true(rb.quality! > 0 && rb.quality! < 0.01);
  const above = entry('above', VIENNA, { temperature: 14 + 3.51 / 0.6745 });
  t.like(reviewBucket([...uniform, above], cfg).get(above.messageHash)!.outlier, { quantity: 'temperature' });
});

test('the score falls with |z| between zFull and zReject', (t) => {
  const uniform = [0, 60, 120, 180, 240, 300].map((deg, i) => entry(`u-${i}`, destination(VIENNA, deg, 2), { temperature: 14 }));
  const mid = entry('mid', VIENNA, { temperature: 14 - 2.75 / 0.6745 });
  const r = reviewBucket([...uniform, mid], cfg).get(mid.messageHash)!;
  t.true(Math.abs(r.quality! - 0.5) < 1e-9);
});

test('pressure is not compared with neighbours (station altitude is unknown)', (t) => {
  const town = honestTown().map((e) => ({ ...e, measurements: [...e.measurements, { quantity: 'pressure', value: 99_000 }] }));
  const high = entry('hilltop', VIENNA, { temperature: 14, pressure: 93_000 });
  const r = reviewBucket([...town, high], cfg).get(high.messageHash)!;
  t.false('pressure' in r.z);
  t.is(r.outlier, null);
});

test('only the nearest maxNeighbours neighbours with the quantity count', (t) => {
  const close = [0, 90, 180, 270].map((deg, i) => entry(`close-${i}`, destination(VIENNA, deg, 1), { temperature: 14 }));
  const far = Array.from({ length: 10 }, (_, i) => entry(`far-${i}`, destination(VIENNA, i * 36, 6), { temperature: 30, pm2_5: 20 }));
  const suspect = entry('suspect', VIENNA, { temperature: 30, pm2_5: 21 });
  const four = parseQualityConfig({ neighbour: { maxNeighbours: 4 } });
  const capped = reviewBucket([...close, ...far, suspect], four).get(suspect.messageHash)!;
  t.like(capped.outlier, { quantity: 'temperature', median: 14, neighbours: 4 });
  t.true(Math.abs(capped.z.pm2_5!) < 1, 'PM is compared with the nearest stations that measure PM');
  t.is(reviewBucket([...close, ...far, suspect], cfg).get(suspect.messageHash)!.outlier, null);
});

test('a device with several readings: each is judged against the others, its latest stands for it', (t) => {
  const others = [0, 90, 180, 270].map((deg, i) => entry(`n-${i}`, destination(VIENNA, deg, 1), { temperature: 14 }));
  const early = entry('twice', VIENNA, { temperature: 14.2 }, T - 300);
  const latest = entry('twice', VIENNA, { temperature: 30 }, T);
  const reviews = reviewBucket([...others, early, latest], cfg);
  t.is(reviews.get(early.messageHash)!.outlier, null);
  t.like(reviews.get(latest.messageHash)!.outlier, { quantity: 'temperature', neighbours: 4 }); // not its own early reading
  // In the others' neighbourhoods the device counts once, with its latest value (30): 14, 14, 14, 30.
  t.is(reviews.get(others[0]!.messageHash)!.z.temperature, 0);
  t.is(reviews.size, 6);
});

test('finds an invented value across the antimeridian', (t) => {
  const fiji = { lat: -17.0, lon: 180 };
  const ring = Array.from({ length: 8 }, (_, i) => entry(`fj-${i}`, destination(fiji, i * 45, 3), { temperature: 26 + (i % 3) / 10 }));
  t.true(ring.some((e) => e.location.lon < 0) && ring.some((e) => e.location.lon > 0));
  const suspect = entry('suspect', { lat: -17.0, lon: -179.995 }, { temperature: 10 });
  t.like(reviewBucket([...ring, suspect], cfg).get(suspect.messageHash)!.outlier, { quantity: 'temperature' });
});

test('no false positives: honest stations within 2.5 MAD floors of a common value are never flagged', (t) => {
  // |x - median| <= 2w when every value is within w of a common value, so |z| <= 0.6745 * 2 * 2.5 = 3.37 < 3.5.
  const station = fc.record({
    bearing: fc.double({ min: 0, max: 360, noNaN: true }),
    km: fc.double({ min: 0, max: 4, noNaN: true }),
    t: fc.double({ min: -2.5, max: 2.5, noNaN: true }),
    h: fc.double({ min: -7.5, max: 7.5, noNaN: true }),
    pm: fc.double({ min: -12.5, max: 12.5, noNaN: true }),
    co2: fc.double({ min: -75, max: 75, noNaN: true }),
  });
  fc.assert(
    fc.property(
      fc.double({ min: -30, max: 40, noNaN: true }),
      fc.double({ min: 20, max: 80, noNaN: true }),
      fc.double({ min: 15, max: 300, noNaN: true }),
      fc.double({ min: 420, max: 600, noNaN: true }),
      fc.array(station, { minLength: 5, maxLength: 25 }),
      (temp, hum, pm, co2, stations) => {
        const entries = stations.map((s, i) =>
          entry(`s-${i}`, destination(VIENNA, s.bearing, s.km), { temperature: temp + s.t, humidity: hum + s.h, pm2_5: pm + s.pm, co2: co2 + s.co2 }),
        );
        return [...reviewBucket(entries, cfg).values()].every((r) => r.outlier === null && r.quality !== null && r.quality > 0);
      },
    ),
  );
  t.pass();
});

test('the result does not depend on the order of the entries', (t) => {
  const station = fc.record({
    device: fc.integer({ min: 0, max: 14 }),
    time: fc.integer({ min: 0, max: 3 }),
    bearing: fc.integer({ min: 0, max: 359 }),
    km: fc.double({ min: 0, max: 12, noNaN: true }),
    temperature: fc.double({ min: 5, max: 35, noNaN: true }),
    pm2_5: fc.option(fc.double({ min: 0, max: 80, noNaN: true }), { nil: undefined }),
  });
  fc.assert(
    fc.property(
      fc.array(station, { minLength: 1, maxLength: 40 }).chain((stations) => {
        const entries = stations.map((s, i): BucketEntry => ({
          messageHash: `h${String(i).padStart(3, '0')}`,
          deviceId: `d${s.device}`,
          time: T + s.time,
          location: destination(VIENNA, s.bearing, s.km),
          measurements: [{ quantity: 'temperature', value: s.temperature }, ...(s.pm2_5 === undefined ? [] : [{ quantity: 'pm2_5', value: s.pm2_5 }])],
        }));
        return fc.tuple(fc.constant(entries), fc.shuffledSubarray(entries, { minLength: entries.length, maxLength: entries.length }));
      }),
      ([entries, shuffled]) => {
        const a = reviewBucket(entries, cfg);
        const b = reviewBucket(shuffled, cfg);
        return JSON.stringify([...a]) === JSON.stringify([...b]);
      },
    ),
  );
  t.pass();
});

test('returns the reviews in messageHash order', (t) => {
  const entries = [...honestTown()].reverse();
  const keys = [...reviewBucket(entries, cfg).keys()];
  t.deepEqual(keys, [...keys].sort());
});

test('10,000 stations: exactly the planted outliers are found', (t) => {
  // Deterministic pseudo-random stations over 2 x 3 degrees (about 50,000 km2, some 60 per 10 km circle),
  // a smooth temperature field with honest noise, and a few planted values 12 Cel too warm.
  let seed = 42;
  const random = () => {
    // mulberry32: a plain LCG's consecutive outputs are correlated and would put the stations on lines.
    seed = (seed + 0x6d2b79f5) >>> 0;
    let x = Math.imul(seed ^ (seed >>> 15), seed | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
  const planted = new Set<string>();
  const entries: BucketEntry[] = [];
  for (let i = 0; i < 10_000; i++) {
    const location = { lat: 46 + 2 * random(), lon: 7 + 3 * random() };
    const field = 12 + 3 * (location.lat - 46) - (location.lon - 7);
    let temperature = field + (random() - 0.5);
    if (i % 1000 === 7) {
      temperature += 12;
      planted.add(`m${i}`);
    }
    const values: { quantity: string; value: number }[] = [{ quantity: 'temperature', value: temperature }, { quantity: 'humidity', value: 60 + 10 * random() }];
    if (i % 2 === 0) values.push({ quantity: 'pm2_5', value: 8 + 4 * random() });
    entries.push({ messageHash: `m${i}`, deviceId: `d${i}`, time: T, location, measurements: values });
  }
  // Timed, never asserted (machines differ): the first run includes JIT warm-up, the second does not.
  let started = performance.now();
  const reviews = reviewBucket(entries, cfg);
  const cold = performance.now() - started;
  started = performance.now();
  reviewBucket(entries, cfg);
  t.log(`reviewBucket over ${entries.length} stations: ${cold.toFixed(0)} ms cold, ${(performance.now() - started).toFixed(0)} ms warm`);
  const flagged = [...reviews].filter(([, r]) => r.outlier !== null).map(([hash]) => hash);
  t.deepEqual(flagged, [...planted].sort());
  t.is(reviews.size, 10_000);
});

test('throws on wrong-shaped entries, naming the parameter', (t) => {
  const ok = entry('a', VIENNA, { temperature: 14 });
  t.throws(() => reviewBucket(undefined as never, cfg), { instanceOf: TypeError, message: /^entries:/ });
  t.throws(() => reviewBucket([ok, { ...ok }], cfg), { instanceOf: RangeError, message: /^entries\[1\]\.messageHash: .* appears twice/ });
  t.throws(() => reviewBucket([ok, { ...ok, messageHash: 'x', location: { lat: 91, lon: 0 } }], cfg), { instanceOf: RangeError, message: /^entries\[1\]\.location\.lat:/ });
  t.throws(() => reviewBucket([{ ...ok, deviceId: '' }], cfg), { instanceOf: TypeError, message: /^entries\[0\]\.deviceId:/ });
  t.throws(() => reviewBucket([{ ...ok, measurements: {} as never }], cfg), { instanceOf: TypeError, message: /^entries\[0\]\.measurements:/ });
});
