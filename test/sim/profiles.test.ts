import test from 'ava';
import { ATTACK_PROFILES, FAULT_PROFILES, defaultMix, parseMix } from '../../src/sim/profiles.js';

test('parseMix reads counts and percentages of the fleet', (t) => {
  t.deepEqual(parseMix('replay=3,invented=2%', 200), { replay: 3, invented: 4 });
  t.deepEqual(parseMix(' tamper = 1 ', 10), { tamper: 1 });
  t.deepEqual(parseMix('none', 200), {});
});

test('parseMix refuses unknown profiles, honest, and malformed parts, naming them', (t) => {
  t.throws(() => parseMix('replay=3,teleport=1', 100), { instanceOf: RangeError, message: /unknown profile "teleport"/ });
  t.throws(() => parseMix('honest=5', 100), { instanceOf: RangeError, message: /unknown profile "honest"/ });
  t.throws(() => parseMix('replay', 100), { instanceOf: RangeError, message: /"replay" is not profile=count/ });
  t.throws(() => parseMix('replay=1.5', 100), { instanceOf: RangeError, message: /whole number/ });
});

test('the default mix has every attack and fault in a 200-node fleet, and none in a tiny one', (t) => {
  const mix = defaultMix(200);
  for (const p of [...ATTACK_PROFILES, ...FAULT_PROFILES]) t.true((mix[p] ?? 0) >= 1, p);
  const special = Object.values(mix).reduce((a, b) => a + (b ?? 0), 0);
  t.true(special < 200 * 0.25, `${special} special nodes`);
  t.deepEqual(defaultMix(10), {});
  t.deepEqual(parseMix('default', 200), mix);
});
