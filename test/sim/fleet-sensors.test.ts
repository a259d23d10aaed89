import test from 'ava';
import { Sampler } from '../../src/core/sampler.js';
import { createEnvironment } from '../../src/sim/environment.js';
import { planFleet, type NodePlan } from '../../src/sim/fleet-plan.js';
import { fleetSensorBindings } from '../../src/sim/fleet-sensors.js';

const region = { lat: 47.37, lon: 8.54, radiusKm: 25 };
const START = Date.UTC(2026, 5, 1);
const HOUR = 3_600_000;
const environment = createEnvironment({ seed: 4, region });

function sensorsOf(plan: NodePlan) {
  let now = START;
  const bindings = fleetSensorBindings(plan, { environment, now: () => now, runStartMs: START, runLengthMs: 10 * HOUR }, 42);
  const errors: unknown[] = [];
  const sampler = new Sampler(bindings, (e) => errors.push(e));
  return { bindings, sampler, errors, at: (t: number) => ((now = t), sampler.sample()) };
}

const planOf = (profile: NodePlan['profile'], kind: NodePlan['kind'] = 'air'): NodePlan => ({ ...planFleet({ seed: 4, nodes: 1, region, mix: {} })[0]!, profile, kind });
const value = (ms: ReturnType<typeof sensorsOf>['sampler']['sample'] extends () => infer R ? R : never, q: string) => ms.find((m) => m.quantity === q)?.value;

test('sensors return the driver shapes and the sampler turns them into every quantity of the node kind', (t) => {
  const air = sensorsOf(planOf('honest', 'air'));
  t.deepEqual(Object.keys(air.bindings[0]!.sensor.sample()!), ['thermometer', 'hygrometer', 'barometer']);
  t.deepEqual(Object.keys(air.bindings[1]!.sensor.sample()!), ['particulateMatter']);
  t.deepEqual(Object.keys(air.bindings[2]!.sensor.sample()!), ['carbonDioxide']);
  t.deepEqual(air.at(START).map((m) => m.quantity).sort(), ['co2', 'humidity', 'pm1', 'pm10', 'pm2_5', 'pressure', 'temperature']);
  t.deepEqual(sensorsOf(planOf('honest', 'weather')).at(START).map((m) => m.quantity).sort(), ['humidity', 'pressure', 'temperature']);
  t.deepEqual(air.errors, []);
});

test('an honest sensor reads the environment within its accuracy', (t) => {
  const plan = planOf('honest');
  const s = sensorsOf(plan);
  for (let h = 0; h < 24; h += 3) {
    const truth = environment.at(START + h * HOUR, plan.lat, plan.lon);
    const got = s.at(START + h * HOUR);
    t.true(Math.abs(value(got, 'temperature')! - truth.temperature) < 1, `T at ${h} h`);
    t.true(Math.abs(value(got, 'pressure')! - truth.pressure) < 100, `p at ${h} h`);
  }
});

test('a flat-lining node repeats exactly the same values once stuck, and varies before', (t) => {
  const plan = planOf('flatline');
  const s = sensorsOf(plan);
  const onset = START + plan.traits.stuckAfter * 10 * HOUR;
  t.notDeepEqual(s.at(START), s.at(START + 60_000));
  const stuck = s.at(onset + 1000);
  t.deepEqual(s.at(onset + 2 * HOUR), stuck);
  t.deepEqual(s.at(onset + 4 * HOUR), stuck);
});

test('a drifting node reads ever warmer than an honest one at the same place', (t) => {
  const drift = sensorsOf(planOf('drift'));
  const honest = sensorsOf(planOf('honest'));
  const gap = (h: number) => value(drift.at(START + h * HOUR), 'temperature')! - value(honest.at(START + h * HOUR), 'temperature')!;
  t.true(Math.abs(gap(0)) < 0.5);
  t.true(gap(6) > 4, `after 6 h: ${gap(6)}`);
});

test('an invented station ignores the weather: its values do not follow the environment between days', (t) => {
  const plan = planOf('invented');
  const s = sensorsOf(plan);
  const t1 = value(s.at(START + 5 * HOUR), 'temperature')!;
  const t2 = value(s.at(START + 29 * HOUR), 'temperature')!;
  t.true(Math.abs(t1 - t2) < 0.4, `the same hour of two days reads the same but for noise: ${t1} vs ${t2}`);
  const truth = (h: number) => environment.at(START + h * HOUR, plan.lat, plan.lon).pressure;
  t.true(Math.abs(truth(5) - truth(29)) > 50, 'while the real pressure moved');
  t.true(Math.abs(value(s.at(START + 29 * HOUR), 'pressure')! - 101_300) < 100);
});
