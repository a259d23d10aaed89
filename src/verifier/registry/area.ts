// Areas for the density cap: a fixed latitude/longitude grid. Cells of 0.1 degree are about 11 km north-south;
// simple, deterministic and recomputable by anyone (no geospatial library needed for the settlement).
import type { LocationClaim } from '../types.js';

export const DEFAULT_AREA_DEGREES = 0.1;

export function isValidLocation(location: unknown): location is LocationClaim {
  const l = location as LocationClaim;
  return !!l && typeof l.lat === 'number' && typeof l.lon === 'number' && l.lat >= -90 && l.lat <= 90 && l.lon >= -180 && l.lon <= 180;
}

export function areaOf(location: LocationClaim, cellDegrees = DEFAULT_AREA_DEGREES): string {
  if (!isValidLocation(location)) throw new RangeError('location: lat -90..90 and lon -180..180');
  if (!(cellDegrees > 0 && cellDegrees <= 10)) throw new RangeError('cellDegrees: greater than 0, at most 10');
  const row = Math.floor((location.lat + 90) / cellDegrees + 1e-9);
  const col = Math.floor((location.lon + 180) / cellDegrees + 1e-9);
  return `g${cellDegrees}:${row}:${col}`;
}
