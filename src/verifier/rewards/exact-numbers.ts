// Exact conversions of JavaScript numbers to integers, so the split of an emission into bigint base units depends on
// no floating-point rounding beyond the one documented floor. Anyone recomputing in another language gets the same
// integers from the same IEEE 754 binary64 values (ECMA-262 §6.1.6.1: Number is IEEE 754-2019 binary64).

/** 2^1074: every finite binary64 value is an integer multiple of 2^-1074 (the smallest subnormal). */
export const DYADIC_SCALE_BITS = 1074n;

/**
 * x × 2^1074 as an exact bigint, for finite x >= 0. Ratios of these are the exact ratios of the doubles themselves:
 * a normal double is mantissa × 2^(exponent - 1075) with a 53-bit mantissa (IEEE 754-2019 §3.4).
 */
export function exactDyadic(x: number): bigint {
  if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw new RangeError(`x: expected a finite number >= 0, got ${x}`);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biasedExponent = (bits >> 52n) & 0x7ffn;
  const fraction = bits & ((1n << 52n) - 1n);
  if (biasedExponent === 0n) return fraction; // zero or subnormal: fraction × 2^-1074
  return (fraction | (1n << 52n)) << (biasedExponent - 1n);
}

/**
 * The decimal a number was written as, as an exact fraction [numerator, denominator]: 0.02 -> [2n, 100n].
 * Uses the shortest round-trip decimal of the number (ECMA-262 Number::toString), so a configured share of 0.02
 * means exactly 2/100, not the binary approximation 0.0200000000000000004163....
 */
export function decimalRatio(x: number): [bigint, bigint] {
  if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw new RangeError(`x: expected a finite number >= 0, got ${x}`);
  const match = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x));
  if (!match) throw new RangeError(`x: cannot read ${x} as a decimal`);
  const [, whole, fraction = '', exponentText = '0'] = match;
  const exponent = Number(exponentText) - fraction.length;
  const digits = BigInt(whole! + fraction);
  return exponent >= 0 ? [digits * 10n ** BigInt(exponent), 1n] : [digits, 10n ** BigInt(-exponent)];
}
