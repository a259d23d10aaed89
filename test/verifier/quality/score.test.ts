import test from 'ava';
import { PASS, failure } from '../../../src/verifier/quality/check-result.js';
import { DEFAULT_QUALITY_CONFIG as cfg, parseQualityConfig } from '../../../src/verifier/quality/quality-config.js';
import { qualityScore } from '../../../src/verifier/quality/score.js';

test('a reading with nobody to compare with scores 1', (t) => {
  t.is(qualityScore({}), 1);
  t.is(qualityScore({ z: {} }), 1);
});

test('|z| up to zFull scores 1', (t) => {
  t.is(qualityScore({ z: { temperature: 0 } }), 1);
  t.is(qualityScore({ z: { temperature: 2 } }), 1);
  t.is(qualityScore({ z: { temperature: -2 } }), 1);
});

test('the score falls linearly from zFull to 0 at zReject', (t) => {
  t.is(qualityScore({ z: { temperature: 2.75 } }), 0.5);
  t.is(qualityScore({ z: { temperature: -2.75 } }), 0.5);
  t.is(qualityScore({ z: { humidity: 3.2 } }), (3.5 - 3.2) / 1.5);
  t.is(qualityScore({ z: { humidity: 3.5 } }), 0);
});

test('above zReject there is no score: the reading is rejected', (t) => {
  t.is(qualityScore({ z: { temperature: 3.5000001 } }), null);
  t.is(qualityScore({ z: { temperature: -10 } }), null);
});

test('the least consistent quantity decides', (t) => {
  t.is(qualityScore({ z: { temperature: 0.1, humidity: 2.75, pm2_5: -1 } }), 0.5);
  t.is(qualityScore({ z: { temperature: 0.1, humidity: 2.75, pm2_5: -4 } }), null);
});

test('a failed range, jump or flat-line check leaves no score', (t) => {
  t.is(qualityScore({ checks: [PASS, PASS] }), 1);
  t.is(qualityScore({ checks: [PASS, failure('jump', 'temperature', 30, 3, 'x')], z: {} }), null);
});

test('follows the configured zFull and zReject', (t) => {
  const strict = parseQualityConfig({ neighbour: { zFull: 0, zReject: 3 } });
  t.is(qualityScore({ z: { temperature: 1.5 } }, strict), 0.5);
  t.is(qualityScore({ z: { temperature: 3.1 } }, strict), null);
  t.is(qualityScore({ z: { temperature: 3.1 } }, cfg), (3.5 - 3.1) / 1.5);
});

test('throws on a z that is not a finite number, naming it', (t) => {
  t.throws(() => qualityScore({ z: { co2: Number.NaN } }), { instanceOf: RangeError, message: /^parts\.z\.co2:/ });
  t.throws(() => qualityScore(null as never), { instanceOf: TypeError, message: /^parts:/ });
});
