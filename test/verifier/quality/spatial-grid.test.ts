import test from 'ava';
import fc from 'fast-check';
import { haversineKm } from '../../../src/verifier/quality/geo.js';
import { SpatialGrid } from '../../../src/verifier/quality/spatial-grid.js';

interface Point {
  id: number;
  location: { lat: number; lon: number };
}

const wrapLon = (lon: number) => (lon > 180 ? lon - 360 : lon < -180 ? lon + 360 : lon);
const clampLat = (lat: number) => Math.max(-90, Math.min(90, lat));

// Clusters around any centre, poles and the antimeridian included, so that many points are near the radius.
const cluster = fc
  .record({
    centre: fc.record({ lat: fc.double({ min: -90, max: 90, noNaN: true }), lon: fc.double({ min: -180, max: 180, noNaN: true }) }),
    offsets: fc.array(fc.tuple(fc.double({ min: -0.3, max: 0.3, noNaN: true }), fc.double({ min: -0.3, max: 0.3, noNaN: true })), { minLength: 1, maxLength: 80 }),
    radiusKm: fc.double({ min: 0.5, max: 40, noNaN: true }),
  })
  .map(({ centre, offsets, radiusKm }) => ({
    radiusKm,
    points: offsets.map(([dLat, dLon], id): Point => ({ id, location: { lat: clampLat(centre.lat + dLat), lon: wrapLon(centre.lon + dLon) } })),
  }));

test('finds exactly the points a brute-force haversine search finds', (t) => {
  fc.assert(
    fc.property(cluster, ({ radiusKm, points }) => {
      const grid = new SpatialGrid(points, radiusKm);
      for (const p of points) {
        const found = grid.within(p.location).map((h) => h.item.id).sort((a, b) => a - b);
        const brute = points.filter((q) => haversineKm(p.location, q.location) <= radiusKm).map((q) => q.id);
        if (found.join() !== brute.join()) return false;
      }
      return true;
    }),
  );
  t.pass();
});

test('finds neighbours across the antimeridian and around a pole', (t) => {
  const points: Point[] = [
    { id: 1, location: { lat: -17, lon: 179.99 } },
    { id: 2, location: { lat: -17, lon: -179.99 } },
    { id: 3, location: { lat: 89.99, lon: 0 } },
    { id: 4, location: { lat: 89.99, lon: 180 } },
  ];
  const grid = new SpatialGrid(points, 5);
  t.deepEqual(grid.within(points[0]!.location).map((h) => h.item.id).sort(), [1, 2]);
  t.deepEqual(grid.within(points[2]!.location).map((h) => h.item.id).sort(), [3, 4]);
});

test('reports the distance of each hit', (t) => {
  const points: Point[] = [{ id: 1, location: { lat: 0, lon: 0 } }, { id: 2, location: { lat: 0.05, lon: 0 } }];
  const hit = new SpatialGrid(points, 10).within({ lat: 0, lon: 0 }).find((h) => h.item.id === 2)!;
  t.is(hit.km, haversineKm({ lat: 0, lon: 0 }, { lat: 0.05, lon: 0 }));
});

test('refuses a radius that is not a positive number of km', (t) => {
  t.throws(() => new SpatialGrid([], 0), { instanceOf: RangeError, message: /^radiusKm:/ });
  t.throws(() => new SpatialGrid([], Number.NaN), { instanceOf: RangeError, message: /^radiusKm:/ });
});
