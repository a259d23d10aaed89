// The embedded ledger: one SQLite file (or ':memory:') through better-sqlite3.
// better-sqlite3 is synchronous; the async methods only wrap it to fit the Ledger interface (a call blocks the
// event loop for the few microseconds a statement takes, which is cheaper than a thread hop).
//
// Pragmas, set on every open:
//   journal_mode=WAL   readers (HTTP queries) never block the writer (ingest), and a commit is an append.
//   synchronous=NORMAL in WAL mode this fsyncs at checkpoints instead of at every commit: the database can never be
//                      corrupted, but a power loss (not a process crash) may roll back the last few commits. For
//                      verdicts the worst case is then a message judged again (if the broker redelivers it) or a
//                      reading left uncredited; never a double credit. With FULL, every verdict would pay an fsync,
//                      which caps ingest at the disk's flush rate. Writes other parties act on at once (devices,
//                      transfers, settlements: an owner is told, a root is published) switch to FULL for their
//                      commit (see #durable); that fsync of the WAL also makes every earlier commit durable, so a
//                      stored settlement never outlives the readings it was computed from.
//   wal_autocheckpoint with the writer thread (files, by default) checkpoints run on a checkpointer thread of their own
//                      (sqlite-checkpoint-worker.ts): off on this connection, a high backstop on the writer's.
//                      Without it (':memory:', or writerThread: false) the default, 1000 pages: the checkpoint then
//                      runs inside the committing call, on the event loop.
//   busy_timeout       a second process (or the writer thread) on the same file waits for the write lock instead
//                      of failing at once.
// Transactions are BEGIN IMMEDIATE: the write lock is taken up front, so two processes never both read and then
// deadlock upgrading to write; within one process calls are serialized anyway.
// recordVerdict is group-committed (record-batch.ts): the verdicts in flight together share one transaction, so
// the per-commit cost (WAL frames of the pages every insert touches, and the checkpoints they lead to) is paid
// once per batch. A caller's promise resolves after its batch has committed.
// On a file, the batches are recorded on a writer thread with its own connection (sqlite-writer.ts), so the insert
// runs on another core while the event loop decodes and verifies the next readings.
import Database from 'better-sqlite3';
import { FieldproofError } from '../../core/errors.js';
import type { Ledger, OwnershipTransferV1, RecordResult, VerdictQuery } from './ledger.js';
import { SQL, verdictListQuery, type QueryName } from './queries.js';
import { RecordBatcher, type RecordItem, type RecordOutcome } from './record-batch.js';
import { applyConnectionPragmas } from './sqlite-pragmas.js';
import { recordBatch } from './sqlite-record.js';
import { SqliteWriter } from './sqlite-writer.js';
import {
  countsFromRows, deviceFromRow, deviceParams, readingFromRow, settlementFromRow, settlementParams,
  settlementSummaryFromRow, shareFromRow, shareParams, transferFromRow, transferParams, verdictFromRow,
  type Row,
} from './rows.js';
import { checkSchemaVersion, META_DDL, migrationStatements, READ_VERSION, schemaStatements, WRITE_VERSION } from './schema.js';
import {
  checkLimit, checkRecord, checkRevision, checkSettlement, checkTransferFrom, notRevisable, unknownDevice,
  type Revision,
} from './write-rules.js';
import type { AcceptedReadingV1, DeviceRecordV1, DeviceStatus, RewardShareV1, SettlementV1, VerdictV1 } from '../types.js';
import type { DeviceActivity, OwnerReadings, SeriesPoint } from './ledger.js';
import {
  activityFromRow, checkOwnerTally, checkSeriesRange, checkSince, FLEET_SQL, ownerReadingsFromRow, SERIES_SQL, seriesPointFromRow,
} from './fleet-queries.js';

type Statement = Database.Statement<unknown[], Row>;

export interface SqliteLedgerOptions {
  /** How long a write waits for another process holding the file (ms, default 5000). */
  busyTimeoutMs?: number;
  /**
   * Record verdicts on a writer thread with its own connection (sqlite-writer.ts), so the insert runs beside the
   * ingest instead of in it. Default: on for a file, off for ':memory:' (a second connection cannot see it).
   */
  writerThread?: boolean;
}

export class SqliteLedger implements Ledger {
  readonly path: string;
  readonly #busyTimeoutMs: number;
  #db: Database.Database | undefined;
  #statements: Record<QueryName, Statement> | undefined;
  #lists = new Map<string, Statement>();
  /** One cached transaction wrapper that runs a thunk: better-sqlite3 handles BEGIN/COMMIT/ROLLBACK. */
  #tx: Database.Transaction<(fn: () => unknown) => unknown> | undefined;
  readonly #useWriter: boolean;
  #writer: SqliteWriter | undefined;
  // With the writer thread, two batches may be in flight: the thread starts the next as soon as one commits.
  readonly #records: RecordBatcher;

  constructor(path: string, options: SqliteLedgerOptions = {}) {
    if (typeof path !== 'string' || path === '') throw new TypeError("path: a file path or ':memory:'");
    this.path = path;
    this.#busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    this.#useWriter = options.writerThread ?? (path !== ':memory:' && !path.startsWith('file::memory:'));
    if (this.#useWriter && path === ':memory:') throw new RangeError("options.writerThread: not possible for ':memory:'");
    this.#records = new RecordBatcher((items) => this.#recordBatch(items), { maxFlushes: this.#useWriter ? 2 : 1 });
  }

  async open(): Promise<void> {
    if (this.#db) return;
    let db: Database.Database | undefined;
    try {
      db = new Database(this.path);
      db.pragma('journal_mode = WAL');
      applyConnectionPragmas(db, this.#busyTimeoutMs);
    } catch (error) {
      db?.close();
      throw new FieldproofError('FP_E_LEDGER_UNAVAILABLE', `cannot open the SQLite ledger ${this.path}: ${(error as Error).message}`, { cause: error });
    }
    try {
      migrate(db, this.path);
      const statements = {} as Record<QueryName, Statement>;
      for (const [name, sql] of Object.entries(SQL)) statements[name as QueryName] = db.prepare(sql);
      this.#statements = statements;
      this.#tx = db.transaction((fn: () => unknown) => fn());
      if (this.#useWriter) {
        // The checkpointer thread checkpoints; a commit here (a registration, a revision) must not run one on
        // the event loop, fsyncs included.
        db.pragma('wal_autocheckpoint = 0');
        this.#writer = await SqliteWriter.start({ path: this.path, busyTimeoutMs: this.#busyTimeoutMs });
      }
    } catch (error) {
      db.close();
      throw error;
    }
    this.#db = db;
  }

  async close(): Promise<void> {
    if (this.#db) await this.#records.drained(); // verdicts already handed over are stored, not dropped
    await this.#writer?.close();
    this.#writer = undefined;
    this.#db?.close();
    this.#db = undefined;
    this.#statements = undefined;
    this.#tx = undefined;
    this.#lists.clear();
  }

  get #open(): Database.Database {
    if (!this.#db) throw new Error(`the SQLite ledger ${this.path} is not open`);
    return this.#db;
  }

  /** The prepared statements, made once per open. */
  get #stmt(): Record<QueryName, Statement> {
    if (!this.#statements) throw new Error(`the SQLite ledger ${this.path} is not open`);
    return this.#statements;
  }

  #run<T>(fn: () => T): T {
    if (!this.#tx) throw new Error(`the SQLite ledger ${this.path} is not open`);
    return this.#tx.immediate(fn) as T;
  }

  /** A transaction whose commit is fsynced (synchronous=FULL), for writes others act on at once. */
  #durable<T>(fn: () => T): T {
    const db = this.#open;
    db.pragma('synchronous = FULL');
    try {
      return this.#run(fn);
    } finally {
      db.pragma('synchronous = NORMAL');
    }
  }

  // --- devices
  async putDevice(device: DeviceRecordV1): Promise<'created' | 'exists'> {
    return this.#durable(() => (this.#stmt.insertDevice.run(...deviceParams(device)).changes === 1 ? 'created' : 'exists'));
  }

  async getDevice(deviceId: string): Promise<DeviceRecordV1 | undefined> {
    const row = this.#stmt.getDevice.get(deviceId);
    return row ? deviceFromRow(row) : undefined;
  }

  async listDevices(): Promise<DeviceRecordV1[]> {
    return this.#stmt.listDevices.all().map(deviceFromRow);
  }

  async setDeviceStatus(deviceId: string, status: DeviceStatus): Promise<void> {
    if (status !== 'active' && status !== 'suspended') throw new TypeError("status: 'active' or 'suspended'");
    if (this.#durable(() => this.#stmt.setDeviceStatus.run(status, deviceId).changes) === 0) throw unknownDevice(deviceId);
  }

  async transferDevice(transfer: OwnershipTransferV1): Promise<void> {
    this.#durable(() => {
      const row = this.#stmt.getDevice.get(transfer.deviceId);
      if (!row) throw unknownDevice(transfer.deviceId);
      checkTransferFrom(transfer, deviceFromRow(row).owner);
      this.#stmt.insertTransfer.run(...transferParams(transfer));
      this.#stmt.setDeviceOwner.run(transfer.to, transfer.deviceId);
    });
  }

  async listTransfers(deviceId: string): Promise<OwnershipTransferV1[]> {
    return this.#stmt.listTransfers.all(deviceId).map(transferFromRow);
  }

  // --- nonces
  async putNonce(nonce: string, expiresAt: number): Promise<void> {
    this.#stmt.insertNonce.run(nonce, expiresAt);
  }

  async takeNonce(nonce: string, now: number): Promise<boolean> {
    // One DELETE is the check and the consumption, so a nonce cannot be taken twice.
    const taken = this.#stmt.takeNonce.run(nonce, now).changes === 1;
    this.#stmt.sweepNonces.run(now);
    return taken;
  }

  // --- verdicts and readings
  async recordVerdict(verdict: VerdictV1, reading?: AcceptedReadingV1): Promise<RecordResult> {
    checkRecord(verdict, reading);
    if (!this.#db) throw new Error(`the SQLite ledger ${this.path} is not open`);
    return this.#records.add(verdict, reading);
  }

  /** Group commit (record-batch.ts): on the writer thread, or here in one transaction (sqlite-record.ts). */
  #recordBatch(items: RecordItem[]): RecordOutcome[] | Promise<RecordOutcome[]> {
    if (this.#writer) return this.#writer.record(items);
    return recordBatch((fn) => this.#run(fn), this.#stmt, items);
  }

  async getVerdict(messageHash: string): Promise<VerdictV1 | undefined> {
    const row = this.#stmt.getVerdict.get(messageHash);
    return row ? verdictFromRow(row) : undefined;
  }

  async listVerdicts(query: VerdictQuery): Promise<VerdictV1[]> {
    checkLimit(query.limit, 'query.limit');
    const { key, sql, params } = verdictListQuery(query);
    let statement = this.#lists.get(key);
    if (!statement) this.#lists.set(key, (statement = this.#open.prepare(sql)));
    return statement.all(...params).map(verdictFromRow);
  }

  async countVerdictsByReason(): Promise<Record<string, number>> {
    return countsFromRows(this.#stmt.countVerdictsByReason.all());
  }

  async recentReadings(deviceId: string, beforeTime: number, limit: number): Promise<AcceptedReadingV1[]> {
    checkLimit(limit);
    return this.#stmt.recentReadings.all(deviceId, beforeTime, limit).map(readingFromRow);
  }

  async readingsBetween(fromTime: number, toTime: number): Promise<AcceptedReadingV1[]> {
    return this.#stmt.readingsBetween.all(fromTime, toTime).map(readingFromRow);
  }

  async readingsOfEpoch(epoch: number): Promise<AcceptedReadingV1[]> {
    return this.#stmt.readingsOfEpoch.all(epoch).map(readingFromRow);
  }

  async reviseVerdict(messageHash: string, change: Revision): Promise<void> {
    checkRevision(messageHash, change);
    this.#run(() => {
      if (!this.#stmt.readingOf.get(messageHash)) throw notRevisable(messageHash);
      this.#stmt.reviseVerdict.run(change.status, change.reason, change.detail, change.quality, messageHash);
    });
  }

  // --- epochs
  async putSettlement(settlement: SettlementV1, shares: RewardShareV1[]): Promise<'created' | 'exists'> {
    checkSettlement(settlement, shares);
    return this.#durable(() => {
      if (this.#stmt.insertSettlement.run(...settlementParams(settlement)).changes === 0) return 'exists';
      for (const share of shares) this.#stmt.insertShare.run(...shareParams(share));
      return 'created';
    });
  }

  async getSettlement(epoch: number): Promise<SettlementV1 | undefined> {
    const row = this.#stmt.getSettlement.get(epoch);
    return row ? settlementFromRow(row) : undefined;
  }

  async getShares(epoch: number): Promise<RewardShareV1[]> {
    return this.#stmt.getShares.all(epoch).map(shareFromRow);
  }

  async listSettlements(): Promise<{ epoch: number; root: string; total: string; closedAt: number }[]> {
    return this.#stmt.listSettlements.all().map(settlementSummaryFromRow);
  }

  // --- fleet overview
  /** A fleet-overview statement, prepared on first use (they are not on the ingest path). */
  #fleet(key: 'deviceActivity' | 'acceptedByOwner' | 'readingSeries'): Statement {
    let statement = this.#lists.get(`fleet:${key}`);
    if (!statement) this.#lists.set(`fleet:${key}`, (statement = this.#open.prepare(key === 'readingSeries' ? SERIES_SQL.sqlite : FLEET_SQL[key])));
    return statement;
  }

  async deviceActivity(since: number): Promise<DeviceActivity[]> {
    checkSince(since);
    return this.#fleet('deviceActivity').all(since).map(activityFromRow);
  }

  async readingSeries(fromTime: number, toTime: number, bucketSeconds: number): Promise<SeriesPoint[]> {
    checkSeriesRange(fromTime, toTime, bucketSeconds);
    return this.#fleet('readingSeries').all({ bucket: bucketSeconds, from: fromTime, to: toTime }).map(seriesPointFromRow);
  }

  async acceptedByOwner(epoch: number, receivedFrom: number, receivedTo: number): Promise<OwnerReadings[]> {
    checkOwnerTally(epoch, receivedFrom, receivedTo);
    return this.#fleet('acceptedByOwner').all(receivedFrom, receivedTo, epoch).map(ownerReadingsFromRow);
  }
}

/** Create the tables if absent, after refusing a store written by a newer schema and migrating an older one; one transaction. */
function migrate(db: Database.Database, path: string): void {
  db.transaction(() => {
    db.exec(META_DDL);
    const stored = db.prepare(READ_VERSION).get() as { value: string } | undefined;
    const version = checkSchemaVersion(stored?.value, `the SQLite ledger ${path}`);
    for (const statement of migrationStatements('sqlite', version)) db.exec(statement);
    for (const statement of schemaStatements('sqlite')) db.exec(statement);
    db.exec(WRITE_VERSION);
  }).immediate();
}
