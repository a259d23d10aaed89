// The ledger's fleet-overview queries (the dashboard's map, charts and rewards table): each one aggregate
// statement over an indexed range, so their cost does not grow with a query per device.
// deviceActivity and acceptedByOwner are the same SQL for both stores; readingSeries unpacks the measurements' JSON,
// which each database spells its own way.
import type { DeviceActivity, OwnerReadings, SeriesPoint } from './ledger.js';
import type { Row } from './rows.js';

export const FLEET_SQL = {
  // verdicts(received_at) bounds the scan to the window; the device's latest acceptance and rejection come from the
  // same pass. Only rejections of the device's own messages count: a forgery, a replayed copy or a reading sent to
  // the wrong topic names the device without being its doing (the fleet simulator's attackers do just that).
  deviceActivity: `SELECT device_id, COUNT(*) AS n, MAX(received_at) AS last_at,
    MAX(CASE WHEN status = 'accepted' THEN received_at END) AS last_accepted_at,
    MAX(CASE WHEN status = 'rejected' AND reason NOT IN ('bad_signature', 'duplicate', 'topic_mismatch') THEN received_at END) AS last_rejected_at
    FROM verdicts WHERE received_at >= ? AND device_id IS NOT NULL GROUP BY device_id ORDER BY device_id`,
  // verdicts(received_at) bounds the scan; owner IS NULL sorts unowned last in both stores.
  acceptedByOwner: `SELECT d.owner AS owner, COUNT(*) AS n
    FROM verdicts v JOIN devices d ON d.device_id = v.device_id
    WHERE v.received_at >= ? AND v.received_at < ? AND v.epoch = ? AND v.status = 'accepted'
    GROUP BY d.owner ORDER BY d.owner IS NULL, d.owner`,
} as const;

/** readingSeries per dialect; parameters: bucketSeconds, fromTime, toTime (named @bucket, @from, @to on SQLite). */
export const SERIES_SQL = {
  sqlite: `SELECT quantity, bucket, COUNT(*) AS n, AVG(value) AS mean, MIN(value) AS lo, MAX(value) AS hi FROM (
    SELECT r.time - (r.time % @bucket) AS bucket, json_extract(m.value, '$.quantity') AS quantity, json_extract(m.value, '$.value') AS value
    FROM readings r, json_each(r.measurements) m WHERE r.time >= @from AND r.time < @to AND NOT r.maintenance
  ) GROUP BY quantity, bucket ORDER BY quantity, bucket`,
  postgres: `SELECT quantity, bucket, COUNT(*) AS n, AVG(value) AS mean, MIN(value) AS lo, MAX(value) AS hi FROM (
    SELECT r.time - (r.time % $1::bigint) AS bucket, m.v->>'quantity' AS quantity, (m.v->>'value')::float8 AS value
    FROM readings r, jsonb_array_elements(r.measurements::jsonb) AS m(v) WHERE r.time >= $2 AND r.time < $3 AND NOT r.maintenance
  ) s GROUP BY quantity, bucket ORDER BY quantity COLLATE "C", bucket`,
} as const;

const unixInteger = (value: unknown, name: string): number => {
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw new RangeError(`${name}: a non-negative integer, got ${String(value)}`);
  return value as number;
};

export function checkSince(since: number): void {
  unixInteger(since, 'since');
}

export function checkSeriesRange(fromTime: number, toTime: number, bucketSeconds: number): void {
  unixInteger(fromTime, 'fromTime');
  unixInteger(toTime, 'toTime');
  if (toTime < fromTime) throw new RangeError(`toTime: at or after fromTime (${fromTime}), got ${toTime}`);
  if (!Number.isSafeInteger(bucketSeconds) || bucketSeconds < 1) throw new RangeError(`bucketSeconds: a positive integer, got ${String(bucketSeconds)}`);
}

export function checkOwnerTally(epoch: number, receivedFrom: number, receivedTo: number): void {
  unixInteger(epoch, 'epoch');
  unixInteger(receivedFrom, 'receivedFrom');
  unixInteger(receivedTo, 'receivedTo');
  if (receivedTo < receivedFrom) throw new RangeError(`receivedTo: at or after receivedFrom (${receivedFrom}), got ${receivedTo}`);
}

const intOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

export function activityFromRow(r: Row): DeviceActivity {
  return {
    deviceId: r.device_id as string,
    verdicts: Number(r.n),
    lastAt: Number(r.last_at),
    lastAcceptedAt: intOrNull(r.last_accepted_at),
    lastRejectedAt: intOrNull(r.last_rejected_at),
  };
}

export function seriesPointFromRow(r: Row): SeriesPoint {
  return { quantity: r.quantity as string, bucket: Number(r.bucket), count: Number(r.n), mean: Number(r.mean), min: Number(r.lo), max: Number(r.hi) };
}

export function ownerReadingsFromRow(r: Row): OwnerReadings {
  return { owner: (r.owner as string | null) ?? null, readings: Number(r.n) };
}
