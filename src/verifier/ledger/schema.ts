// The ledger's storage schema, described once and rendered for each store (SQLite, PostgreSQL), so the two
// cannot drift apart. Version 1. A store remembers its version in `meta`; a newer version than this code knows is
// refused rather than written to, because an older verifier could break invariants a newer one relies on.
import { FieldproofError } from '../../core/errors.js';

export const SCHEMA_VERSION = 1;

export type Dialect = 'sqlite' | 'postgres';

/** Logical column types. 'json' is JSON text; 'bool' is 0/1 on SQLite; 'serial' is a generated key. */
type ColumnType = 'text' | 'int' | 'real' | 'bytes' | 'bool' | 'json' | 'serial';

interface TableSpec {
  name: string;
  /** [column, type, nullable] */
  columns: [string, ColumnType, boolean?][];
  primaryKey?: string[];
  unique?: string[][];
  indexes?: string[][];
}

const NULL = true;

export const TABLES: readonly TableSpec[] = [
  {
    name: 'devices',
    columns: [
      ['device_id', 'text'], ['public_key', 'bytes'], ['model', 'text'], ['sensor_kinds', 'json'],
      ['lat', 'real'], ['lon', 'real'], ['area', 'text'], ['owner', 'text', NULL], ['status', 'text'],
      ['registered_at', 'int'], ['attestation', 'bytes'],
    ],
    primaryKey: ['device_id'],
  },
  {
    name: 'transfers',
    columns: [['id', 'serial'], ['device_id', 'text'], ['from_owner', 'text', NULL], ['to_owner', 'text'], ['at', 'int'], ['evidence', 'bytes']],
    indexes: [['device_id', 'at']],
  },
  {
    name: 'nonces',
    columns: [['nonce', 'text'], ['expires_at', 'int']],
    primaryKey: ['nonce'],
    indexes: [['expires_at']], // expired nonces are swept by expiry
  },
  {
    name: 'verdicts',
    columns: [
      ['message_hash', 'text'], ['device_id', 'text', NULL], ['seq', 'int', NULL], ['reading_time', 'int', NULL],
      ['received_at', 'int'], ['status', 'text'], ['reason', 'text'], ['detail', 'text'], ['quality', 'real', NULL],
      ['epoch', 'int', NULL],
    ],
    // The primary key is what makes "one verdict per message" hold across processes.
    primaryKey: ['message_hash'],
    // (received_at) alone serves the unfiltered newest-first listing.
    indexes: [['device_id', 'received_at'], ['reason', 'received_at'], ['received_at']],
  },
  {
    name: 'readings',
    columns: [
      ['device_id', 'text'], ['seq', 'int'], ['message_hash', 'text'], ['time', 'int'], ['received_at', 'int'],
      ['epoch', 'int'], ['measurements', 'json'], ['backfilled', 'bool'], ['maintenance', 'bool'], ['quality', 'real'],
      ['message', 'bytes'],
    ],
    // A reading is kept as accepted at ingest, never changed or deleted: a later review changes its verdict only.
    // So its (device, seq) stays taken (a later copy is still a replay), and an epoch can be recomputed from the
    // very inputs it was settled from.
    // The primary key is what makes "a (device, seq) is accepted at most once" hold across processes.
    primaryKey: ['device_id', 'seq'],
    unique: [['message_hash']],
    // (device_id, time) serves recentReadings, called for every message by the jump and flat-line checks.
    indexes: [['time'], ['epoch'], ['device_id', 'time']],
  },
  {
    name: 'settlements',
    columns: [['epoch', 'int'], ['root', 'text'], ['total', 'text'], ['payouts', 'json'], ['tree', 'json'], ['closed_at', 'int']],
    primaryKey: ['epoch'],
  },
  {
    name: 'shares',
    columns: [['epoch', 'int'], ['device_id', 'text'], ['owner', 'text', NULL], ['score', 'real'], ['amount', 'text'], ['outcome', 'text']],
    primaryKey: ['epoch', 'device_id'],
  },
];

const TYPES: Record<Dialect, Record<ColumnType, string>> = {
  // SQLite tables are STRICT (SQLite 3.37+), so a wrong type is an error rather than silently stored.
  sqlite: { text: 'TEXT', int: 'INTEGER', real: 'REAL', bytes: 'BLOB', bool: 'INTEGER', json: 'TEXT', serial: 'INTEGER PRIMARY KEY' },
  // COLLATE "C": text orders by bytes as in SQLite, whatever the database's locale, so both stores list devices,
  // shares and readings in the same order (and settlements computed from them agree).
  postgres: { text: 'TEXT COLLATE "C"', int: 'BIGINT', real: 'DOUBLE PRECISION', bytes: 'BYTEA', bool: 'BOOLEAN', json: 'TEXT', serial: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY' },
};

export const META_DDL = 'CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)';
export const READ_VERSION = "SELECT value FROM meta WHERE key = 'schema_version'";
export const WRITE_VERSION = `INSERT INTO meta (key, value) VALUES ('schema_version', '${SCHEMA_VERSION}') ON CONFLICT DO NOTHING`;

/** CREATE TABLE / CREATE INDEX statements, all IF NOT EXISTS, for one dialect. */
export function schemaStatements(dialect: Dialect): string[] {
  const out: string[] = [];
  for (const table of TABLES) {
    const parts = table.columns.map(([name, type, nullable]) => `${name} ${TYPES[dialect][type]}${nullable || type === 'serial' ? '' : ' NOT NULL'}`);
    if (table.primaryKey) parts.push(`PRIMARY KEY (${table.primaryKey.join(', ')})`);
    for (const columns of table.unique ?? []) parts.push(`UNIQUE (${columns.join(', ')})`);
    out.push(`CREATE TABLE IF NOT EXISTS ${table.name} (\n  ${parts.join(',\n  ')}\n)${dialect === 'sqlite' ? ' STRICT' : ''}`);
    for (const columns of table.indexes ?? []) {
      out.push(`CREATE INDEX IF NOT EXISTS ${table.name}_${columns.join('_')} ON ${table.name} (${columns.join(', ')})`);
    }
  }
  return out;
}

/**
 * Decide what to do with the version a store holds: undefined (new store) or this version are fine, anything else
 * is refused before a single table is touched.
 */
export function checkSchemaVersion(stored: string | undefined, store: string): void {
  if (stored === undefined || stored === String(SCHEMA_VERSION)) return;
  const version = Number(stored);
  if (Number.isInteger(version) && version > SCHEMA_VERSION) {
    throw new FieldproofError('FP_E_LEDGER_SCHEMA', `${store} holds ledger schema version ${version}, newer than the ${SCHEMA_VERSION} this verifier knows; run a newer verifier (the store was not changed)`);
  }
  throw new FieldproofError('FP_E_LEDGER_SCHEMA', `${store} holds an unknown ledger schema version "${stored}" (this verifier knows ${SCHEMA_VERSION}); the store was not changed`);
}
