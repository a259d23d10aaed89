import test from 'ava';
import { fromWire, QUANTITIES_V1, quantityByName, toWire } from '../../src/core/quantities.js';

const q = (name: string) => quantityByName(name)!;

test('scales to the wire resolution, rounding half away from zero', (t) => {
  t.is(toWire(q('temperature'), 21.37), 2137);
  t.is(toWire(q('temperature'), -12.05), -1205);
  t.is(toWire(q('temperature'), 0.005), 1);
  t.is(toWire(q('temperature'), -0.005), -1);
  t.is(toWire(q('pressure'), 101325), 10133);
  t.is(toWire(q('pressure'), 101324.9), 10132);
  t.is(toWire(q('co2'), 612.4), 612);
  t.is(toWire(q('battery'), 3.917), 3917);
  t.is(toWire(q('temperature'), 1.005), 101); // 1.005 * 100 is 100.49999999999999 in binary
  t.is(toWire(q('temperature'), -1.005), -101);
  t.is(toWire(q('humidity'), 4.355), 436);
});

test('never produces negative zero', (t) => {
  t.true(Object.is(toWire(q('temperature'), -0.001), 0));
});

test('decodes wire integers to exact decimal values', (t) => {
  t.is(fromWire(q('temperature'), 2137), 21.37);
  t.is(fromWire(q('pressure'), 10133), 101330);
  t.is(fromWire(q('pm2_5'), 123), 12.3);
});

test('refuses values the wire cannot carry', (t) => {
  t.throws(() => toWire(q('temperature'), Number.NaN), { instanceOf: RangeError, message: /temperature/ });
  t.throws(() => toWire(q('temperature'), Infinity), { instanceOf: RangeError });
  t.throws(() => toWire(q('temperature'), 3e7), { instanceOf: RangeError, message: /beyond/ });
});

test('codes and names are unique and units are SenML symbols', (t) => {
  t.is(new Set(QUANTITIES_V1.map((x) => x.code)).size, QUANTITIES_V1.length);
  t.is(new Set(QUANTITIES_V1.map((x) => x.name)).size, QUANTITIES_V1.length);
  for (const x of QUANTITIES_V1) {
    t.true(x.code >= 1 && x.code <= 23, `${x.name}: one-byte CBOR key`);
    t.regex(x.unit, /^(Cel|%RH|Pa|ug\/m3|ppm|m\/s|lx|V)$/);
  }
});
