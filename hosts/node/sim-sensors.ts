// Simulated sensors for the desktop: the same sample shapes as the ECMA-419 drivers on the device
// ({thermometer: {temperature}}, ...), driven by a simple environment so that values look like weather.
// The fleet simulator (src/sim) brings the full environment model; this is enough for one desktop node.
import type { Clock, Sensor } from '../../src/core/host.js';
import { FIELDS, type SensorBinding } from '../../src/core/sampler.js';

/** Small deterministic PRNG (mulberry32): same seed, same sequence on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal deviate (Box-Muller) from a uniform source. */
export function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

export interface SimSensorOptions {
  clock: Clock;
  seed: number;
  /** Degrees east; sets local solar time for the daily cycle. */
  longitude?: number;
  /** Probability that a sample() throws, to exercise the error path. */
  failureRate?: number;
}

const DAY_MS = 86_400_000;

/** Temperature, humidity and pressure, like a BME280 behind Moddable's driver conventions (°C, %RH, Pa). */
export class SimWeatherSensor implements Sensor {
  readonly #o: SimSensorOptions;
  readonly #random: () => number;
  constructor(options: SimSensorOptions) {
    this.#o = options;
    this.#random = seededRandom(options.seed);
  }
  sample() {
    if (this.#o.failureRate && this.#random() < this.#o.failureRate) throw new Error('simulated I2C timeout');
    const t = this.#o.clock.now();
    const solar = ((t / DAY_MS + (this.#o.longitude ?? 0) / 360) % 1) * 2 * Math.PI;
    const temperature = 14 + 6 * Math.sin(solar - Math.PI / 2) + 0.15 * gaussian(this.#random);
    const humidity = Math.min(100, Math.max(5, 65 - 2.5 * (temperature - 14) + 1.5 * gaussian(this.#random)));
    const pressure = 101_325 + 600 * Math.sin((2 * Math.PI * t) / (5 * DAY_MS)) + 8 * gaussian(this.#random);
    return { thermometer: { temperature }, hygrometer: { humidity }, barometer: { pressure } };
  }
}

/** PM1/PM2.5/PM10 in µg/m³, like a PMS5003. */
export class SimParticulateSensor implements Sensor {
  readonly #o: SimSensorOptions;
  readonly #random: () => number;
  constructor(options: SimSensorOptions) {
    this.#o = options;
    this.#random = seededRandom(options.seed ^ 0x5eed);
  }
  sample() {
    if (this.#o.failureRate && this.#random() < this.#o.failureRate) throw new Error('simulated UART checksum error');
    const hour = (this.#o.clock.now() / 3_600_000) % 24;
    const traffic = Math.exp(-((hour - 8) ** 2) / 4) + Math.exp(-((hour - 18) ** 2) / 4);
    const pm2_5 = Math.max(0, 8 + 12 * traffic + 1.2 * gaussian(this.#random));
    return { particulateMatter: { pm1: pm2_5 * 0.65, pm2_5, pm10: pm2_5 * 1.6 } };
  }
}

export type SimNodeKind = 'weather' | 'air';

export function simulatedBindings(kind: SimNodeKind, options: SimSensorOptions): SensorBinding[] {
  const weather: SensorBinding = {
    name: 'sim-bme280',
    sensor: new SimWeatherSensor(options),
    fields: [FIELDS.thermometer, FIELDS.hygrometer, FIELDS.barometer],
  };
  if (kind === 'weather') return [weather];
  return [weather, { name: 'sim-pms5003', sensor: new SimParticulateSensor(options), fields: [FIELDS.pm1, FIELDS.pm2_5, FIELDS.pm10] }];
}
