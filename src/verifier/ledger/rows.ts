// Mapping between the ledger's typed records and database rows, shared by both stores.
// Parameters are positional, in the column order of queries.ts. Rows come back keyed by column name; the two
// drivers differ in what they hand back, and these functions absorb it:
//   - integers: SQLite gives numbers, PostgreSQL BIGINT gives strings (every value here is below 2^53);
//   - booleans: SQLite gives 0/1, PostgreSQL true/false (we bind 0/1 for both: PostgreSQL reads '1'/'0' as boolean);
//   - bytes: both give a Buffer, which we copy into a plain Uint8Array so that callers (and deepEqual) see the
//     same type they stored, and never hold a view into a driver's pooled memory.
import type { OwnershipTransferV1 } from './ledger.js';
import type { AcceptedReadingV1, DeviceRecordV1, RewardShareV1, SettlementV1, VerdictV1, VerdictStatus } from '../types.js';
import type { ReasonCode } from '../reasons.js';

export type Row = Record<string, unknown>;

const int = (value: unknown): number => Number(value);
const intOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const realOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const bool = (value: unknown): boolean => value === true || value === 1 || value === 1n;
const text = (value: unknown): string => value as string;
const textOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : (value as string));
export const plainBytes = (value: unknown): Uint8Array => new Uint8Array(value as Uint8Array);

// --- verdicts
export function verdictParams(v: VerdictV1): unknown[] {
  return [v.messageHash, v.deviceId, v.seq, v.readingTime, v.receivedAt, v.status, v.reason, v.detail, v.quality, v.epoch];
}

export function verdictFromRow(r: Row): VerdictV1 {
  return {
    v: 1,
    messageHash: text(r.message_hash),
    deviceId: textOrNull(r.device_id),
    seq: intOrNull(r.seq),
    readingTime: intOrNull(r.reading_time),
    receivedAt: int(r.received_at),
    status: text(r.status) as VerdictStatus,
    reason: text(r.reason) as ReasonCode,
    detail: text(r.detail),
    quality: realOrNull(r.quality),
    epoch: intOrNull(r.epoch),
  };
}

// --- readings
export function readingParams(r: AcceptedReadingV1): unknown[] {
  return [
    r.deviceId, r.seq, r.messageHash, r.time, r.receivedAt, r.epoch, JSON.stringify(r.measurements),
    r.backfilled ? 1 : 0, r.maintenance ? 1 : 0, r.quality, r.message,
  ];
}

export function readingFromRow(r: Row): AcceptedReadingV1 {
  return {
    deviceId: text(r.device_id),
    seq: int(r.seq),
    time: int(r.time),
    receivedAt: int(r.received_at),
    epoch: int(r.epoch),
    measurements: JSON.parse(text(r.measurements)),
    backfilled: bool(r.backfilled),
    maintenance: bool(r.maintenance),
    quality: Number(r.quality),
    messageHash: text(r.message_hash),
    message: plainBytes(r.message),
  };
}

// --- devices and transfers
export function deviceParams(d: DeviceRecordV1): unknown[] {
  return [
    d.deviceId, d.publicKey, d.model, JSON.stringify(d.sensorKinds), d.location.lat, d.location.lon, d.area, d.owner,
    d.status, d.registeredAt, d.attestation,
  ];
}

export function deviceFromRow(r: Row): DeviceRecordV1 {
  return {
    deviceId: text(r.device_id),
    publicKey: plainBytes(r.public_key),
    model: text(r.model),
    sensorKinds: JSON.parse(text(r.sensor_kinds)),
    location: { lat: Number(r.lat), lon: Number(r.lon) },
    area: text(r.area),
    owner: textOrNull(r.owner),
    status: text(r.status) as DeviceRecordV1['status'],
    registeredAt: int(r.registered_at),
    attestation: plainBytes(r.attestation),
  };
}

export function transferParams(t: OwnershipTransferV1): unknown[] {
  return [t.deviceId, t.from, t.to, t.at, t.evidence];
}

export function transferFromRow(r: Row): OwnershipTransferV1 {
  return { deviceId: text(r.device_id), from: textOrNull(r.from_owner), to: text(r.to_owner), at: int(r.at), evidence: plainBytes(r.evidence) };
}

// --- settlements and shares
export function settlementParams(s: SettlementV1): unknown[] {
  return [s.epoch, s.root, s.total, JSON.stringify(s.payouts), JSON.stringify(s.tree), s.closedAt];
}

export function settlementFromRow(r: Row): SettlementV1 {
  return {
    v: 1,
    epoch: int(r.epoch),
    root: text(r.root),
    total: text(r.total),
    payouts: JSON.parse(text(r.payouts)),
    tree: JSON.parse(text(r.tree)),
    closedAt: int(r.closed_at),
  };
}

export function settlementSummaryFromRow(r: Row): { epoch: number; root: string; total: string; closedAt: number } {
  return { epoch: int(r.epoch), root: text(r.root), total: text(r.total), closedAt: int(r.closed_at) };
}

export function shareParams(s: RewardShareV1): unknown[] {
  return [s.epoch, s.deviceId, s.owner, s.score, s.amount, s.outcome];
}

export function shareFromRow(r: Row): RewardShareV1 {
  return {
    epoch: int(r.epoch),
    deviceId: text(r.device_id),
    owner: textOrNull(r.owner),
    score: Number(r.score),
    amount: text(r.amount),
    outcome: text(r.outcome) as RewardShareV1['outcome'],
  };
}

export function countsFromRows(rows: Row[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[text(r.reason)] = int(r.n);
  return out;
}
