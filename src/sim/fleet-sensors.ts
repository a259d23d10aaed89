// Simulated sensors of a fleet node: they read the environment model at the node's place and the simulated time,
// then add what real sensors add (noise at the datasheet's resolution, a calibration offset, and the profile's
// fault: a stuck value, a drift) and return the shapes of the ECMA-419 drivers in hosts/esp32/drivers
// ({thermometer: {temperature}}, {particulateMatter: {pm2_5}}, {carbonDioxide: {co2}}), in their units.
import type { Sensor } from '../core/host.js';
import { FIELDS, type SensorBinding } from '../core/sampler.js';
import { gaussian, seededRandom } from '../../hosts/node/sim-sensors.js';
import type { Environment, EnvironmentSample } from './environment.js';
import type { NodePlan, NodeTraits } from './fleet-plan.js';

export interface FleetSensorContext {
  environment: Environment;
  /** The node's notion of now (true simulated time; a skewed device clock does not change what it measures). */
  now: () => number;
  /** Start and length of the run, ms: faults that begin partway through use them. */
  runStartMs: number;
  runLengthMs: number;
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

/** What one simulated sensor makes of the true values: its driver's sample shape, with its own errors. */
type SensorModel = (truth: EnvironmentSample, random: () => number, traits: NodeTraits) => Record<string, unknown>;

/** Like a BME280 behind our driver: °C, %RH, Pa; noise at its resolution and an offset within its accuracy. */
const bme280: SensorModel = (s, random, traits) => ({
  thermometer: { temperature: s.temperature + traits.offsetT + 0.05 * gaussian(random) },
  hygrometer: { humidity: Math.min(100, Math.max(0, s.humidity + traits.offsetRH + 0.4 * gaussian(random))) },
  barometer: { pressure: s.pressure + traits.offsetP + 3 * gaussian(random) },
});

/** Like a PMS5003: µg/m³ at 1 µg/m³ resolution, a gain error, counting noise. */
const pms5003: SensorModel = (s, random, traits) => {
  const gain = 1 + traits.pmGain;
  const read = (v: number) => Math.max(0, Math.round(v * gain + Math.sqrt(Math.max(v, 1)) * 0.3 * gaussian(random)));
  return { particulateMatter: { pm1: read(s.pm1), pm2_5: read(s.pm2_5), pm10: read(s.pm10) } };
};

/** Like an SCD41: ppm, ±(50 ppm + 5 %) accuracy class, so a few ppm of noise and no reading below 400. */
const scd41: SensorModel = (s, random) => ({ carbonDioxide: { co2: Math.max(400, Math.round(s.co2 + 4 * gaussian(random))) } });

/** A simulated sensor: its model over the node's true values; once stuck, it repeats its last sample exactly. */
class FleetSensor implements Sensor {
  readonly #truth: TrueValues;
  readonly #traits: NodeTraits;
  readonly #model: SensorModel;
  readonly #random: () => number;
  #held: Record<string, unknown> | undefined;
  constructor(truth: TrueValues, traits: NodeTraits, model: SensorModel, seed: number) {
    this.#truth = truth;
    this.#traits = traits;
    this.#model = model;
    this.#random = seededRandom(seed);
  }
  sample() {
    const out = this.#model(this.#truth.at(), this.#random, this.#traits);
    return this.#truth.stuck ? (this.#held ??= out) : out;
  }
}

export function fleetSensorBindings(plan: NodePlan, ctx: FleetSensorContext, seed: number): SensorBinding[] {
  const truth = new TrueValues(plan, ctx);
  const bindings: SensorBinding[] = [
    { name: 'bme280', sensor: new FleetSensor(truth, plan.traits, bme280, seed), fields: [FIELDS.thermometer, FIELDS.hygrometer, FIELDS.barometer] },
  ];
  if (plan.kind === 'air') {
    bindings.push({ name: 'pms5003', sensor: new FleetSensor(truth, plan.traits, pms5003, seed ^ 0x5eed), fields: [FIELDS.pm1, FIELDS.pm2_5, FIELDS.pm10] });
    bindings.push({ name: 'scd41', sensor: new FleetSensor(truth, plan.traits, scd41, seed ^ 0xc02), fields: [FIELDS.co2] });
  }
  return bindings;
}
