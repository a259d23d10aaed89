import test from 'ava';
import { planFleet } from '../../src/sim/fleet-plan.js';
import { PROFILE_INFO } from '../../src/sim/profiles.js';

const region = { lat: 47.37, lon: 8.54, radiusKm: 25 };
const mix = { replay: 2, invented: 3, cloned_key: 2, drift: 1 };

test('the same seed plans the same fleet; another seed another', (t) => {
  const a = planFleet({ seed: 5, nodes: 60, region, mix });
  const b = planFleet({ seed: 5, nodes: 60, region, mix });
  const c = planFleet({ seed: 6, nodes: 60, region, mix });
  t.deepEqual(a, b);
  t.notDeepEqual(a.map((p) => p.deviceId), c.map((p) => p.deviceId));
  t.notDeepEqual(a.map((p) => p.profile), c.map((p) => p.profile));
});

test('profiles follow the mix exactly, spread over the fleet, honest for the rest', (t) => {
  const plan = planFleet({ seed: 9, nodes: 100, region, mix });
  const count = (p: string) => plan.filter((x) => x.profile === p).length;
  t.is(count('replay'), 2);
  t.is(count('invented'), 3);
  t.is(count('cloned_key'), 2);
  t.is(count('drift'), 1);
  t.is(count('honest'), 92);
  t.false(plan.slice(0, 8).every((p) => p.profile !== 'honest'), 'special nodes are shuffled, not the first indices');
});

test('nodes lie inside the region, device ids are unique, air and weather nodes both occur', (t) => {
  const plan = planFleet({ seed: 3, nodes: 300, region, mix: {} });
  const kmPerDegLon = 111.32 * Math.cos((region.lat * Math.PI) / 180);
  for (const p of plan) {
    const dx = (p.lon - region.lon) * kmPerDegLon;
    const dy = (p.lat - region.lat) * 110.574;
    t.true(Math.hypot(dx, dy) <= region.radiusKm + 0.01, `${p.name} at ${Math.hypot(dx, dy)} km`);
  }
  t.is(new Set(plan.map((p) => p.deviceId)).size, 300);
  const air = plan.filter((p) => p.kind === 'air').length;
  t.true(air > 80 && air < 160, `${air} air nodes of 300 at the default 40 %`);
  t.deepEqual(plan.find((p) => p.kind === 'air')!.sensorKinds, ['bme280', 'pms5003', 'scd41']);
});

test('an attacker owns all the nodes of its profile; honest nodes have owners of their own; a clone targets an honest node', (t) => {
  const plan = planFleet({ seed: 11, nodes: 80, region, mix });
  const invented = plan.filter((p) => p.profile === 'invented');
  t.is(new Set(invented.map((p) => p.owner)).size, 1);
  const honest = plan.filter((p) => PROFILE_INFO[p.profile].kind === 'honest');
  t.is(new Set(honest.map((p) => p.owner)).size, honest.length);
  t.false(honest.some((p) => p.owner === invented[0]!.owner));
  for (const clone of plan.filter((p) => p.profile === 'cloned_key')) t.is(plan[clone.traits.victim]!.profile, 'honest');
});

test('bad plan options are refused, naming the option', (t) => {
  t.throws(() => planFleet({ seed: 1.5, nodes: 10, region, mix: {} }), { message: /seed/ });
  t.throws(() => planFleet({ seed: 1, nodes: 0, region, mix: {} }), { message: /nodes/ });
  t.throws(() => planFleet({ seed: 1, nodes: 10, region, mix: { replay: 6 } }), { message: /at most half/ });
  t.throws(() => planFleet({ seed: 1, nodes: 10, region, mix: { replay: -1 } }), { message: /mix.replay/ });
});

test('every clone carries a different honest node\'s key', (t) => {
  const plan = planFleet({ seed: 1, nodes: 1000, region, mix: { cloned_key: 40 } });
  const victims = plan.filter((p) => p.profile === 'cloned_key').map((p) => p.traits.victim);
  t.is(victims.length, 40);
  t.is(new Set(victims).size, 40);
  for (const v of victims) t.is(plan[v]!.profile, 'honest');
});
