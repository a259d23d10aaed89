// The ledger's SQL, written once with `?` placeholders (SQLite) and numbered for PostgreSQL by toPostgres().
// Both stores run the same statements, so the contract suite checks one query set twice.
// Idempotent writes are INSERT ... ON CONFLICT DO NOTHING, and the caller looks at the changed-row count: the
// database's unique constraints decide who was first, never a read-then-write in the application.
import type { VerdictQuery } from './ledger.js';

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');
const insert = (table: string, columns: string[]) =>
  `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${placeholders(columns.length)}) ON CONFLICT DO NOTHING`;

export const VERDICT_COLUMNS = ['message_hash', 'device_id', 'seq', 'reading_time', 'received_at', 'status', 'reason', 'detail', 'quality', 'epoch'];
export const READING_COLUMNS = ['device_id', 'seq', 'message_hash', 'time', 'received_at', 'epoch', 'measurements', 'backfilled', 'maintenance', 'quality', 'message'];
export const SHARE_COLUMNS = ['epoch', 'device_id', 'owner', 'score', 'amount', 'outcome'];

const READING_ORDER = 'ORDER BY time, device_id, seq';

export const SQL = {
  insertDevice: insert('devices', ['device_id', 'public_key', 'model', 'sensor_kinds', 'lat', 'lon', 'area', 'owner', 'status', 'registered_at', 'attestation']),
  getDevice: 'SELECT * FROM devices WHERE device_id = ?',
  listDevices: 'SELECT * FROM devices ORDER BY device_id',
  setDeviceStatus: 'UPDATE devices SET status = ? WHERE device_id = ?',
  setDeviceOwner: 'UPDATE devices SET owner = ? WHERE device_id = ?',
  insertTransfer: 'INSERT INTO transfers (device_id, from_owner, to_owner, at, evidence) VALUES (?, ?, ?, ?, ?)',
  listTransfers: 'SELECT * FROM transfers WHERE device_id = ? ORDER BY at, id',

  insertNonce: insert('nonces', ['nonce', 'expires_at']),
  takeNonce: 'DELETE FROM nonces WHERE nonce = ? AND expires_at > ?',
  sweepNonces: 'DELETE FROM nonces WHERE expires_at <= ?',

  insertVerdict: insert('verdicts', VERDICT_COLUMNS),
  getVerdict: 'SELECT * FROM verdicts WHERE message_hash = ?',
  markReplay: "UPDATE verdicts SET status = 'rejected', reason = 'replay', detail = ?, quality = NULL WHERE message_hash = ?",
  countVerdictsByReason: 'SELECT reason, COUNT(*) AS n FROM verdicts GROUP BY reason ORDER BY reason',
  reviseVerdict: 'UPDATE verdicts SET status = ?, reason = ?, detail = ?, quality = ? WHERE message_hash = ?',

  insertReading: insert('readings', READING_COLUMNS),
  readingHolder: 'SELECT message_hash FROM readings WHERE device_id = ? AND seq = ?',
  // Through the verdict (keyed by message) to its (device, seq): readings has no index on message_hash.
  readingOf: 'SELECT 1 FROM verdicts v JOIN readings r ON r.device_id = v.device_id AND r.seq = v.seq AND r.message_hash = v.message_hash WHERE v.message_hash = ?',
  recentReadings: `SELECT * FROM readings WHERE device_id = ? AND time < ? ORDER BY time DESC, seq DESC LIMIT ?`,
  readingsBetween: `SELECT * FROM readings WHERE time >= ? AND time < ? ${READING_ORDER}`,
  readingsOfEpoch: `SELECT * FROM readings WHERE epoch = ? ${READING_ORDER}`,

  insertSettlement: insert('settlements', ['epoch', 'root', 'total', 'payouts', 'tree', 'closed_at']),
  // Not ON CONFLICT: two shares for one device in a settlement is a bug, and must abort the whole settlement.
  insertShare: `INSERT INTO shares (${SHARE_COLUMNS.join(', ')}) VALUES (${placeholders(SHARE_COLUMNS.length)})`,
  getSettlement: 'SELECT * FROM settlements WHERE epoch = ?',
  getShares: 'SELECT * FROM shares WHERE epoch = ? ORDER BY device_id',
  listSettlements: 'SELECT epoch, root, total, closed_at FROM settlements ORDER BY epoch',
} as const;

export type QueryName = keyof typeof SQL;

/** listVerdicts: newest first, ties broken by message hash so that paging is stable. */
export function verdictListQuery(query: VerdictQuery): { key: string; sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.deviceId !== undefined) {
    where.push('device_id = ?');
    params.push(query.deviceId);
  }
  if (query.reason !== undefined) {
    where.push('reason = ?');
    params.push(query.reason);
  }
  if (query.before !== undefined) {
    where.push('received_at < ?');
    params.push(query.before);
  }
  params.push(query.limit);
  const sql = `SELECT * FROM verdicts${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY received_at DESC, message_hash DESC LIMIT ?`;
  // The key names the statement's shape (which filters), so each shape is prepared once.
  return { key: `verdicts:${query.deviceId !== undefined ? 'd' : ''}${query.reason !== undefined ? 'r' : ''}${query.before !== undefined ? 'b' : ''}`, sql, params };
}

/** `?` -> `$1, $2, ...` (none of our statements has a `?` inside a literal). */
export function toPostgres(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
