// The verifier pipeline: one verdict per input, never an exception, checks in this order (issue #3):
// size -> strict decode -> known, active device -> topic agrees with the signed device id -> signature ->
// duplicate / replay (by the ledger, atomically) -> time window -> data quality (ranges, jump, flat line).
// Neighbour consistency needs every station of a time bucket, so it runs when the bucket closes
// (bucket-review.ts) and revises the quality of what was accepted here.
import { createHash } from 'node:crypto';
import { toHex } from '../core/bytes.js';
import { decodeSign1, SIGN1_LIMITS, verifySign1 } from '../core/cose-sign1.js';
import { decodeReading, type ReadingV1 } from '../core/reading.js';
import type { SignatureVerifier } from '../core/signer.js';
import { nodeTopics } from '../core/topics.js';
import type { DeviceHistory } from './device-history.js';
import type { IngestLanes } from './ingest-lanes.js';
import type { Ledger } from './ledger/ledger.js';
import type { QualityConfig } from './quality/quality-config.js';
import { checkRanges } from './quality/ranges.js';
import { checkFlatLineNewestFirst, checkJump } from './quality/history.js';
import type { ReasonCode } from './reasons.js';
import type { AcceptedReadingV1, DeviceRecordV1, IngestReportV1, VerdictV1 } from './types.js';

export interface TimeWindowConfig {
  /** A reading may be dated this far after its receive time (device clocks drift), seconds. */
  futureToleranceS: number;
  /** A live reading (not backfilled) older than this is too old, seconds. */
  liveWindowS: number;
  /** A backfilled reading older than this is too old, seconds. */
  backfillWindowS: number;
}

export const DEFAULT_TIME_WINDOW: TimeWindowConfig = Object.freeze({ futureToleranceS: 120, liveWindowS: 900, backfillWindowS: 7 * 86_400 });

export interface PipelineDeps {
  ledger: Ledger;
  verify: SignatureVerifier;
  devices: DeviceLookup;
  quality: QualityConfig;
  time: TimeWindowConfig;
  /** Epoch of a device time (Unix s), from the reward config; throws RangeError for a time before genesis. */
  epochOf: (timeS: number) => number;
  /** How many previous readings the flat-line check looks at: enough to span its window (see historyDepthFor). */
  historyDepth?: number;
  /** In-memory history in front of the ledger (the service always passes one; without it the ledger is read). */
  history?: DeviceHistory;
  /**
   * Keeps the readings of one device in arrival order when several readings are in flight (ingest-lanes.ts). The
   * service passes one; without it, concurrent ingest() calls for one device may judge a reading before the one
   * ahead of it is in the history.
   */
  lanes?: IngestLanes;
}

/** Registry lookups are on the hot path: a cache in front of the ledger (see device-cache.ts). */
export interface DeviceLookup {
  get(deviceId: string): Promise<DeviceRecordV1 | undefined>;
}

export interface Judgement {
  verdict: VerdictV1;
  reading?: AcceptedReadingV1;
}

export function ingestReport(topic: string, message: Uint8Array, receivedAt: number): IngestReportV1 {
  return { v: 1, topic, message, receivedAt, messageHash: createHash('sha256').update(message).digest('hex') };
}

/** Decide the verdict of one input (without storing it). */
export async function judge(report: IngestReportV1, deps: PipelineDeps): Promise<Judgement> {
  const base = { v: 1 as const, messageHash: report.messageHash, receivedAt: report.receivedAt };
  const reject = (reason: ReasonCode, detail: string, r?: ReadingV1): Judgement => ({
    verdict: {
      ...base,
      deviceId: r ? toHex(r.deviceId) : null,
      seq: r ? r.seq : null,
      readingTime: r ? r.time : null,
      status: 'rejected',
      reason,
      detail,
      quality: null,
      epoch: r ? safeEpoch(deps, r.time) : null,
    },
  });

  // 1. size (before anything reads the bytes)
  if (report.message.length > SIGN1_LIMITS.maxBytes) return reject('too_large', `${report.message.length} bytes > ${SIGN1_LIMITS.maxBytes}`);
  // 2. strict decode: envelope, then payload
  const envelope = decodeSign1(report.message);
  if (!envelope.ok) return reject(envelope.reason, envelope.detail);
  const decoded = decodeReading(envelope.parts.payload);
  if (!decoded.ok) return reject(decoded.reason, decoded.detail);
  const r = decoded.reading;
  const deviceId = toHex(r.deviceId);
  // 3. known, active device
  const device = await deps.devices.get(deviceId);
  if (!device) return reject('unknown_device', `no registered device ${deviceId}`, r);
  if (device.status !== 'active') return reject('inactive_device', `device ${deviceId} is ${device.status}`, r);
  // 4. the topic names the device that signed
  // Readings belong on the device's readings topic only (docs/PROTOCOL.md §3.4 step 1), not its status or verdicts.
  if (report.topic !== nodeTopics(deviceId).readings) return reject('topic_mismatch', `topic ${report.topic} is not the readings topic of signed device ${deviceId}`, r);
  // 5. signature, with the registered key
  if (!verifySign1(envelope.parts, device.publicKey, deps.verify)) return reject('bad_signature', `does not verify with the key of ${deviceId}`, r);
  // 6. duplicate / replay: decided atomically by the ledger when the verdict is recorded (ingest()).
  // 7. time window
  const ageS = report.receivedAt / 1000 - r.time;
  if (-ageS > deps.time.futureToleranceS) return reject('from_future', `device time is ${Math.round(-ageS)} s after receipt (tolerance ${deps.time.futureToleranceS} s)`, r);
  const window = r.flags.backfilled ? deps.time.backfillWindowS : deps.time.liveWindowS;
  if (ageS > window) return reject('too_old', `${Math.round(ageS)} s old; the ${r.flags.backfilled ? 'backfill' : 'live'} window is ${window} s`, r);
  let epoch: number;
  try {
    epoch = deps.epochOf(r.time);
  } catch {
    return { verdict: { ...reject('too_old', 'device time is before the network genesis', r).verdict, epoch: null } };
  }

  const measurements = r.measurements.map((m) => ({ quantity: m.quantity, value: m.value }));
  // Built once, at the end, without spreading a draft (the spreads showed in the CPU profile of npm run bench).
  const accept = (status: 'accepted' | 'recorded', reason: ReasonCode, detail: string): Judgement => ({
    verdict: {
      v: 1, messageHash: report.messageHash, receivedAt: report.receivedAt, deviceId, seq: r.seq, readingTime: r.time, status, reason, detail,
      quality: status === 'accepted' ? 1 : null, epoch,
    },
    reading: {
      deviceId, seq: r.seq, time: r.time, receivedAt: report.receivedAt, epoch, measurements, backfilled: r.flags.backfilled,
      maintenance: r.flags.maintenance, quality: status === 'accepted' ? 1 : 0, messageHash: report.messageHash, message: report.message,
    },
  });
  // Maintenance: recorded, neither rewarded nor penalised, so quality rules do not apply.
  if (r.flags.maintenance) return accept('recorded', 'maintenance', 'maintenance mode');

  // 8. data quality that needs only this reading and the device's own history
  const ranges = checkRanges(measurements, [device.model, ...device.sensorKinds], deps.quality);
  if (!ranges.ok) return reject(ranges.reason, ranges.detail, r);
  const history = deps.history
    ? await deps.history.before(deviceId, r.time)
    : await deps.ledger.recentReadings(deviceId, r.time, deps.historyDepth ?? 400);
  const current = { time: r.time, measurements };
  // Both checks skip maintenance readings. The history is newest first and well-formed (DeviceHistory, or the
  // ledger's own rows), so nothing here visits all of its hundreds of entries: the walks stop early.
  let previous: (typeof history)[number] | undefined;
  for (const h of history) {
    if (h.maintenance) continue;
    previous = h;
    break;
  }
  const jump = checkJump(current, previous, deps.quality);
  if (!jump.ok) return reject(jump.reason, jump.detail, r);
  const flat = checkFlatLineNewestFirst(current, history, deps.quality);
  if (!flat.ok) return reject(flat.reason, flat.detail, r);
  return accept('accepted', 'ok', 'accepted; neighbour review pending for its time bucket');
}

export interface IngestOutcome {
  verdict: VerdictV1;
  /** 'duplicate' when the message already had a verdict: the first one stands and is returned. */
  stored: 'new' | 'duplicate';
}

/**
 * Judge and record. A redelivered message gets the 'duplicate' verdict (the stored one stays as it was).
 * With deps.lanes, readings on one topic are judged and recorded in call order.
 */
export function ingest(report: IngestReportV1, deps: PipelineDeps): Promise<IngestOutcome> {
  return deps.lanes ? deps.lanes.run(report.topic, () => judgeAndRecord(report, deps)) : judgeAndRecord(report, deps);
}

async function judgeAndRecord(report: IngestReportV1, deps: PipelineDeps): Promise<IngestOutcome> {
  const { verdict, reading } = await judge(report, deps);
  const result = await deps.ledger.recordVerdict(verdict, reading);
  if (result.stored === 'new' && reading && result.verdict.status !== 'rejected') deps.history?.record(reading.deviceId, reading);
  if (result.stored === 'duplicate') {
    return {
      stored: 'duplicate',
      verdict: { ...result.verdict, reason: 'duplicate', status: 'rejected', quality: null, detail: `redelivery of a message first judged ${result.verdict.reason}` },
    };
  }
  return { stored: 'new', verdict: result.verdict };
}

function safeEpoch(deps: PipelineDeps, timeS: number): number | null {
  try {
    return deps.epochOf(timeS);
  } catch {
    return null;
  }
}

/** Readings needed to span the longest flat-line window at the network's reading interval, plus slack. */
export function historyDepthFor(quality: QualityConfig, readingIntervalS: number): number {
  const longest = Math.max(0, ...Object.values(quality.flatLine.rules).map((r) => r?.windowS ?? 0));
  return Math.min(5000, Math.ceil(longest / readingIntervalS) + 16);
}
