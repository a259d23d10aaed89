import test from 'ava';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ledger } from '../../../src/verifier/ledger/ledger.js';
import { SqliteLedger } from '../../../src/verifier/ledger/sqlite-ledger.js';
import { ledgerContract } from '../../contracts/ledger-contract.js';
import { schemaV1 } from './schema-v1.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'fp-ledger-'));
const opened = async (path: string) => {
  const ledger = new SqliteLedger(path);
  await ledger.open();
  return ledger;
};
const pathOf = (ledger: Ledger) => (ledger as SqliteLedger).path;

ledgerContract(test, 'SQLite ledger (file)', {
  create: () => opened(join(tempDir(), 'ledger.sqlite')),
  reopen: async (ledger) => {
    await ledger.close();
    return opened(pathOf(ledger));
  },
  twin: (ledger) => opened(pathOf(ledger)),
  setSchemaVersion: async (ledger, version) => {
    const db = new Database(pathOf(ledger));
    db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(String(version));
    db.close();
  },
  createAtVersion1: async (seed) => {
    const path = join(tempDir(), 'ledger.sqlite');
    const db = new Database(path);
    db.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema_version', '1')");
    for (const statement of schemaV1('sqlite')) db.exec(statement);
    for (const { sql, params } of seed) db.prepare(sql).run(...params);
    db.close();
    return opened(path);
  },
  storedSchemaVersion: async (ledger) => withFile(ledger, (db) => (db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined)?.value),
  uniqueIndexesOf: async (ledger, table) =>
    withFile(ledger, (db) =>
      (db.pragma(`index_list(${table})`) as { name: string; unique: number }[])
        .filter((index) => index.unique === 1)
        .map((index) => (db.pragma(`index_info(${index.name})`) as { name: string }[]).map((c) => c.name).join(','))),
  dispose: async (ledger) => {
    await ledger.close();
    rmSync(join(pathOf(ledger), '..'), { recursive: true, force: true });
  },
});

/** Read a ledger's file through a second connection. */
function withFile<T>(ledger: Ledger, read: (db: Database.Database) => T): T {
  const db = new Database(pathOf(ledger), { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

ledgerContract(test, 'SQLite ledger (:memory:)', { create: () => opened(':memory:') });

test('SQLite ledger: a file ledger is in WAL mode', async (t) => {
  const dir = tempDir();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ledger = await opened(join(dir, 'ledger.sqlite'));
  await ledger.close();
  const db = new Database(join(dir, 'ledger.sqlite'), { readonly: true });
  t.is(db.pragma('journal_mode', { simple: true }), 'wal'); // WAL is a property of the file, kept across opens
  db.close();
});

test('SQLite ledger: a file that is not an SQLite database is refused with FP_E_LEDGER_UNAVAILABLE, untouched', async (t) => {
  const dir = tempDir();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'ledger.sqlite');
  writeFileSync(path, 'not a database, just some text that is long enough to be read as a header'.repeat(10));
  await t.throwsAsync(new SqliteLedger(path).open(), { code: 'FP_E_LEDGER_UNAVAILABLE', message: /ledger\.sqlite/ });
});

test('SQLite ledger: a missing directory is refused with FP_E_LEDGER_UNAVAILABLE', async (t) => {
  const dir = tempDir();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  await t.throwsAsync(new SqliteLedger(join(dir, 'no', 'such', 'ledger.sqlite')).open(), { code: 'FP_E_LEDGER_UNAVAILABLE' });
});

test('SQLite ledger: a store with a version that is not a number is refused with FP_E_LEDGER_SCHEMA', async (t) => {
  const dir = tempDir();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'ledger.sqlite');
  const db = new Database(path);
  db.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema_version', 'next')");
  db.close();
  await t.throwsAsync(new SqliteLedger(path).open(), { code: 'FP_E_LEDGER_SCHEMA', message: /"next"/ });
});

test('SQLite ledger: a method called before open() says the ledger is not open', async (t) => {
  await t.throwsAsync(new SqliteLedger(':memory:').getVerdict('00'.repeat(32)), { message: /not open/ });
});
