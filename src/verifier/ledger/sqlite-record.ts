// recordVerdict on SQLite for a batch of verdicts (group commit, record-batch.ts), on one better-sqlite3
// connection. The same code runs in the ledger's own connection (':memory:', or a file with the writer thread
// off) and in the writer thread (sqlite-writer-worker.ts), so both judge duplicates and replays alike.
import type Database from 'better-sqlite3';
import type { RecordResult } from './ledger.js';
import type { RecordItem, RecordOutcome } from './record-batch.js';
import { readingParams, verdictFromRow, verdictParams, type Row } from './rows.js';
import { replayOf } from './write-rules.js';
import type { AcceptedReadingV1, VerdictV1 } from '../types.js';

type Statement = Database.Statement<unknown[], Row>;

/** The statements recording needs (named as in queries.ts SQL). */
export interface RecordStatements {
  insertVerdict: Statement;
  getVerdict: Statement;
  insertReading: Statement;
  readingHolder: Statement;
  markReplay: Statement;
}

/** Runs a thunk in one BEGIN IMMEDIATE transaction (better-sqlite3 commits, or rolls back on a throw). */
export type InTransaction = <T>(fn: () => T) => T;

/**
 * The calls in flight together, in one transaction, in call order, so a later item sees what an earlier one wrote
 * (a duplicate or a replay inside one batch is judged as if sequential). If an item fails, the transaction rolls
 * back and nothing of the batch is stored; then each item is stored again in its own transaction, so the bad one
 * fails alone. If BEGIN or COMMIT fails, every item fails with it.
 */
export function recordBatch(run: InTransaction, stmt: RecordStatements, items: readonly RecordItem[]): RecordOutcome[] {
  let failedItem = false;
  let results: RecordResult[];
  try {
    results = run(() =>
      items.map((item) => {
        try {
          return recordOne(stmt, item.verdict, item.reading);
        } catch (error) {
          failedItem = true;
          throw error;
        }
      }),
    );
  } catch (error) {
    if (!failedItem || items.length === 1) return items.map(() => ({ ok: false, error }));
    return items.map((item) => {
      try {
        return { ok: true, result: run(() => recordOne(stmt, item.verdict, item.reading)) };
      } catch (itemError) {
        return { ok: false, error: itemError };
      }
    });
  }
  return results.map((result) => ({ ok: true, result }));
}

/** One verdict, inside the caller's transaction. */
function recordOne(stmt: RecordStatements, verdict: VerdictV1, reading: AcceptedReadingV1 | undefined): RecordResult {
  // The verdict's primary key decides "first for this message"; the reading's primary key decides "first for
  // this (device, seq)". Same order as PgLedger, so both stores give the same answers.
  if (stmt.insertVerdict.run(...verdictParams(verdict)).changes === 0) {
    return { stored: 'duplicate', verdict: verdictFromRow(stmt.getVerdict.get(verdict.messageHash)!) };
  }
  if (reading && stmt.insertReading.run(...readingParams(reading)).changes === 0) {
    const holder = stmt.readingHolder.get(reading.deviceId, reading.seq);
    if (!holder) throw new Error(`ledger invariant broken: reading ${reading.messageHash} conflicts but (device, seq) is free`);
    const replay = replayOf(verdict, holder.message_hash as string);
    stmt.markReplay.run(replay.detail, verdict.messageHash);
    return { stored: 'new', verdict: replay };
  }
  return { stored: 'new', verdict: { ...verdict } };
}
