// Robust location and scale: the median and the median absolute deviation (MAD), and the modified z-score of
// Iglewicz & Hoaglin (1993), "How to Detect and Handle Outliers": z = 0.6745 (x - median) / MAD.
// 0.6745 is the 0.75 quantile of the standard normal, so for normal data z is on the scale of a standard score.
// Unlike mean and standard deviation, neither statistic moves when up to half the values are wild.

export const MAD_TO_SIGMA = 0.6745;

/** Median of finite numbers (the input is not changed). NaN for an empty list. */
export function median(values: readonly number[]): number {
  const a = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) a[i] = values[i]!;
  return medianOf(a);
}

/** Median absolute deviation from `centre`. */
export function mad(values: readonly number[], centre: number): number {
  // Plain loops: TypedArray.from with a mapping function goes through the iterator protocol and is slow in V8.
  const a = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) a[i] = Math.abs(values[i]! - centre);
  return medianOf(a);
}

/** Modified z-score of x; `scale` is the MAD (already floored by the caller, so never 0). */
export function robustZ(x: number, centre: number, scale: number): number {
  return (MAD_TO_SIGMA * (x - centre)) / scale;
}

/** Median by selection, O(n) on average; reorders `a`. Exact: the result is an element or the mean of two. */
function medianOf(a: Float64Array): number {
  const n = a.length;
  if (n === 0) return Number.NaN;
  const hi = select(a, n >> 1);
  if (n % 2 === 1) return hi;
  // After select, everything left of n/2 is <= a[n/2]: the lower middle is their maximum.
  let lo = a[0]!;
  for (let i = 1; i < n >> 1; i++) if (a[i]! > lo) lo = a[i]!;
  return (lo + hi) / 2;
}

/** Hoare's quickselect: puts the k-th smallest (from 0) at a[k], smaller ones left, larger right; returns it. */
export function select(a: Float64Array, k: number): number {
  let left = 0;
  let right = a.length - 1;
  while (right > left) {
    // Median-of-three pivot keeps sorted and reversed inputs linear.
    const mid = (left + right) >> 1;
    const pivot = Math.max(Math.min(a[left]!, a[mid]!), Math.min(Math.max(a[left]!, a[mid]!), a[right]!));
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return a[k]!;
}
