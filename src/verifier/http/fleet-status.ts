// What the dashboard shows of the fleet, computed from the registry and aggregate ledger queries: each device's
// state on the map, the fleet's readings as one time series per quantity, rewards per owner per epoch.
import type { DeviceActivity, OwnerReadings, SeriesPoint } from '../ledger/ledger.js';
import type { DeviceRecordV1, SettlementV1 } from '../types.js';

/**
 * A device's state on the map, judged over a recent window (verdicts received at or after `since`, Unix ms):
 *   inactive     suspended in the registry (whatever it sends);
 *   rejected     at least one of its own messages was rejected in the window (not a forgery, a replayed copy
 *                or another's reading on its topic: bad_signature, duplicate and topic_mismatch do not count);
 *   accepted     readings accepted in the window, none rejected;
 *   maintenance  only maintenance readings (recorded, not rewarded) in the window;
 *   silent       no verdict at all in the window.
 */
/** A device's latest verdict times (Unix ms), as the running tally keeps them (fleet-tallies.ts). */
export type LatestVerdicts = Pick<DeviceActivity, 'lastAt' | 'lastAcceptedAt' | 'lastRejectedAt'>;

/** The open epoch's accepted readings per owner, as the running tally has counted them so far. */
export interface OwnerTallyResult {
  epoch: number;
  readingsByOwner: OwnerReadings[];
  /** Verdicts received before this (Unix ms) are counted. */
  countedUntil: number;
  /** false while the tally is still catching up with the epoch's past (it goes on at the next ask). */
  complete: boolean;
}

export type FleetState = 'inactive' | 'rejected' | 'accepted' | 'maintenance' | 'silent';
export const FLEET_STATES: readonly FleetState[] = ['accepted', 'rejected', 'maintenance', 'silent', 'inactive'];

export function fleetState(device: Pick<DeviceRecordV1, 'status'>, latest: LatestVerdicts | undefined, since: number): FleetState {
  if (device.status === 'suspended') return 'inactive';
  if (!latest || latest.lastAt < since) return 'silent';
  if (latest.lastRejectedAt !== null && latest.lastRejectedAt >= since) return 'rejected';
  if (latest.lastAcceptedAt !== null && latest.lastAcceptedAt >= since) return 'accepted';
  return 'maintenance';
}

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/**
 * The fleet map's data: every registered device with its location, its state over the window ending at `at`
 * (Unix ms), its latest verdict times, and the count per state.
 */
export function fleetJson(devices: DeviceRecordV1[], latest: ReadonlyMap<string, LatestVerdicts>, at: number, windowS: number) {
  const since = at - windowS * 1000;
  const counts = Object.fromEntries(FLEET_STATES.map((s) => [s, 0])) as Record<FleetState, number>;
  const list = devices.map((d) => {
    const l = latest.get(d.deviceId);
    const state = fleetState(d, l, since);
    counts[state]++;
    return {
      deviceId: d.deviceId,
      lat: d.location.lat,
      lon: d.location.lon,
      owner: d.owner,
      model: d.model,
      status: d.status,
      state,
      lastAt: iso(l?.lastAt),
      lastAcceptedAt: iso(l?.lastAcceptedAt),
      lastRejectedAt: iso(l?.lastRejectedAt),
    };
  });
  return { at: iso(at), windowS, counts, devices: list };
}

export interface QuantitySeries {
  count: number[];
  mean: (number | null)[];
  min: (number | null)[];
  max: (number | null)[];
}

/**
 * Aggregates on one time axis (every bucket from `from` up to `to`, empty ones null), one series per quantity:
 * the shape uPlot draws directly.
 */
export function seriesJson(points: SeriesPoint[], from: number, to: number, bucketS: number) {
  const buckets: number[] = [];
  for (let b = from; b < to; b += bucketS) buckets.push(b);
  const quantities: Record<string, QuantitySeries> = {};
  for (const p of points) {
    const i = (p.bucket - from) / bucketS;
    if (!Number.isInteger(i) || i < 0 || i >= buckets.length) continue;
    const q = (quantities[p.quantity] ??= {
      count: buckets.map(() => 0),
      mean: buckets.map(() => null),
      min: buckets.map(() => null),
      max: buckets.map(() => null),
    });
    q.count[i] = p.count;
    q.mean[i] = p.mean;
    q.min[i] = p.min;
    q.max[i] = p.max;
  }
  return { from, to, bucketS, buckets, quantities };
}

/** Rewards per owner: the open epoch's accepted readings so far, and what each closed epoch paid. */
export function rewardsJson(current: OwnerTallyResult | null, settlements: SettlementV1[]) {
  return {
    current: current && { epoch: current.epoch, readingsByOwner: current.readingsByOwner, countedUntil: iso(current.countedUntil), complete: current.complete },
    epochs: settlements.map((s) => ({ epoch: s.epoch, root: s.root, total: s.total, closedAt: iso(s.closedAt), payouts: s.payouts })),
  };
}
