import test from 'ava';
import { createEnvironment, type EnvironmentSample } from '../../src/sim/environment.js';

const region = { lat: 48.1, lon: 11.6, radiusKm: 300 };
const START = Date.UTC(2025, 2, 10); // a Monday, 00:00 UTC
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const KM_PER_DEG_LAT = 110.574;
const kmPerDegLon = 111.32 * Math.cos((region.lat * Math.PI) / 180);

/** A 5 x 5 grid across the region, ~120 km apart. */
function grid(): Array<[number, number]> {
  const points: Array<[number, number]> = [];
  for (let i = -2; i <= 2; i++) {
    for (let j = -2; j <= 2; j++) points.push([region.lat + (i * 120) / KM_PER_DEG_LAT, region.lon + (j * 120) / kmPerDegLon]);
  }
  return points;
}

/** Deterministic sample positions within the region (a plain LCG, good enough to spread points). */
function positions(n: number): Array<[number, number]> {
  let a = 12345;
  const next = () => (a = (Math.imul(a, 1103515245) + 12345) >>> 0) / 4294967296;
  const out: Array<[number, number]> = [];
  for (let k = 0; k < n; k++) {
    out.push([region.lat + ((next() * 2 - 1) * 200) / KM_PER_DEG_LAT, region.lon + ((next() * 2 - 1) * 200) / kmPerDegLon]);
  }
  return out;
}

function solarHour(timeMs: number, lon: number): number {
  const h = (timeMs / HOUR + lon / 15) % 24;
  return h < 0 ? h + 24 : h;
}

function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

test('the same seed gives the same values, whatever the call order', (t) => {
  const a = createEnvironment({ seed: 42, region });
  const b = createEnvironment({ seed: 42, region });
  const times = [START, START + 5 * DAY + 7 * HOUR, START + 400 * DAY, START - 30 * DAY];
  const forward = times.map((time) => a.at(time, 48.3, 11.9));
  const backward = times.slice().reverse().map((time) => b.at(time, 48.3, 11.9)).reverse();
  t.deepEqual(forward, backward);
});

test('different seeds give different values', (t) => {
  const a = createEnvironment({ seed: 1, region });
  const b = createEnvironment({ seed: 2, region });
  let differing = 0;
  for (let h = 0; h < 48; h++) {
    const va = a.at(START + h * HOUR, 48.2, 11.5);
    const vb = b.at(START + h * HOUR, 48.2, 11.5);
    if (Math.abs(va.temperature - vb.temperature) > 0.1 && Math.abs(va.pressure - vb.pressure) > 10) differing++;
  }
  t.true(differing > 40, `only ${differing} of 48 hours differ`);
});

test('fills a caller-supplied sample in place with the same values as a fresh one', (t) => {
  const env = createEnvironment({ seed: 7, region });
  const out: EnvironmentSample = { temperature: 0, humidity: 0, pressure: 0, pm1: 0, pm2_5: 0, pm10: 0, co2: 0, wind_speed: 0 };
  const filled = env.at(START + 3 * HOUR, 48, 11, out);
  t.is(filled, out);
  t.deepEqual({ ...out }, env.at(START + 3 * HOUR, 48, 11));
});

test('rejects malformed arguments naming the parameter', (t) => {
  t.throws(() => createEnvironment({ seed: 1.5, region }), { instanceOf: RangeError, message: /seed/ });
  t.throws(() => createEnvironment({ seed: 1, region: { ...region, lat: 91 } }), { instanceOf: RangeError, message: /region\.lat/ });
  t.throws(() => createEnvironment({ seed: 1, region: { ...region, radiusKm: 0 } }), { instanceOf: RangeError, message: /radiusKm/ });
  const env = createEnvironment({ seed: 1, region });
  t.throws(() => env.at(Number.NaN, 48, 11), { instanceOf: RangeError, message: /timeMs/ });
  t.throws(() => env.at(START, 48, 200), { instanceOf: RangeError, message: /lon/ });
});

test('every value is physically plausible over a simulated week on a grid', (t) => {
  for (const seed of [1, 2, 3]) {
    const env = createEnvironment({ seed, region });
    for (let time = START; time < START + 7 * DAY; time += 30 * 60_000) {
      for (const [lat, lon] of grid()) {
        const v = env.at(time, lat, lon);
        const where = `seed ${seed} at ${time} (${lat.toFixed(2)}, ${lon.toFixed(2)}): ${JSON.stringify(v)}`;
        for (const value of Object.values(v)) if (!Number.isFinite(value)) t.fail(where);
        if (v.temperature < -40 || v.temperature > 60) t.fail(where);
        if (v.humidity < 0 || v.humidity > 100) t.fail(where);
        if (v.pressure < 30_000 || v.pressure > 110_000) t.fail(where);
        if (v.pm1 < 0 || v.pm1 > v.pm2_5 || v.pm2_5 > v.pm10) t.fail(where);
        if (v.co2 < 400 || v.co2 > 10_000) t.fail(where);
        if (v.wind_speed < 0 || v.wind_speed > 60) t.fail(where);
      }
    }
  }
  t.pass();
});

test('afternoons are warmer than pre-dawn hours on average', (t) => {
  const env = createEnvironment({ seed: 5, region });
  let afternoon = 0;
  let predawn = 0;
  let na = 0;
  let np = 0;
  for (const [lat, lon] of grid()) {
    for (let time = START; time < START + 7 * DAY; time += 20 * 60_000) {
      const h = solarHour(time, lon);
      if (h >= 14 && h < 16) (afternoon += env.at(time, lat, lon).temperature), na++;
      if (h >= 4 && h < 6) (predawn += env.at(time, lat, lon).temperature), np++;
    }
  }
  t.true(afternoon / na - predawn / np > 5, `afternoon ${afternoon / na} vs pre-dawn ${predawn / np}`);
});

test('relative humidity moves against temperature over a day', (t) => {
  const env = createEnvironment({ seed: 9, region });
  const correlations: number[] = [];
  for (const [lat, lon] of grid().slice(0, 10)) {
    for (let day = 0; day < 7; day++) {
      const temps: number[] = [];
      const rhs: number[] = [];
      for (let h = 0; h < 24; h++) {
        const v = env.at(START + day * DAY + h * HOUR, lat, lon);
        temps.push(v.temperature);
        rhs.push(v.humidity);
      }
      correlations.push(pearson(temps, rhs));
    }
  }
  const mean = correlations.reduce((s, c) => s + c, 0) / correlations.length;
  t.true(mean < -0.6, `mean correlation ${mean}`);
  t.true(correlations.filter((c) => c < 0).length >= 0.9 * correlations.length);
});

test('stations 2 km apart agree far more closely than stations 300 km apart', (t) => {
  const env = createEnvironment({ seed: 11, region });
  const names = ['temperature', 'humidity', 'pressure', 'pm2_5', 'wind_speed'] as const;
  const near = { temperature: 0, humidity: 0, pressure: 0, pm2_5: 0, wind_speed: 0 };
  const far = { ...near };
  let n = 0;
  for (const [lat, lon] of positions(40)) {
    for (let k = 0; k < 48; k++) {
      const time = START + k * 3.5 * HOUR;
      const here = env.at(time, lat, lon);
      const close = env.at(time, lat + 2 / KM_PER_DEG_LAT, lon);
      const distant = env.at(time, lat, lon + 300 / kmPerDegLon);
      for (const q of names) {
        near[q] += Math.abs(here[q] - close[q]);
        far[q] += Math.abs(here[q] - distant[q]);
      }
      n++;
    }
  }
  for (const q of names) {
    t.true(near[q] * 5 < far[q], `${q}: 2 km ${near[q] / n} vs 300 km ${far[q] / n}`);
  }
  t.true(near.temperature / n < 0.3, `2 km temperature difference ${near.temperature / n} °C`);
});

test('pressure fronts move pressure by several hPa over days', (t) => {
  const env = createEnvironment({ seed: 13, region });
  for (const [lat, lon] of grid().filter((_, i) => i % 6 === 0)) {
    let min = Infinity;
    let max = -Infinity;
    let biggestTwoDayChange = 0;
    for (let h = 0; h < 14 * 24; h += 3) {
      const p = env.at(START + h * HOUR, lat, lon).pressure;
      const later = env.at(START + (h + 48) * HOUR, lat, lon).pressure;
      min = Math.min(min, p);
      max = Math.max(max, p);
      biggestTwoDayChange = Math.max(biggestTwoDayChange, Math.abs(later - p));
    }
    t.true(max - min > 600, `range ${max - min} Pa at (${lat}, ${lon})`);
    t.true(biggestTwoDayChange > 400, `two-day change ${biggestTwoDayChange} Pa`);
    t.true(min > 95_000 && max < 106_000, `pressure ${min}..${max} Pa`);
  }
});

test('the morning rush hour raises PM2.5 on workdays', (t) => {
  const env = createEnvironment({ seed: 17, region });
  let rush = 0;
  let midday = 0;
  for (const [lat, lon] of positions(60)) {
    for (let day = 0; day < 5; day++) {
      // Solar 08:00 and 13:00 at this longitude.
      const base = START + day * DAY - (lon / 15) * HOUR;
      rush += env.at(base + 8 * HOUR, lat, lon).pm2_5;
      midday += env.at(base + 13 * HOUR, lat, lon).pm2_5;
    }
  }
  t.true(rush > midday * 1.1, `rush ${rush} vs midday ${midday}`);
});

// Speed is measured in npm run bench (the fleet simulator's 10,000-node real-time run), not asserted here.
test('at() fills a caller\'s object in place with exactly what a fresh call returns', (t) => {
  const env = createEnvironment({ seed: 3, region });
  const out: EnvironmentSample = { temperature: 0, humidity: 0, pressure: 0, pm1: 0, pm2_5: 0, pm10: 0, co2: 0, wind_speed: 0 };
  for (const [lat, lon] of positions(50)) {
    const time = START + 37 * 60_000;
    t.is(env.at(time, lat, lon, out), out);
    t.deepEqual({ ...out }, env.at(time, lat, lon));
  }
});
