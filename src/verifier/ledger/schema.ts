// The ledger's storage schema, described once and rendered for each store (SQLite, PostgreSQL), so the two
// cannot drift apart. A store remembers its version in `meta`; a newer version than this code knows is refused
// rather than written to, because an older verifier could break invariants a newer one relies on. An older
// version is migrated forward on open (MIGRATIONS), in the same transaction that creates what is missing.
//
// Version 2 dropped the unique index on readings.message_hash. It added nothing: a reading is only ever stored in
// the transaction (or statement) that stores the verdict that first claimed its message, and the verdict's
// primary key is the message hash; a message also names its (device, seq), which the readings' primary key holds.
// It cost a random index page per accepted reading: about a quarter of the SQLite insert's CPU in bench.
import { FieldproofError } from '../../core/errors.js';

export const SCHEMA_VERSION = 2;

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
    // No unique index on message_hash (since version 2): see the head of this file.
    primaryKey: ['device_id', 'seq'],
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
export const WRITE_VERSION = `INSERT INTO meta (key, value) VALUES ('schema_version', '${SCHEMA_VERSION}') ON CONFLICT (key) DO UPDATE SET value = excluded.value`;

function tableSpec(name: string): TableSpec {
  const table = TABLES.find((t) => t.name === name);
  if (!table) throw new Error(`no ledger table ${name}`);
  return table;
}

/** CREATE TABLE IF NOT EXISTS for one table, under its own name or `as`. */
function createTable(table: TableSpec, dialect: Dialect, as = table.name): string {
  const parts = table.columns.map(([name, type, nullable]) => `${name} ${TYPES[dialect][type]}${nullable || type === 'serial' ? '' : ' NOT NULL'}`);
  if (table.primaryKey) parts.push(`PRIMARY KEY (${table.primaryKey.join(', ')})`);
  for (const columns of table.unique ?? []) parts.push(`UNIQUE (${columns.join(', ')})`);
  return `CREATE TABLE IF NOT EXISTS ${as} (\n  ${parts.join(',\n  ')}\n)${dialect === 'sqlite' ? ' STRICT' : ''}`;
}

/** CREATE TABLE / CREATE INDEX statements, all IF NOT EXISTS, for one dialect. */
export function schemaStatements(dialect: Dialect): string[] {
  const out: string[] = [];
  for (const table of TABLES) {
    out.push(createTable(table, dialect));
    for (const columns of table.indexes ?? []) {
      out.push(`CREATE INDEX IF NOT EXISTS ${table.name}_${columns.join('_')} ON ${table.name} (${columns.join(', ')})`);
    }
  }
  return out;
}

/**
 * The statements that take a store from version `from` to `from + 1`, run before schemaStatements() (which then
 * creates whatever the new version adds, indexes of a rebuilt table included).
 */
const MIGRATIONS: Record<Dialect, Record<number, () => string[]>> = {
  sqlite: {
    // SQLite cannot drop a UNIQUE table constraint: the table is rebuilt without it, rows and order kept (nothing
    // refers to a reading's rowid). Its indexes go with the old table and are created again afterwards.
    1: () => {
      const columns = tableSpec('readings').columns.map(([name]) => name).join(', ');
      return [
        'DROP TABLE IF EXISTS readings_v2',
        createTable(tableSpec('readings'), 'sqlite', 'readings_v2'),
        `INSERT INTO readings_v2 (${columns}) SELECT ${columns} FROM readings ORDER BY rowid`,
        'DROP TABLE readings',
        'ALTER TABLE readings_v2 RENAME TO readings',
      ];
    },
  },
  postgres: {
    // The name PostgreSQL gave the UNIQUE (message_hash) of version 1's CREATE TABLE.
    1: () => ['ALTER TABLE readings DROP CONSTRAINT IF EXISTS readings_message_hash_key'],
  },
};

/** Every statement that takes a store at version `from` to SCHEMA_VERSION, in order. */
export function migrationStatements(dialect: Dialect, from: number): string[] {
  const out: string[] = [];
  for (let version = from; version < SCHEMA_VERSION; version++) {
    const step = MIGRATIONS[dialect][version];
    if (!step) throw new Error(`no ledger migration from version ${version} (${dialect})`);
    out.push(...step());
  }
  return out;
}

/**
 * Decide what to do with the version a store holds, before a single table is touched: a new store (undefined) or
 * this version need no migration (returns SCHEMA_VERSION); an older version this code can migrate is returned, to
 * be migrated; a newer or unknown one is refused.
 */
export function checkSchemaVersion(stored: string | undefined, store: string): number {
  if (stored === undefined) return SCHEMA_VERSION;
  const version = Number(stored);
  if (String(version) === stored && Number.isInteger(version)) {
    if (version === SCHEMA_VERSION) return version;
    if (version > SCHEMA_VERSION) {
      throw new FieldproofError('FP_E_LEDGER_SCHEMA', `${store} holds ledger schema version ${version}, newer than the ${SCHEMA_VERSION} this verifier knows; run a newer verifier (the store was not changed)`);
    }
    if (version >= 1) return version;
  }
  throw new FieldproofError('FP_E_LEDGER_SCHEMA', `${store} holds an unknown ledger schema version "${stored}" (this verifier knows ${SCHEMA_VERSION}); the store was not changed`);
}
