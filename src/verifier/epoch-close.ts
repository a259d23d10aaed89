// Closing an epoch: neighbour review of every time bucket, shares, settlement (Merkle root), written once.
// Everything here is a deterministic function of stored inputs (readings as accepted at ingest, the registry as
// of the epoch's end, the reward and quality configs), so `recompute` reproduces the root anyone can check.
import type { Ledger } from './ledger/ledger.js';
import type { QualityConfig } from './quality/quality-config.js';
import { findKeyConflicts } from './quality/key-conflict.js';
import { reviewBucket } from './quality/neighbours.js';
import { epochBounds, type RewardConfig } from './rewards/epochs.js';
import { computeShares } from './rewards/scoring.js';
import { buildSettlement, sameSettlement } from './rewards/settlement.js';
import type { AcceptedReadingV1, DeviceRecordV1, RewardShareV1, SettlementV1 } from './types.js';

export interface EpochInputs {
  epoch: number;
  readings: AcceptedReadingV1[];
  devices: DeviceRecordV1[];
}

export interface ReviewedReading {
  reading: AcceptedReadingV1;
  /** null when the review rejects it (a neighbour outlier, or a key conflict). */
  quality: number | null;
  detail: string;
  /** Why it was rejected, when it was. */
  reason?: 'neighbour_outlier' | 'key_conflict';
  /** Whether enough neighbours had the reading's quantities to compare it (quality 1 without them). */
  compared?: boolean;
}

/** The registry as it stood at `atMs`: devices registered by then, each with the owner it had then. */
export async function devicesAsOf(ledger: Ledger, atMs: number): Promise<DeviceRecordV1[]> {
  const out: DeviceRecordV1[] = [];
  for (const d of await ledger.listDevices()) {
    if (d.registeredAt >= atMs) continue;
    const transfers = (await ledger.listTransfers(d.deviceId)).sort((a, b) => a.at - b.at);
    let owner = transfers.length > 0 ? transfers[0]!.from : d.owner;
    for (const t of transfers) if (t.at < atMs) owner = t.to;
    out.push({ ...d, owner });
  }
  return out.sort((a, b) => (a.deviceId < b.deviceId ? -1 : 1));
}

export async function epochInputs(ledger: Ledger, epoch: number, rewards: RewardConfig): Promise<EpochInputs> {
  const [, endS] = epochBounds(epoch, rewards);
  return { epoch, readings: await ledger.readingsOfEpoch(epoch), devices: await devicesAsOf(ledger, endS * 1000) };
}

/**
 * Review of the readings accepted at ingest (maintenance readings are not judged): first key conflicts (a device
 * key on two boards rejects all of the device's readings of the epoch), then neighbour review per time bucket
 * over the rest.
 */
export function reviewEpoch(inputs: EpochInputs, quality: QualityConfig): ReviewedReading[] {
  const devices = new Map(inputs.devices.map((d) => [d.deviceId, d]));
  const conflicts = findKeyConflicts(inputs.readings.filter((r) => devices.has(r.deviceId)));
  const buckets = new Map<number, AcceptedReadingV1[]>();
  const reviewed: ReviewedReading[] = [];
  for (const r of inputs.readings) {
    if (!devices.has(r.deviceId)) continue;
    const conflict = conflicts.get(r.deviceId);
    if (conflict) {
      const { earlier, later } = conflict;
      reviewed.push({
        reading: r,
        quality: null,
        reason: 'key_conflict',
        detail: `seq ${earlier.seq} is dated ${earlier.time - later.time} s after seq ${later.seq}: the key signs on two boards`,
      });
      continue;
    }
    if (r.maintenance) continue;
    const b = Math.floor(r.time / quality.neighbour.bucketS);
    (buckets.get(b) ?? buckets.set(b, []).get(b)!).push(r);
  }
  for (const key of [...buckets.keys()].sort((a, b) => a - b)) {
    const readings = buckets.get(key)!;
    const results = reviewBucket(
      readings.map((r) => ({ messageHash: r.messageHash, deviceId: r.deviceId, time: r.time, location: devices.get(r.deviceId)!.location, measurements: r.measurements })),
      quality,
    );
    for (const r of readings) {
      const res = results.get(r.messageHash);
      if (res?.outlier) {
        reviewed.push({ reading: r, quality: null, reason: 'neighbour_outlier', compared: true, detail: `${res.outlier.quantity} robust z = ${res.outlier.z.toFixed(2)} against its neighbours` });
      } else {
        reviewed.push({ reading: r, quality: res ? res.quality : 1, compared: !!res, detail: 'neighbour review passed' });
      }
    }
  }
  return reviewed;
}

export interface EpochResult {
  settlement: SettlementV1;
  shares: RewardShareV1[];
  reviewed: ReviewedReading[];
}

/** The settlement an epoch's stored inputs give, without writing anything. */
export function settleEpoch(inputs: EpochInputs, rewards: RewardConfig, quality: QualityConfig, closedAt: number): EpochResult {
  const reviewed = reviewEpoch(inputs, quality);
  const byHash = new Map(reviewed.map((x) => [x.reading.messageHash, x]));
  const inconsistent = inconsistentDevices(reviewed, quality);
  const finalReadings = inputs.readings.flatMap((r) => {
    if (r.maintenance) return [r];
    const x = byHash.get(r.messageHash);
    if (!x || x.quality === null) return [];
    // A consistently inconsistent device scores 0 for the epoch: its readings stay accepted, it earns nothing.
    return [{ ...r, quality: inconsistent.has(r.deviceId) ? 0 : x.quality }];
  });
  const shares = computeShares(inputs.epoch, finalReadings, inputs.devices, rewards);
  return { settlement: buildSettlement(inputs.epoch, shares, closedAt), shares, reviewed };
}

/**
 * Devices whose share of neighbour-compared readings within zFull (quality 1) is below minConsistency, among
 * those with at least minConsistencyReadings compared readings in the epoch.
 */
export function inconsistentDevices(reviewed: readonly ReviewedReading[], quality: QualityConfig): Set<string> {
  const { minConsistency, minConsistencyReadings } = quality.neighbour;
  const counts = new Map<string, { compared: number; full: number }>();
  for (const x of reviewed) {
    if (!x.compared) continue;
    const c = counts.get(x.reading.deviceId) ?? counts.set(x.reading.deviceId, { compared: 0, full: 0 }).get(x.reading.deviceId)!;
    c.compared++;
    if (x.quality === 1) c.full++;
  }
  const out = new Set<string>();
  for (const [deviceId, c] of counts) if (c.compared >= minConsistencyReadings && c.full / c.compared < minConsistency) out.add(deviceId);
  return out;
}

export class EpochStillOpenError extends Error {
  constructor(epoch: number, endS: number) {
    super(`epoch ${epoch} ends at ${new Date(endS * 1000).toISOString()} (plus the backfill grace); it cannot be closed yet`);
  }
}

/**
 * Close an epoch once: review, settle, write the settlement, then revise the verdicts of reviewed readings.
 * A second call (or a second verifier) finds the stored settlement and changes nothing.
 */
export async function closeEpoch(
  ledger: Ledger,
  epoch: number,
  cfg: { rewards: RewardConfig; quality: QualityConfig; graceS: number; now: number },
): Promise<EpochResult & { created: boolean }> {
  const existing = await ledger.getSettlement(epoch);
  if (existing) return { settlement: existing, shares: await ledger.getShares(epoch), reviewed: [], created: false };
  const [, endS] = epochBounds(epoch, cfg.rewards);
  if (cfg.now < (endS + cfg.graceS) * 1000) throw new EpochStillOpenError(epoch, endS);
  const result = settleEpoch(await epochInputs(ledger, epoch, cfg.rewards), cfg.rewards, cfg.quality, cfg.now);
  const stored = await ledger.putSettlement(result.settlement, result.shares);
  if (stored === 'exists') return { settlement: (await ledger.getSettlement(epoch))!, shares: await ledger.getShares(epoch), reviewed: [], created: false };
  for (const x of result.reviewed) {
    await ledger.reviseVerdict(
      x.reading.messageHash,
      x.quality === null
        ? { status: 'rejected', reason: x.reason ?? 'neighbour_outlier', detail: x.detail, quality: null }
        : { status: 'accepted', reason: 'ok', detail: x.detail, quality: x.quality },
    );
  }
  return { ...result, created: true };
}

/** Rebuild an epoch from stored inputs and compare with its stored settlement. */
export async function recomputeEpoch(ledger: Ledger, epoch: number, cfg: { rewards: RewardConfig; quality: QualityConfig }) {
  const stored = await ledger.getSettlement(epoch);
  if (!stored) return { stored: undefined, recomputed: undefined, matches: false };
  const recomputed = settleEpoch(await epochInputs(ledger, epoch, cfg.rewards), cfg.rewards, cfg.quality, stored.closedAt).settlement;
  return { stored, recomputed, matches: sameSettlement(recomputed, stored) };
}
