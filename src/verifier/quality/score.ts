// The quality of an accepted reading, 0..1, from its neighbour consistency. The rule, per compared quantity:
//
//   |z| <= zFull             -> 1      (ordinary spread: about 95 % of an honest neighbourhood at zFull = 2)
//   zFull < |z| <= zReject   -> (zReject - |z|) / (zReject - zFull), falling linearly to 0 at zReject
//   |z| > zReject            -> no score: the reading is a neighbour outlier and is rejected
//
// and the reading's score is the lowest over its quantities (a reading is as good as its least consistent value).
// A reading with no z at all (nobody near enough to compare with) scores 1: being alone is not penalised.
// A reading that failed any of its own checks (range, jump, flat line) is rejected and has no score either.
import type { QualityCheck } from './check-result.js';
import { DEFAULT_QUALITY_CONFIG, type QualityConfig } from './quality-config.js';

export interface QualityParts {
  /** Outcomes of the reading's own checks; any failure means rejected. */
  readonly checks?: readonly QualityCheck[];
  /** Robust z per quantity from the neighbour review; absent or empty when there was nobody to compare with. */
  readonly z?: Readonly<Record<string, number>>;
}

/** 0..1, or null for a rejected reading. Throws RangeError for a z that is not a finite number. */
export function qualityScore(parts: QualityParts, cfg: QualityConfig = DEFAULT_QUALITY_CONFIG): number | null {
  if (typeof parts !== 'object' || parts === null) throw new TypeError('parts: expected {checks?, z?}');
  if (parts.checks !== undefined && !Array.isArray(parts.checks)) throw new TypeError('parts.checks: expected an array');
  if (parts.checks?.some((c) => !c.ok)) return null;
  const { zFull, zReject } = cfg.neighbour;
  let score = 1;
  for (const [quantity, z] of Object.entries(parts.z ?? {})) {
    if (typeof z !== 'number' || !Number.isFinite(z)) throw new RangeError(`parts.z.${quantity}: expected a finite number`);
    const a = Math.abs(z);
    if (a > zReject) return null;
    if (a > zFull) score = Math.min(score, (zReject - a) / (zReject - zFull));
  }
  return score;
}
