// Splitting an epoch's emission among earners: pro rata by weight, no one above the per-device cap, the excess
// redistributed to the uncapped (capped proportional allocation, "water-filling"), in exact bigint arithmetic.
//
// Rule, stated once for anyone recomputing a settlement:
//   pool R = emission; active A = earners with weight > 0
//   repeat: W = sum of weights in A
//           every i in A with R × w_i / W >= cap (compared exactly: R × w_i >= cap × W) gets exactly cap,
//           R -= cap for each of them, and they leave A
//   until none in A reaches the cap (or A is empty); then each i left in A gets floor(R × w_i / W).
// Capping everyone at or over the cap in one round is safe: removing capped earners only raises the others'
// shares, so no one capped in a round would have ended below the cap.
// Rounding: floor, and the remainder is left unallocated (not handed out in any order). So the total never exceeds
// the pool, the unallocated dust is less than the number of uncapped earners, and when everyone is capped the pool
// left over stays unallocated too.
import { checkArray, describe } from './arguments.js';

/** Amounts aligned with `weights`. Weights are exact non-negative integers (see exact-numbers.ts). */
export function splitCapped(pool: bigint, weights: readonly bigint[], cap: bigint): bigint[] {
  if (typeof pool !== 'bigint' || pool < 0n) throw new RangeError(`pool: expected a bigint >= 0, got ${describe(pool)}`);
  if (typeof cap !== 'bigint' || cap < 0n) throw new RangeError(`cap: expected a bigint >= 0, got ${describe(cap)}`);
  checkArray(weights, 'weights').forEach((w, i) => {
    if (typeof w !== 'bigint' || w < 0n) throw new RangeError(`weights[${i}]: expected a bigint >= 0, got ${describe(w)}`);
  });

  const amounts = weights.map(() => 0n);
  let active = weights.flatMap((w, i) => (w > 0n ? [i] : []));
  let remaining = pool;
  while (active.length > 0) {
    const total = active.reduce((sum, i) => sum + weights[i]!, 0n);
    const reaching = new Set(active.filter((i) => remaining * weights[i]! >= cap * total));
    if (reaching.size === 0) {
      for (const i of active) amounts[i] = (remaining * weights[i]!) / total; // bigint division floors (x >= 0)
      break;
    }
    for (const i of reaching) amounts[i] = cap;
    remaining -= cap * BigInt(reaching.size);
    active = active.filter((i) => !reaching.has(i));
  }
  return amounts;
}
