import test from 'ava';
import { EARTH_RADIUS_KM, haversineKm } from '../../../src/verifier/quality/geo.js';

test('one degree of latitude is about 111.2 km', (t) => {
  t.true(Math.abs(haversineKm({ lat: 0, lon: 0 }, { lat: 1, lon: 0 }) - (Math.PI / 180) * EARTH_RADIUS_KM) < 1e-9);
});

test('a degree of longitude shrinks with the cosine of latitude', (t) => {
  const atEquator = haversineKm({ lat: 0, lon: 0 }, { lat: 0, lon: 0.1 });
  const at60 = haversineKm({ lat: 60, lon: 0 }, { lat: 60, lon: 0.1 });
  t.true(Math.abs(at60 / atEquator - 0.5) < 1e-4);
});

test('distance across the antimeridian is short', (t) => {
  t.true(haversineKm({ lat: -17, lon: 179.99 }, { lat: -17, lon: -179.99 }) < 2.2);
});

test('distance is symmetric and zero to itself', (t) => {
  const a = { lat: 52.52, lon: 13.405 };
  const b = { lat: 48.137, lon: 11.575 };
  t.is(haversineKm(a, b), haversineKm(b, a));
  t.is(haversineKm(a, a), 0);
  t.true(Math.abs(haversineKm(a, b) - 504) < 2, 'Berlin to Munich is about 504 km');
});
