// Great-circle distance on a spherical Earth. The sphere's error against the WGS 84 ellipsoid is under 0.5 %,
// far below what a 10 km neighbourhood needs.
import type { LocationClaim } from '../types.js';

/** IUGG mean Earth radius R1 (Moritz, Geodetic Reference System 1980), km. */
export const EARTH_RADIUS_KM = 6371.0088;

const RAD = Math.PI / 180;

/** Haversine distance in km; numerically sound for short distances, where the law of cosines is not. */
export function haversineKm(a: LocationClaim, b: LocationClaim): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(Math.min(1, s)));
}

/** Point on the unit sphere: lets a 3-D grid find neighbours with no special case at the poles or at ±180°. */
export function unitVector(p: LocationClaim): [number, number, number] {
  const lat = p.lat * RAD;
  const lon = p.lon * RAD;
  return [Math.cos(lat) * Math.cos(lon), Math.cos(lat) * Math.sin(lon), Math.sin(lat)];
}

/** Straight-line distance through the unit sphere between two points `km` apart on its surface. */
export function chordOfKm(km: number): number {
  const half = km / (2 * EARTH_RADIUS_KM);
  return half >= Math.PI / 2 ? 2 : 2 * Math.sin(half);
}

/** Throws RangeError naming `path` unless p is a latitude/longitude in degrees. */
export function checkLocation(p: unknown, path: string): LocationClaim {
  const loc = p as Partial<LocationClaim> | null;
  if (typeof loc !== 'object' || loc === null) throw new TypeError(`${path}: expected {lat, lon}`);
  if (typeof loc.lat !== 'number' || !(loc.lat >= -90 && loc.lat <= 90)) throw new RangeError(`${path}.lat: degrees from -90 to 90`);
  if (typeof loc.lon !== 'number' || !(loc.lon >= -180 && loc.lon <= 180)) throw new RangeError(`${path}.lon: degrees from -180 to 180`);
  return { lat: loc.lat, lon: loc.lon };
}
