// The ledger: where every verdict, every accepted reading, the device registry and every settlement are kept.
// One interface, two stores (SQLite embedded, PostgreSQL by URL), one contract test suite for both
// (test/contracts/ledger-contract.ts).
//
// Idempotency is the ledger's job, enforced by the database, not by callers:
//   - a message (by its SHA-256) gets one verdict; recording it again returns the first verdict;
//   - a (device, seq) is accepted at most once; a different message with the same (device, seq) is stored as a
//     'replay' rejection;
//   - rewards are computed from stored accepted readings, and a settlement is written once per epoch,
//   so a crash, a redelivery or two verifiers seeing the same message can never credit twice.
import type { AcceptedReadingV1, DeviceRecordV1, DeviceStatus, RewardShareV1, SettlementV1, VerdictV1 } from '../types.js';
import type { ReasonCode } from '../reasons.js';

export interface RecordResult {
  /** 'new' when this call stored the verdict; 'duplicate' when the message already had one (returned as stored). */
  stored: 'new' | 'duplicate';
  /** The verdict as stored: for a (device, seq) already accepted from another message this is a 'replay' rejection. */
  verdict: VerdictV1;
}

export interface VerdictQuery {
  deviceId?: string;
  reason?: ReasonCode;
  /** Only verdicts received before this time (Unix ms), for paging newest first. */
  before?: number;
  limit: number;
}

export interface OwnershipTransferV1 {
  deviceId: string;
  from: string | null;
  to: string;
  /** Unix ms. */
  at: number;
  /** The previous owner's EIP-191 wallet signature (65 bytes) over the transfer message, kept as evidence. */
  evidence: Uint8Array;
}

export interface Ledger {
  /** Create tables if needed and check the stored schema version; refuses a newer schema than it knows. */
  open(): Promise<void>;
  close(): Promise<void>;

  // --- devices
  /** 'exists' (nothing changed) when the device id is already registered. */
  putDevice(device: DeviceRecordV1): Promise<'created' | 'exists'>;
  getDevice(deviceId: string): Promise<DeviceRecordV1 | undefined>;
  listDevices(): Promise<DeviceRecordV1[]>;
  setDeviceStatus(deviceId: string, status: DeviceStatus): Promise<void>;
  /** Record a transfer and set the new owner, atomically. */
  transferDevice(transfer: OwnershipTransferV1): Promise<void>;
  listTransfers(deviceId: string): Promise<OwnershipTransferV1[]>;

  // --- proof-of-possession nonces (single use)
  putNonce(nonce: string, expiresAt: number): Promise<void>;
  /** true exactly once for a known, unexpired nonce; it is consumed. */
  takeNonce(nonce: string, now: number): Promise<boolean>;

  // --- verdicts and readings
  /**
   * Store a verdict, and the reading when the verdict accepts or records it, in one transaction.
   * See RecordResult for what duplicates and replays turn into.
   */
  recordVerdict(verdict: VerdictV1, reading?: AcceptedReadingV1): Promise<RecordResult>;
  getVerdict(messageHash: string): Promise<VerdictV1 | undefined>;
  listVerdicts(query: VerdictQuery): Promise<VerdictV1[]>;
  countVerdictsByReason(): Promise<Record<string, number>>;
  /** Accepted readings of a device with time < beforeTime, newest first (for jump and flat-line checks). */
  recentReadings(deviceId: string, beforeTime: number, limit: number): Promise<AcceptedReadingV1[]>;
  /** Accepted and recorded readings with fromTime <= time < toTime, ordered by (time, deviceId, seq). */
  readingsBetween(fromTime: number, toTime: number): Promise<AcceptedReadingV1[]>;
  readingsOfEpoch(epoch: number): Promise<AcceptedReadingV1[]>;
  /** Change the quality (and possibly the verdict) of an accepted reading after its time bucket is reviewed. */
  reviseVerdict(messageHash: string, change: { status: VerdictV1['status']; reason: ReasonCode; detail: string; quality: number | null }): Promise<void>;

  // --- epochs
  /** Write the settlement and its shares once; 'exists' when the epoch is already closed (nothing changed). */
  putSettlement(settlement: SettlementV1, shares: RewardShareV1[]): Promise<'created' | 'exists'>;
  getSettlement(epoch: number): Promise<SettlementV1 | undefined>;
  getShares(epoch: number): Promise<RewardShareV1[]>;
  listSettlements(): Promise<{ epoch: number; root: string; total: string; closedAt: number }[]>;

  // --- fleet overview (the dashboard): one aggregate query each, never a query per device
  /** Per device with a verdict received at or after `since` (Unix ms): what those verdicts were. Ordered by device id. */
  deviceActivity(since: number): Promise<DeviceActivity[]>;
  /**
   * Accepted readings (maintenance readings left out) with fromTime <= time < toTime, aggregated per quantity and
   * per time bucket of bucketSeconds (bucket = time - time mod bucketSeconds). Ordered by quantity, bucket.
   */
  readingSeries(fromTime: number, toTime: number, bucketSeconds: number): Promise<SeriesPoint[]>;
  /**
   * Accepted verdicts of an epoch received in [receivedFrom, receivedTo) (Unix ms), counted per owner (each device's
   * current owner). By receive time, so that a running tally only ever asks for what arrived since it last asked.
   */
  acceptedByOwner(epoch: number, receivedFrom: number, receivedTo: number): Promise<OwnerReadings[]>;
}

export interface DeviceActivity {
  deviceId: string;
  /** Verdicts received since the given time. */
  verdicts: number;
  /** Unix ms of the latest of those verdicts, of the latest acceptance and of the latest rejection among them. */
  lastAt: number;
  lastAcceptedAt: number | null;
  lastRejectedAt: number | null;
}

export interface SeriesPoint {
  quantity: string;
  /** Start of the bucket, Unix s. */
  bucket: number;
  count: number;
  mean: number;
  min: number;
  max: number;
}

export interface OwnerReadings {
  /** null for devices without an owner; listed last. */
  owner: string | null;
  readings: number;
}
