// Simulated sensors of a fleet node: they read the environment model at the node's place and the simulated time,
// then add what real sensors add (noise at the datasheet's resolution, a calibration offset, and the profile's
// fault: a stuck value, a drift) and return the shapes of the ECMA-419 drivers in hosts/esp32/drivers
// ({thermometer: {temperature}}, {particulateMatter: {pm2_5}}, {carbonDioxide: {co2}}), in their units.
import type { Sensor } from '../core/host.js';
import { FIELDS, type SensorBinding } from '../core/sampler.js';
import { seededRandom } from '../../hosts/node/sim-sensors.js';
import type { Environment, EnvironmentSample } from './environment.js';
import type { NodePlan } from './fleet-plan.js';

export interface FleetSensorContext {
  environment: Environment;
  /** The node's notion of now (true simulated time; a skewed device clock does not change what it measures). */
  now: () => number;
  /** Start and length of the run, ms: faults that begin partway through use them. */
  runStartMs: number;
  runLengthMs: number;
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** What the environment gives, then the node's sensor errors and faults. */
class TrueValues {
  readonly #ctx: FleetSensorContext;
  readonly #plan: NodePlan;
  readonly #scratch: EnvironmentSample = { temperature: 0, humidity: 0, pressure: 0, pm1: 0, pm2_5: 0, pm10: 0, co2: 0, wind_speed: 0 };
  #stuck: EnvironmentSample | undefined;
  /** True once a flat-lining sensor has stuck: its readings repeat exactly, noise included. */
  get stuck(): boolean {
    return this.#stuck !== undefined;
  }
  constructor(plan: NodePlan, ctx: FleetSensorContext) {
    this.#plan = plan;
    this.#ctx = ctx;
  }
  at(): EnvironmentSample {
    const t = this.#ctx.now();
    const { profile, traits } = this.#plan;
    if (profile === 'flatline') {
      if (this.#stuck) return this.#stuck;
      const onset = this.#ctx.runStartMs + traits.stuckAfter * this.#ctx.runLengthMs;
      if (t >= onset) return (this.#stuck = { ...this.#ctx.environment.at(t, this.#plan.lat, this.#plan.lon) });
    }
    if (profile === 'invented') return this.#invented(t);
    const s = this.#ctx.environment.at(t, this.#plan.lat, this.#plan.lon, this.#scratch);
    if (profile === 'drift') s.temperature += (traits.driftPerHour * (t - this.#ctx.runStartMs)) / 3_600_000;
    return s;
  }
  /** A made-up station: a textbook daily cycle around a fixed climate, no weather, no episodes. */
  #invented(t: number): EnvironmentSample {
    const hour = ((t / 3_600_000 + this.#plan.lon / 15) % 24 + 24) % 24;
    const day = Math.cos((2 * Math.PI * (hour - 15)) / 24);
    const s = this.#scratch;
    s.temperature = 16 + 6 * day;
    s.humidity = 70 - 20 * day;
    s.pressure = 101_300;
    s.pm2_5 = 9 + 3 * Math.max(0, -day);
    s.pm1 = s.pm2_5 * 0.7;
    s.pm10 = s.pm2_5 * 1.6;
    s.co2 = 425 + 15 * Math.max(0, -day);
    s.wind_speed = 2;
    return s;
  }
}

/** Like a BME280 behind our driver: °C, %RH, Pa; noise at its resolution and an offset within its accuracy. */
class FleetWeatherSensor implements Sensor {
  readonly #truth: TrueValues;
  readonly #plan: NodePlan;
  readonly #random: () => number;
  constructor(truth: TrueValues, plan: NodePlan, seed: number) {
    this.#truth = truth;
    this.#plan = plan;
    this.#random = seededRandom(seed);
  }
  sample() {
    const s = this.#truth.at();
    const { traits } = this.#plan;
    const temperature = s.temperature + traits.offsetT + 0.05 * gaussian(this.#random);
    const humidity = Math.min(100, Math.max(0, s.humidity + traits.offsetRH + 0.4 * gaussian(this.#random)));
    const pressure = s.pressure + traits.offsetP + 3 * gaussian(this.#random);
    const out = { thermometer: { temperature }, hygrometer: { humidity }, barometer: { pressure } };
    return this.#truth.stuck ? (this.#held ??= out) : out;
  }
  #held: Record<string, unknown> | undefined;
}

/** Like a PMS5003: µg/m³ at 1 µg/m³ resolution, a gain error, counting noise. */
class FleetParticulateSensor implements Sensor {
  readonly #truth: TrueValues;
  readonly #plan: NodePlan;
  readonly #random: () => number;
  constructor(truth: TrueValues, plan: NodePlan, seed: number) {
    this.#truth = truth;
    this.#plan = plan;
    this.#random = seededRandom(seed);
  }
  sample() {
    const s = this.#truth.at();
    const gain = 1 + this.#plan.traits.pmGain;
    const read = (v: number) => Math.max(0, Math.round(v * gain + Math.sqrt(Math.max(v, 1)) * 0.3 * gaussian(this.#random)));
    const out = { particulateMatter: { pm1: read(s.pm1), pm2_5: read(s.pm2_5), pm10: read(s.pm10) } };
    return this.#truth.stuck ? (this.#held ??= out) : out;
  }
  #held: Record<string, unknown> | undefined;
}

/** Like an SCD41: ppm, ±(50 ppm + 5 %) accuracy class, so a few ppm of noise and no reading below 400. */
class FleetCo2Sensor implements Sensor {
  readonly #truth: TrueValues;
  readonly #random: () => number;
  constructor(truth: TrueValues, seed: number) {
    this.#truth = truth;
    this.#random = seededRandom(seed);
  }
  sample() {
    const s = this.#truth.at();
    const out = { carbonDioxide: { co2: Math.max(400, Math.round(s.co2 + 4 * gaussian(this.#random))) } };
    return this.#truth.stuck ? (this.#held ??= out) : out;
  }
  #held: Record<string, unknown> | undefined;
}

export function fleetSensorBindings(plan: NodePlan, ctx: FleetSensorContext, seed: number): SensorBinding[] {
  const truth = new TrueValues(plan, ctx);
  const bindings: SensorBinding[] = [
    { name: 'bme280', sensor: new FleetWeatherSensor(truth, plan, seed), fields: [FIELDS.thermometer, FIELDS.hygrometer, FIELDS.barometer] },
  ];
  if (plan.kind === 'air') {
    bindings.push({ name: 'pms5003', sensor: new FleetParticulateSensor(truth, plan, seed ^ 0x5eed), fields: [FIELDS.pm1, FIELDS.pm2_5, FIELDS.pm10] });
    bindings.push({ name: 'scd41', sensor: new FleetCo2Sensor(truth, seed ^ 0xc02), fields: [FIELDS.co2] });
  }
  return bindings;
}
