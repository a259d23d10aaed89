// neighbour_outlier: a value inconsistent with the stations around it in the same time bucket. This is what a
// range, jump or flat-line rule cannot see: a plausible, smoothly varying, invented value (30 Cel in a town where
// eight stations read 14). For each station and quantity we take the nearest neighbours within radiusKm, their
// median and MAD, and the modified z-score of the station's value (robust-z.ts). The station itself is left out
// of its own reference, so it cannot pull the median towards itself. The MAD is floored per quantity so that a
// neighbourhood that happens to agree to the last digit does not make a tenth of a degree look like fraud.
// Only quantities with a MAD floor are compared (quality-config.ts says why pressure, wind, light and battery are not).
//
// Deterministic regardless of input order: devices, neighbours (by distance, then device id) and results are all
// put in a defined order before anything depends on order.
// Cost: a spatial grid (spatial-grid.ts) built in O(n), then per station the stations of the 27 grid cells around
// it, not all n. A cluster of k stations within one radius of each other still costs k^2 distance checks; the
// registry's density caps per area are what bound k.
import { QUANTITIES_V1 } from '../../core/quantities.js';
import type { LocationClaim, MeasurementValue } from '../types.js';
import { show, withUnit } from './check-result.js';
import { checkLocation } from './geo.js';
import { valuesOf } from './measurements.js';
import { ruleOf, type QualityConfig } from './quality-config.js';
import { mad, median, robustZ, select } from './robust-z.js';
import { qualityScore } from './score.js';
import { SpatialGrid, type GridHit } from './spatial-grid.js';

/** An accepted reading of the bucket under review. */
export interface BucketEntry {
  readonly messageHash: string;
  readonly deviceId: string;
  /**
   * Device time, Unix s: when a device has several readings in the bucket, its latest stands for it in the others'
   * neighbourhoods. Without times the one with the greatest messageHash does (deterministic, but not "latest").
   */
  readonly time?: number;
  readonly location: LocationClaim;
  readonly measurements: readonly MeasurementValue[];
}

export interface NeighbourOutlier {
  readonly quantity: string;
  readonly z: number;
  readonly value: number;
  readonly median: number;
  /** The MAD used (after the floor). */
  readonly mad: number;
  readonly neighbours: number;
}

export interface NeighbourReview {
  /** Robust z per compared quantity; a quantity is absent when fewer than minNeighbours neighbours had it. */
  readonly z: Readonly<Record<string, number>>;
  /** The quantity with the largest |z| above zReject, or null. */
  readonly outlier: NeighbourOutlier | null;
  /** qualityScore() of z (score.ts); null for an outlier, which is rejected. */
  readonly quality: number | null;
  /** For people: the outlier's value, median, MAD and limit, or what it was compared with. */
  readonly detail: string;
}

interface Parsed {
  messageHash: string;
  deviceId: string;
  time: number;
  location: LocationClaim;
  values: Map<string, number>;
}

interface Reference {
  median: number;
  mad: number;
  floored: boolean;
  neighbours: number;
}

const QUANTITY_ORDER = QUANTITIES_V1.map((q) => q.name);

/** Review the accepted readings of one time bucket. Returns one review per messageHash, in messageHash order. */
export function reviewBucket(entries: readonly BucketEntry[], cfg: QualityConfig): Map<string, NeighbourReview> {
  const parsed = parseEntries(entries);
  const n = cfg.neighbour;
  const compared = QUANTITY_ORDER.filter((q) => ruleOf(n.madFloor, q) !== undefined);

  // One representative per device: its latest reading (ties: the greater message hash).
  const byDevice = new Map<string, Parsed[]>();
  for (const e of parsed) {
    const list = byDevice.get(e.deviceId);
    if (list) list.push(e);
    else byDevice.set(e.deviceId, [e]);
  }
  const representatives = [...byDevice.values()]
    .map((list) => list.reduce((a, b) => (b.time > a.time || (b.time === a.time && b.messageHash > a.messageHash) ? b : a)))
    .sort((a, b) => compareText(a.deviceId, b.deviceId));
  const grid = new SpatialGrid(representatives.map((r) => ({ location: r.location, deviceId: r.deviceId, values: dense(r, compared) })), n.radiusKm);

  const reviews = new Map<string, NeighbourReview>();
  for (const device of representatives) {
    const readings = byDevice.get(device.deviceId)!;
    const around = grid.within(device.location).filter((h) => h.item.deviceId !== device.deviceId);
    const references = new Map<string, Reference>();
    compared.forEach((q, qi) => {
      if (!readings.some((r) => Number.isFinite(r.values.get(q) ?? Number.NaN))) return; // nothing to judge
      const values = nearestValues(around, qi, n.maxNeighbours);
      if (values.length < n.minNeighbours) return;
      const centre = median(values);
      const spread = mad(values, centre);
      const floor = ruleOf(n.madFloor, q)!;
      references.set(q, { median: centre, mad: Math.max(spread, floor), floored: spread < floor, neighbours: values.length });
    });
    for (const reading of readings) reviews.set(reading.messageHash, review(reading, references, cfg));
  }
  return new Map([...reviews].sort(([a], [b]) => compareText(a, b)));
}

interface Neighbour {
  readonly location: LocationClaim;
  readonly deviceId: string;
  /** Values of the compared quantities, by index; NaN where absent. */
  readonly values: Float64Array;
}

function dense(reading: Parsed, compared: readonly string[]): Float64Array {
  const out = new Float64Array(compared.length).fill(Number.NaN);
  compared.forEach((q, i) => {
    const v = reading.values.get(q);
    if (v !== undefined && Number.isFinite(v)) out[i] = v;
  });
  return out;
}

/**
 * Values of quantity qi of the nearest `max` neighbours that have it, nearest by (distance, device id). Their
 * order does not matter (they feed a median), only which neighbours are in: the `max` smallest under that total
 * order, found from the max-th smallest distance without sorting the neighbours.
 */
function nearestValues(around: readonly GridHit<Neighbour>[], qi: number, max: number): number[] {
  const withQ = around.filter((h) => !Number.isNaN(h.item.values[qi]!));
  if (withQ.length <= max) return withQ.map((h) => h.item.values[qi]!);
  const km = new Float64Array(withQ.length);
  for (let i = 0; i < withQ.length; i++) km[i] = withQ[i]!.km;
  const cut = select(km, max - 1);
  const inside = withQ.filter((h) => h.km < cut);
  const onCut = withQ.filter((h) => h.km === cut).sort((a, b) => compareText(a.item.deviceId, b.item.deviceId));
  return [...inside, ...onCut.slice(0, max - inside.length)].map((h) => h.item.values[qi]!);
}

function review(reading: Parsed, references: Map<string, Reference>, cfg: QualityConfig): NeighbourReview {
  const z: Record<string, number> = {};
  let outlier: NeighbourOutlier | null = null;
  for (const [q, ref] of references) {
    const value = reading.values.get(q);
    if (value === undefined || !Number.isFinite(value)) continue;
    const zq = robustZ(value, ref.median, ref.mad);
    z[q] = zq;
    if (Math.abs(zq) > cfg.neighbour.zReject && (!outlier || Math.abs(zq) > Math.abs(outlier.z))) {
      outlier = { quantity: q, z: zq, value, median: ref.median, mad: ref.mad, neighbours: ref.neighbours };
    }
  }
  const within = `within ${show(cfg.neighbour.radiusKm)} km`;
  if (outlier) {
    const ref = references.get(outlier.quantity)!;
    const q = outlier.quantity;
    const detail =
      `${q} = ${withUnit(q, outlier.value)} has robust z ${show(round(outlier.z))} against the median ${withUnit(q, outlier.median)} ` +
      `of ${outlier.neighbours} neighbours ${within} (MAD ${withUnit(q, outlier.mad)}${ref.floored ? ', the floor' : ''}); ` +
      `the limit is |z| <= ${show(cfg.neighbour.zReject)}`;
    return { z, outlier, quality: null, detail };
  }
  const quality = qualityScore({ z }, cfg);
  const parts = Object.entries(z).map(([q, zq]) => `${q} z ${show(round(zq))} (${references.get(q)!.neighbours})`);
  const detail =
    parts.length === 0
      ? `no neighbours to compare with (fewer than ${cfg.neighbour.minNeighbours} ${within})`
      : `consistent with neighbours ${within}: ${parts.join(', ')}`;
  return { z, outlier: null, quality, detail };
}

function parseEntries(entries: readonly BucketEntry[]): Parsed[] {
  if (!Array.isArray(entries)) throw new TypeError('entries: expected an array of bucket entries');
  const seen = new Set<string>();
  return entries.map((e: unknown, i): Parsed => {
    const path = `entries[${i}]`;
    const entry = e as Partial<BucketEntry> | null;
    if (typeof entry !== 'object' || entry === null) throw new TypeError(`${path}: expected an object`);
    if (typeof entry.messageHash !== 'string' || entry.messageHash === '') throw new TypeError(`${path}.messageHash: expected a non-empty string`);
    if (seen.has(entry.messageHash)) throw new RangeError(`${path}.messageHash: ${entry.messageHash} appears twice`);
    seen.add(entry.messageHash);
    if (typeof entry.deviceId !== 'string' || entry.deviceId === '') throw new TypeError(`${path}.deviceId: expected a non-empty string`);
    if (entry.time !== undefined && (typeof entry.time !== 'number' || !Number.isFinite(entry.time))) {
      throw new TypeError(`${path}.time: expected Unix seconds`);
    }
    return {
      messageHash: entry.messageHash,
      deviceId: entry.deviceId,
      time: entry.time ?? Number.NEGATIVE_INFINITY,
      location: checkLocation(entry.location, `${path}.location`),
      values: valuesOf(entry.measurements, `${path}.measurements`),
    };
  });
}

/** Code-unit order, independent of locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Two decimals are enough for a person reading a z-score. */
function round(z: number): number {
  return Math.round(z * 100) / 100;
}
