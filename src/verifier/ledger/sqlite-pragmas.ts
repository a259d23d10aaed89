// The per-connection settings of every connection to a ledger file: the ledger's own and its writer thread's.
// Why each one: see the head of sqlite-ledger.ts. journal_mode=WAL is a property of the file, set once by the
// ledger's own connection when it opens the file.
import type Database from 'better-sqlite3';

export function applyConnectionPragmas(db: Database.Database, busyTimeoutMs: number): void {
  db.pragma('synchronous = NORMAL');
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
}
