import test from 'ava';
import { checkSchemaVersion, migrationStatements, SCHEMA_VERSION, schemaStatements } from '../../../src/verifier/ledger/schema.js';

test('schema: a new store and a store at this version need no migration', (t) => {
  t.is(checkSchemaVersion(undefined, 'store'), SCHEMA_VERSION);
  t.is(checkSchemaVersion(String(SCHEMA_VERSION), 'store'), SCHEMA_VERSION);
  t.deepEqual(migrationStatements('sqlite', SCHEMA_VERSION), []);
});

test('schema: a version 1 store is to be migrated, a newer or malformed version is refused with FP_E_LEDGER_SCHEMA', (t) => {
  t.is(checkSchemaVersion('1', 'store'), 1);
  t.throws(() => checkSchemaVersion(String(SCHEMA_VERSION + 1), 'the ledger x'), { code: 'FP_E_LEDGER_SCHEMA', message: /the ledger x holds ledger schema version \d+, newer/ });
  for (const bad of ['0', '1.0', ' 1', 'two', '']) t.throws(() => checkSchemaVersion(bad, 'store'), { code: 'FP_E_LEDGER_SCHEMA', message: /unknown ledger schema version/ }, bad);
});

test('schema: readings have no unique index on message_hash, in either dialect, and migrations remove the one of version 1', (t) => {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    const readings = schemaStatements(dialect).find((s) => s.startsWith('CREATE TABLE IF NOT EXISTS readings '))!;
    t.false(/UNIQUE/.test(readings), dialect);
  }
  t.deepEqual(migrationStatements('postgres', 1), ['ALTER TABLE readings DROP CONSTRAINT IF EXISTS readings_message_hash_key']);
  const sqlite = migrationStatements('sqlite', 1);
  t.true(sqlite.some((s) => s.startsWith('CREATE TABLE IF NOT EXISTS readings_v2 ') && !s.includes('UNIQUE')));
  t.is(sqlite.at(-1), 'ALTER TABLE readings_v2 RENAME TO readings');
});
