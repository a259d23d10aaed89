// Moving lows and highs for the environment model. A few "slots" each host one synoptic system at a time: a
// Gaussian pressure anomaly of 7-20 hPa and 500-1000 km radius that is born, crosses the region roughly west to
// east at 20-45 km/h (the mid-latitude westerlies), and decays, over a 3-5 day life. When it dies the slot draws
// the next system from the seed. The field is a pure function of (seed, time, place): a slot's parameters for
// a generation come from a hash, and are cached only to avoid recomputing them on every call.

import { hashUnit } from './noise-field.js';

const SLOTS = 3;
const CHANNEL = 0x70_72_65; // independent of the noise channels of the environment

export interface PressureSystems {
  /**
   * Writes into `out` the pressure anomaly in Pa and its gradient in Pa/km (east, north) at time `hours`
   * and position (x, y) in km east and north of the region centre.
   */
  sample(hours: number, x: number, y: number, out: Float64Array): void;
}

export function createPressureSystems(seed: number, regionRadiusKm: number): PressureSystems {
  const period = new Float64Array(SLOTS);
  const phase = new Float64Array(SLOTS);
  for (let s = 0; s < SLOTS; s++) {
    period[s] = 72 + 48 * hashUnit(seed, CHANNEL, s, 0, -1);
    phase[s] = hashUnit(seed, CHANNEL, s, 1, -1);
  }
  // Per-slot parameters of the current generation: amplitude (Pa), sigma (km), start x/y (km), velocity (km/h).
  const generation = new Float64Array(SLOTS).fill(Number.NaN);
  const amplitude = new Float64Array(SLOTS);
  const sigma = new Float64Array(SLOTS);
  const x0 = new Float64Array(SLOTS);
  const y0 = new Float64Array(SLOTS);
  const vx = new Float64Array(SLOTS);
  const vy = new Float64Array(SLOTS);

  function draw(s: number, g: number): void {
    const r = (n: number) => hashUnit(seed, CHANNEL, s, g, n);
    const low = r(0) < 0.55;
    amplitude[s] = low ? -(1000 + 1000 * r(1)) : 700 + 800 * r(1);
    sigma[s] = 500 + 500 * r(2);
    const heading = (r(3) * 2 - 1) * 0.7; // within ±40° of due east
    const speed = 20 + 25 * r(4);
    const ux = Math.cos(heading);
    const uy = Math.sin(heading);
    vx[s] = ux * speed;
    vy[s] = uy * speed;
    // The track passes the region centre at mid-life, offset across the track so not every system hits it.
    const offset = (r(5) * 2 - 1) * (regionRadiusKm + 600);
    const halfLife = period[s]! / 2;
    x0[s] = -uy * offset - vx[s]! * halfLife;
    y0[s] = ux * offset - vy[s]! * halfLife;
    generation[s] = g;
  }

  return {
    sample(hours, x, y, out) {
      let p = 0;
      let gx = 0;
      let gy = 0;
      for (let s = 0; s < SLOTS; s++) {
        const cycle = hours / period[s]! + phase[s]!;
        const g = Math.floor(cycle);
        if (generation[s] !== g) draw(s, g);
        const age = cycle - g;
        const env = Math.sin(Math.PI * age);
        const ageHours = age * period[s]!;
        const dx = x - (x0[s]! + vx[s]! * ageHours);
        const dy = y - (y0[s]! + vy[s]! * ageHours);
        const sig2 = sigma[s]! * sigma[s]!;
        const v = amplitude[s]! * env * env * Math.exp(-(dx * dx + dy * dy) / (2 * sig2));
        p += v;
        gx -= (v * dx) / sig2;
        gy -= (v * dy) / sig2;
      }
      out[0] = p;
      out[1] = gx;
      out[2] = gy;
    },
  };
}
