// Smooth seeded noise over space and time for the environment model: value noise on a regular lattice
// (one pseudo-random value per lattice corner, from an integer hash), interpolated with the quintic fade of
// Perlin's "Improving Noise" (SIGGRAPH 2002) so that the field and its first two derivatives are continuous.
// The lattice spacing is the correlation length: two points a small fraction of a cell apart get almost the
// same value, points several cells apart are independent.
//
// Pure integer hashing (Math.imul, shifts) and + - * on doubles only, so the same seed gives the same field on
// every machine. Nothing here allocates: the hot path of a fleet simulation calls it millions of times.

/** Final mix of MurmurHash3 (fmix32): every input bit affects every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 32-bit hash of a seed, a channel and up to three lattice indices. */
export function hash32(seed: number, channel: number, i: number, j: number, k: number): number {
  let h = fmix32((seed ^ Math.imul(channel + 1, 0x9e3779b1)) >>> 0);
  h = fmix32((h ^ Math.imul(i | 0, 0x27d4eb2d)) >>> 0);
  h = fmix32((h ^ Math.imul(j | 0, 0x165667b1)) >>> 0);
  return fmix32((h ^ Math.imul(k | 0, 0x61c88647)) >>> 0);
}

/** Hash mapped to [0, 1). */
export function hashUnit(seed: number, channel: number, i: number, j: number, k: number): number {
  return hash32(seed, channel, i, j, k) / 4294967296;
}

/** Hash mapped to [-1, 1). */
function corner(seed: number, channel: number, i: number, j: number, k: number): number {
  return hash32(seed, channel, i, j, k) / 2147483648 - 1;
}

/** Perlin's quintic fade 6t^5 - 15t^4 + 10t^3. */
function fade(t: number): number {
  return t * t * t * (t * (t * 6 - 15) + 10);
}

function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}

/**
 * Value noise at (x, y, z) in lattice units, in [-1, 1]. Use x, y for space (km / correlation length) and
 * z for time (hours / correlation time). `channel` picks an independent field for the same seed.
 */
export function valueNoise3(seed: number, channel: number, x: number, y: number, z: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const z0 = Math.floor(z);
  const u = fade(x - x0);
  const v = fade(y - y0);
  const w = fade(z - z0);
  const x1 = x0 + 1;
  const y1 = y0 + 1;
  const z1 = z0 + 1;
  const a = lerp(lerp(corner(seed, channel, x0, y0, z0), corner(seed, channel, x1, y0, z0), u),
    lerp(corner(seed, channel, x0, y1, z0), corner(seed, channel, x1, y1, z0), u), v);
  const b = lerp(lerp(corner(seed, channel, x0, y0, z1), corner(seed, channel, x1, y0, z1), u),
    lerp(corner(seed, channel, x0, y1, z1), corner(seed, channel, x1, y1, z1), u), v);
  return lerp(a, b, w);
}

/** Value noise over space only (a field that does not change with time), in [-1, 1]. */
export function valueNoise2(seed: number, channel: number, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const u = fade(x - x0);
  const v = fade(y - y0);
  return lerp(lerp(corner(seed, channel, x0, y0, 0), corner(seed, channel, x0 + 1, y0, 0), u),
    lerp(corner(seed, channel, x0, y0 + 1, 0), corner(seed, channel, x0 + 1, y0 + 1, 0), u), v);
}
