// PostgreSQL plumbing for PgLedger: a pool whose every connection works in one schema, and transactions.
import pg from 'pg';

/** Unquoted-safe schema names only, so the name can go into a startup option and DDL without escaping. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function checkSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema)) throw new TypeError('options.schema: lowercase letters, digits and _, not starting with a digit, at most 63');
}

/** The URL without its password, for error messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

export function createPool(url: string, schema: string | undefined, max: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    // search_path as a startup option: set by the server before the connection is handed out, on every pooled
    // connection, with no extra round trip and no window where a query could run in the wrong schema.
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle connection that dies (server restart) emits 'error' on the pool; without a listener that would crash
  // the process. The pool drops the connection, and the next query opens a new one or fails with its own error.
  pool.on('error', () => {});
  return pool;
}

/**
 * Run fn in a transaction at READ COMMITTED, stated explicitly so that a server default of REPEATABLE READ or
 * SERIALIZABLE cannot change the behaviour: the ledger's writes are INSERT ... ON CONFLICT DO NOTHING, which waits
 * for a concurrent insert of the same key to commit or roll back, and the re-read that follows a conflict is a new
 * statement, so at READ COMMITTED it sees the row that won. (At REPEATABLE READ the re-read would use the
 * transaction's first snapshot, and PostgreSQL raises a serialization failure instead.)
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A connection whose ROLLBACK fails is in an unknown state: destroy it rather than return it to the pool.
    await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
}
