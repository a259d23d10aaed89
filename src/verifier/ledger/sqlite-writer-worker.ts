// The SQLite ledger's writer thread (sqlite-writer.ts): its own connection to the ledger file, recording the
// verdict batches the main thread hands over (recordBatch of sqlite-record.ts, exactly as in-process) while the
// main thread goes on decoding and verifying. One batch at a time, in the order they arrive.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { SQL } from './queries.js';
import { recordBatch, type RecordStatements } from './sqlite-record.js';
import { applyConnectionPragmas } from './sqlite-pragmas.js';
import { WRITER_AUTOCHECKPOINT_FRAMES, type WriterReply, type WriterRequest, type WriterStart } from './sqlite-writer.js';

const port = parentPort!;
const { path, busyTimeoutMs } = workerData as WriterStart;
let db: Database.Database | undefined;
let reply: WriterReply;
try {
  db = new Database(path, { fileMustExist: true }); // the main connection created and migrated it
  applyConnectionPragmas(db, busyTimeoutMs);
  db.pragma(`wal_autocheckpoint = ${WRITER_AUTOCHECKPOINT_FRAMES}`); // the checkpointer thread does it; a backstop
  reply = { kind: 'ready' };
} catch (error) {
  db?.close();
  db = undefined;
  reply = { kind: 'failed', error: wireError(error) };
}
port.postMessage(reply);

if (db) {
  const open = db;
  const stmt: RecordStatements = {
    insertVerdict: open.prepare(SQL.insertVerdict),
    getVerdict: open.prepare(SQL.getVerdict),
    insertReading: open.prepare(SQL.insertReading),
    readingHolder: open.prepare(SQL.readingHolder),
    markReplay: open.prepare(SQL.markReplay),
  };
  const tx = open.transaction((fn: () => unknown) => fn());
  const run = <T>(fn: () => T): T => tx.immediate(fn) as T;
  port.on('message', (request: WriterRequest) => {
    if (request.kind === 'close') {
      open.close();
      port.postMessage({ kind: 'closed' } satisfies WriterReply);
      port.close();
      return;
    }
    const outcomes = recordBatch(run, stmt, request.items);
    port.postMessage({
      kind: 'recorded',
      id: request.id,
      // A verdict stored as handed over is not sent back (the main thread has it): only what the ledger decided
      // otherwise (a duplicate's stored verdict, a replay) crosses the thread boundary.
      outcomes: outcomes.map((o, i) => {
        if (!o.ok) return { ok: false, error: wireError(o.error) };
        const given = request.items[i]!.verdict;
        const same = o.result.stored === 'new' && o.result.verdict.reason === given.reason && o.result.verdict.detail === given.detail;
        return same ? { ok: true, stored: 'new' } : { ok: true, stored: o.result.stored, verdict: o.result.verdict };
      }),
    } satisfies WriterReply);
  });
}

function wireError(error: unknown): { name: string; message: string; code?: string } {
  const e = error instanceof Error ? error : new Error(String(error));
  const code = (e as { code?: unknown }).code;
  return { name: e.name, message: e.message, ...(typeof code === 'string' ? { code } : {}) };
}
