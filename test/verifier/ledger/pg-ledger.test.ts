import test from 'ava';
import pg from 'pg';
import type { Ledger } from '../../../src/verifier/ledger/ledger.js';
import { PgLedger } from '../../../src/verifier/ledger/pg-ledger.js';
import { toPostgres } from '../../../src/verifier/ledger/queries.js';
import { ledgerContract } from '../../contracts/ledger-contract.js';
import { schemaV1 } from './schema-v1.js';
import { needService, POSTGRES } from '../../helpers/services.js';

// Checked once per file: one SKIPPED line when PostgreSQL is down (or every test fails when it is required).
let up: Promise<boolean> | undefined;
const available = () => (up ??= needService(POSTGRES.name, POSTGRES.host, POSTGRES.port));

// A schema per test, so test files and tests run in parallel on one database and leave nothing behind.
let count = 0;
const schemaName = () => `fp_test_${process.pid}_${Date.now().toString(36)}_${count++}`;

async function withClient<T>(schema: string | undefined, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES.url, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

const sql = (text: string, schema?: string) => withClient(schema, async (client) => void (await client.query(text)));

const opened = async (schema: string) => {
  const ledger = new PgLedger(POSTGRES.url, { schema, max: 4 });
  await ledger.open();
  return ledger;
};
const schemaOf = (ledger: Ledger) => (ledger as PgLedger).schema!;

ledgerContract(test, 'PostgreSQL ledger', {
  available,
  create: () => opened(schemaName()),
  reopen: async (ledger) => {
    await ledger.close();
    return opened(schemaOf(ledger));
  },
  twin: (ledger) => opened(schemaOf(ledger)),
  setSchemaVersion: (ledger, version) => sql(`UPDATE meta SET value = '${version}' WHERE key = 'schema_version'`, schemaOf(ledger)),
  createAtVersion1: async (seed) => {
    const schema = schemaName();
    await withClient(undefined, async (client) => {
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.query(`SET search_path TO ${schema}`);
      await client.query("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema_version', '1')");
      for (const statement of schemaV1('postgres')) await client.query(statement);
      for (const { sql: text, params } of seed) await client.query(toPostgres(text), params);
    });
    return opened(schema);
  },
  storedSchemaVersion: (ledger) =>
    withClient(schemaOf(ledger), async (client) => (await client.query("SELECT value FROM meta WHERE key = 'schema_version'")).rows[0]?.value),
  uniqueIndexesOf: (ledger, table) =>
    withClient(schemaOf(ledger), async (client) => {
      const result = await client.query(
        `SELECT string_agg(a.attname, ',' ORDER BY k.n) AS columns
           FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace s ON s.oid = c.relnamespace
           CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
          WHERE i.indisunique AND c.relname = $1 AND s.nspname = $2 GROUP BY i.indexrelid`,
        [table, schemaOf(ledger)],
      );
      return result.rows.map((row) => row.columns as string);
    }),
  dispose: async (ledger) => {
    await ledger.close();
    await sql(`DROP SCHEMA IF EXISTS ${schemaOf(ledger)} CASCADE`);
  },
});

test('PostgreSQL ledger: an unreachable server is refused with FP_E_LEDGER_UNAVAILABLE, without the password', async (t) => {
  const ledger = new PgLedger('postgresql://fp:secret@127.0.0.1:1/test');
  const error = await t.throwsAsync(ledger.open(), { code: 'FP_E_LEDGER_UNAVAILABLE', message: /127\.0\.0\.1:1/ });
  t.false(error!.message.includes('secret'));
});

test('PostgreSQL ledger: a schema name that would need quoting is refused', (t) => {
  t.throws(() => new PgLedger(POSTGRES.url, { schema: 'x; DROP TABLE verdicts' }), { instanceOf: TypeError, message: /options\.schema/ });
});

test('PostgreSQL ledger: two ledgers in different schemas do not see each other', async (t) => {
  if (!(await available())) return t.pass('skipped: no PostgreSQL');
  const [a, b] = [schemaName(), schemaName()];
  const [la, lb] = [await opened(a), await opened(b)];
  t.teardown(async () => {
    await la.close();
    await lb.close();
    await sql(`DROP SCHEMA IF EXISTS ${a} CASCADE; DROP SCHEMA IF EXISTS ${b} CASCADE`);
  });
  await la.putNonce('n', 10);
  t.false(await lb.takeNonce('n', 0));
  t.true(await la.takeNonce('n', 0));
});
