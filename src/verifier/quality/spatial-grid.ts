// A uniform grid over points on the unit sphere (3-D), with cells one search chord wide: every point within the
// search radius of a query lies in the query's cell or one of its 26 neighbours, so a query costs the points of
// 27 cells instead of all n. Building is O(n). Candidates are screened by chord length (cheap), then measured
// exactly with the haversine formula.
import type { LocationClaim } from '../types.js';
import { chordOfKm, haversineKm, unitVector } from './geo.js';

export interface GridHit<T> {
  item: T;
  km: number;
}

/** Cells are at least this wide (about 130 m) so that a cell index fits 3 x 17 bits of one safe integer key. */
const MIN_CELL = 2e-5;
const SPAN = 2 ** 17; // > 2 / MIN_CELL + 3: every index of a unit-sphere coordinate, with room for the +-1 step
const OFFSET = SPAN / 2;

export class SpatialGrid<T extends { readonly location: LocationClaim }> {
  readonly #items: readonly T[];
  readonly #xyz: Float64Array;
  readonly #radiusKm: number;
  readonly #cell: number;
  /** Squared chord of the radius with a hair of slack: a screen, never the final word. */
  readonly #chord2: number;
  readonly #cells = new Map<number, number[]>();

  constructor(items: readonly T[], radiusKm: number) {
    if (!(radiusKm > 0) || !Number.isFinite(radiusKm)) throw new RangeError('radiusKm: a positive number of km');
    this.#items = items;
    this.#radiusKm = radiusKm;
    const chord = chordOfKm(radiusKm);
    // A hair wider than the chord, so rounding cannot put a point at exactly the radius two cells away.
    this.#cell = Math.max(chord * (1 + 1e-9), MIN_CELL);
    // Slack (relative, plus about 6 um absolute) for the rounding of unit-vector differences at tiny radii.
    this.#chord2 = (chord * (1 + 1e-7) + 1e-12) ** 2;
    this.#xyz = new Float64Array(items.length * 3);
    items.forEach((item, i) => {
      const [x, y, z] = unitVector(item.location);
      this.#xyz.set([x, y, z], i * 3);
      const key = keyOf(this.#index(x), this.#index(y), this.#index(z));
      const bucket = this.#cells.get(key);
      if (bucket) bucket.push(i);
      else this.#cells.set(key, [i]);
    });
  }

  /** Items within radiusKm of `at` (haversine distance <= radius), in no particular order. */
  within(at: LocationClaim): GridHit<T>[] {
    const [x, y, z] = unitVector(at);
    // Locals, not private fields, in the hot loop.
    const cell = this.#cell;
    const ix = Math.floor(x / cell);
    const iy = Math.floor(y / cell);
    const iz = Math.floor(z / cell);
    const xyz = this.#xyz;
    const items = this.#items;
    const cells = this.#cells;
    const chord2 = this.#chord2;
    const radiusKm = this.#radiusKm;
    const hits: GridHit<T>[] = [];
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (let dz = -1; dz <= 1; dz++) {
          const bucket = cells.get(keyOf(ix + dx, iy + dy, iz + dz));
          if (bucket === undefined) continue;
          for (let b = 0; b < bucket.length; b++) {
            const i = bucket[b]!;
            const ex = xyz[i * 3]! - x;
            const ey = xyz[i * 3 + 1]! - y;
            const ez = xyz[i * 3 + 2]! - z;
            if (ex * ex + ey * ey + ez * ez > chord2) continue;
            const item = items[i]!;
            const km = haversineKm(at, item.location);
            if (km <= radiusKm) hits.push({ item, km });
          }
        }
      }
    }
    return hits;
  }

  #index(coordinate: number): number {
    return Math.floor(coordinate / this.#cell);
  }
}

function keyOf(x: number, y: number, z: number): number {
  return ((x + OFFSET) * SPAN + (y + OFFSET)) * SPAN + (z + OFFSET);
}
