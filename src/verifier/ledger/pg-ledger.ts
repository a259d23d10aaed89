// The shared ledger: PostgreSQL by URL, through a pg Pool, optionally in its own schema.
// Several verifier processes may write to it at once. Every rule of ledger.ts is decided by a unique constraint
// inside a READ COMMITTED transaction (see inTransaction in pg-pool.ts for why that level):
//   - a message's verdict: INSERT ... ON CONFLICT DO NOTHING on verdicts(message_hash). The loser of a race waits
//     for the winner's commit, inserts nothing, and re-reads the winner's verdict: 'duplicate'.
//   - a (device, seq): the reading's INSERT ... ON CONFLICT DO NOTHING on readings(device_id, seq), in the same
//     transaction as its verdict. The loser re-reads who holds the seq and turns its own, still uncommitted,
//     verdict into a 'replay' rejection before committing. Locks are taken in the same order (verdict, then
//     reading) by every writer, and a writer waits only at the reading, so two writers cannot deadlock.
// recordVerdict is group-committed: the verdicts in flight together go in one statement (pg-record.ts), which
// decides the same rules from its snapshot and falls back to the transaction above for an item it cannot decide.
// Hot statements are named, so each pooled connection parses and plans them once.
import type pg from 'pg';
import { FieldproofError } from '../../core/errors.js';
import type { Ledger, OwnershipTransferV1, RecordResult, VerdictQuery } from './ledger.js';
import { checkSchemaName, createPool, inTransaction, redactUrl } from './pg-pool.js';
import { recordBatch } from './pg-record.js';
import { SQL, SHARE_COLUMNS, toPostgres, verdictListQuery, type QueryName } from './queries.js';
import { RecordBatcher } from './record-batch.js';
import {
  countsFromRows, deviceFromRow, deviceParams, readingFromRow, readingParams, settlementFromRow, settlementParams,
  settlementSummaryFromRow, shareFromRow, shareParams, transferFromRow, transferParams, verdictFromRow, verdictParams,
  type Row,
} from './rows.js';
import { checkSchemaVersion, META_DDL, migrationStatements, READ_VERSION, schemaStatements, WRITE_VERSION } from './schema.js';
import {
  checkLimit, checkRecord, checkRevision, checkSettlement, checkTransferFrom, notRevisable, replayOf, unknownDevice,
  type Revision,
} from './write-rules.js';
import type { AcceptedReadingV1, DeviceRecordV1, DeviceStatus, RewardShareV1, SettlementV1, VerdictV1 } from '../types.js';
import type { DeviceActivity, OwnerReadings, SeriesPoint } from './ledger.js';
import {
  activityFromRow, checkOwnerTally, checkSeriesRange, checkSince, FLEET_SQL, ownerReadingsFromRow, SERIES_SQL, seriesPointFromRow,
} from './fleet-queries.js';

const PG_SQL = Object.fromEntries(Object.entries(SQL).map(([name, sql]) => [name, toPostgres(sql)])) as Record<QueryName, string>;
// All shares of a settlement in one statement (arrays unnested), however many devices there are.
const INSERT_SHARES = `INSERT INTO shares (${SHARE_COLUMNS.join(', ')})
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::float8[], $5::text[], $6::text[])`;
const DEVICE_FOR_UPDATE = 'SELECT * FROM devices WHERE device_id = $1 FOR UPDATE';

type Queryable = pg.Pool | pg.PoolClient;

function run(db: Queryable, name: QueryName, values: unknown[]): Promise<pg.QueryResult<Row>> {
  return db.query<Row>({ name: `fp_${name}`, text: PG_SQL[name], values });
}

export interface PgLedgerOptions {
  /** Work in this schema (created if absent) instead of the URL's default search_path. */
  schema?: string;
  /** Pool size (default 10). */
  max?: number;
}

export class PgLedger implements Ledger {
  readonly url: string;
  readonly schema: string | undefined;
  readonly #max: number;
  #pool: pg.Pool | undefined;
  // Group commit (record-batch.ts, pg-record.ts): up to two batches in flight on separate connections.
  readonly #records = new RecordBatcher(
    (items) =>
      recordBatch(this.#db, items, (item) => this.#recordInTransaction(item.verdict, item.reading), async (hash) => (await run(this.#db, 'getVerdict', [hash])).rows[0]),
    { maxFlushes: 2 },
  );

  constructor(url: string, options: PgLedgerOptions = {}) {
    if (typeof url !== 'string' || !/^postgres(ql)?:\/\//.test(url)) throw new TypeError('url: a postgresql:// URL');
    if (options.schema !== undefined) checkSchemaName(options.schema);
    this.url = url;
    this.schema = options.schema;
    this.#max = options.max ?? 10;
  }

  get #store(): string {
    return `the PostgreSQL ledger ${redactUrl(this.url)}${this.schema ? ` (schema ${this.schema})` : ''}`;
  }

  async open(): Promise<void> {
    if (this.#pool) return;
    const pool = createPool(this.url, this.schema, this.#max);
    try {
      try {
        (await pool.connect()).release();
      } catch (error) {
        throw new FieldproofError('FP_E_LEDGER_UNAVAILABLE', `cannot connect to ${this.#store}: ${(error as Error).message}`, { cause: error });
      }
      await inTransaction(pool, (client) => migrate(client, this.schema, this.#store));
    } catch (error) {
      await pool.end();
      throw error;
    }
    this.#pool = pool;
  }

  async close(): Promise<void> {
    if (this.#pool) await this.#records.drained(); // verdicts already handed over are stored, not dropped
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.end();
  }

  get #db(): pg.Pool {
    if (!this.#pool) throw new Error(`${this.#store} is not open`);
    return this.#pool;
  }

  #tx<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.#db, fn);
  }

  // --- devices
  async putDevice(device: DeviceRecordV1): Promise<'created' | 'exists'> {
    return (await run(this.#db, 'insertDevice', deviceParams(device))).rowCount === 1 ? 'created' : 'exists';
  }

  async getDevice(deviceId: string): Promise<DeviceRecordV1 | undefined> {
    const row = (await run(this.#db, 'getDevice', [deviceId])).rows[0];
    return row ? deviceFromRow(row) : undefined;
  }

  async listDevices(): Promise<DeviceRecordV1[]> {
    return (await run(this.#db, 'listDevices', [])).rows.map(deviceFromRow);
  }

  async setDeviceStatus(deviceId: string, status: DeviceStatus): Promise<void> {
    if (status !== 'active' && status !== 'suspended') throw new TypeError("status: 'active' or 'suspended'");
    if ((await run(this.#db, 'setDeviceStatus', [status, deviceId])).rowCount === 0) throw unknownDevice(deviceId);
  }

  async transferDevice(transfer: OwnershipTransferV1): Promise<void> {
    await this.#tx(async (client) => {
      // FOR UPDATE serializes transfers of one device; the second one then reads the owner the first one set.
      const row = (await client.query<Row>(DEVICE_FOR_UPDATE, [transfer.deviceId])).rows[0];
      if (!row) throw unknownDevice(transfer.deviceId);
      checkTransferFrom(transfer, deviceFromRow(row).owner);
      await run(client, 'insertTransfer', transferParams(transfer));
      await run(client, 'setDeviceOwner', [transfer.to, transfer.deviceId]);
    });
  }

  async listTransfers(deviceId: string): Promise<OwnershipTransferV1[]> {
    return (await run(this.#db, 'listTransfers', [deviceId])).rows.map(transferFromRow);
  }

  // --- nonces
  async putNonce(nonce: string, expiresAt: number): Promise<void> {
    await run(this.#db, 'insertNonce', [nonce, expiresAt]);
  }

  async takeNonce(nonce: string, now: number): Promise<boolean> {
    // One DELETE is the check and the consumption: of two racing takers, the second finds the row gone.
    const taken = (await run(this.#db, 'takeNonce', [nonce, now])).rowCount === 1;
    await run(this.#db, 'sweepNonces', [now]);
    return taken;
  }

  // --- verdicts and readings
  async recordVerdict(verdict: VerdictV1, reading?: AcceptedReadingV1): Promise<RecordResult> {
    checkRecord(verdict, reading);
    if (!this.#pool) throw new Error(`${this.#store} is not open`);
    return this.#records.add(verdict, reading);
  }

  /** One verdict in its own transaction: the path a batch's items take when its statement fails (pg-record.ts). */
  #recordInTransaction(verdict: VerdictV1, reading: AcceptedReadingV1 | undefined): Promise<RecordResult> {
    return this.#tx(async (client): Promise<RecordResult> => {
      if ((await run(client, 'insertVerdict', verdictParams(verdict))).rowCount === 0) {
        const first = (await run(client, 'getVerdict', [verdict.messageHash])).rows[0];
        if (!first) throw new Error(`ledger invariant broken: verdict ${verdict.messageHash} conflicts but cannot be read`);
        return { stored: 'duplicate', verdict: verdictFromRow(first) };
      }
      if (reading && (await run(client, 'insertReading', readingParams(reading))).rowCount === 0) {
        const holder = (await run(client, 'readingHolder', [reading.deviceId, reading.seq])).rows[0];
        if (!holder) throw new Error(`ledger invariant broken: reading ${reading.messageHash} conflicts but (device, seq) is free`);
        const replay = replayOf(verdict, holder.message_hash as string);
        await run(client, 'markReplay', [replay.detail, verdict.messageHash]);
        return { stored: 'new', verdict: replay };
      }
      return { stored: 'new', verdict: { ...verdict } };
    });
  }

  async getVerdict(messageHash: string): Promise<VerdictV1 | undefined> {
    const row = (await run(this.#db, 'getVerdict', [messageHash])).rows[0];
    return row ? verdictFromRow(row) : undefined;
  }

  async listVerdicts(query: VerdictQuery): Promise<VerdictV1[]> {
    checkLimit(query.limit, 'query.limit');
    const { key, sql, params } = verdictListQuery(query);
    const result = await this.#db.query<Row>({ name: `fp_${key}`, text: toPostgres(sql), values: params });
    return result.rows.map(verdictFromRow);
  }

  async countVerdictsByReason(): Promise<Record<string, number>> {
    return countsFromRows((await run(this.#db, 'countVerdictsByReason', [])).rows);
  }

  async recentReadings(deviceId: string, beforeTime: number, limit: number): Promise<AcceptedReadingV1[]> {
    checkLimit(limit);
    return (await run(this.#db, 'recentReadings', [deviceId, beforeTime, limit])).rows.map(readingFromRow);
  }

  async readingsBetween(fromTime: number, toTime: number): Promise<AcceptedReadingV1[]> {
    return (await run(this.#db, 'readingsBetween', [fromTime, toTime])).rows.map(readingFromRow);
  }

  async readingsOfEpoch(epoch: number): Promise<AcceptedReadingV1[]> {
    return (await run(this.#db, 'readingsOfEpoch', [epoch])).rows.map(readingFromRow);
  }

  async reviseVerdict(messageHash: string, change: Revision): Promise<void> {
    checkRevision(messageHash, change);
    await this.#tx(async (client) => {
      if ((await run(client, 'readingOf', [messageHash])).rowCount === 0) throw notRevisable(messageHash);
      await run(client, 'reviseVerdict', [change.status, change.reason, change.detail, change.quality, messageHash]);
    });
  }

  // --- epochs
  async putSettlement(settlement: SettlementV1, shares: RewardShareV1[]): Promise<'created' | 'exists'> {
    checkSettlement(settlement, shares);
    return this.#tx(async (client) => {
      // A second closer of the same epoch waits here for the first to commit, then inserts nothing.
      if ((await run(client, 'insertSettlement', settlementParams(settlement))).rowCount === 0) return 'exists';
      const rows = shares.map(shareParams);
      const columns = SHARE_COLUMNS.map((_, i) => rows.map((row) => row[i]));
      if (shares.length > 0) await client.query(INSERT_SHARES, columns);
      return 'created';
    });
  }

  async getSettlement(epoch: number): Promise<SettlementV1 | undefined> {
    const row = (await run(this.#db, 'getSettlement', [epoch])).rows[0];
    return row ? settlementFromRow(row) : undefined;
  }

  async getShares(epoch: number): Promise<RewardShareV1[]> {
    return (await run(this.#db, 'getShares', [epoch])).rows.map(shareFromRow);
  }

  async listSettlements(): Promise<{ epoch: number; root: string; total: string; closedAt: number }[]> {
    return (await run(this.#db, 'listSettlements', [])).rows.map(settlementSummaryFromRow);
  }

  // --- fleet overview
  async deviceActivity(since: number): Promise<DeviceActivity[]> {
    checkSince(since);
    const result = await this.#db.query<Row>({ name: 'fp_fleet_deviceActivity', text: toPostgres(FLEET_SQL.deviceActivity), values: [since] });
    return result.rows.map(activityFromRow);
  }

  async readingSeries(fromTime: number, toTime: number, bucketSeconds: number): Promise<SeriesPoint[]> {
    checkSeriesRange(fromTime, toTime, bucketSeconds);
    const result = await this.#db.query<Row>({ name: 'fp_fleet_readingSeries', text: SERIES_SQL.postgres, values: [bucketSeconds, fromTime, toTime] });
    return result.rows.map(seriesPointFromRow);
  }

  async acceptedByOwner(epoch: number, receivedFrom: number, receivedTo: number): Promise<OwnerReadings[]> {
    checkOwnerTally(epoch, receivedFrom, receivedTo);
    const result = await this.#db.query<Row>({ name: 'fp_fleet_acceptedByOwner', text: toPostgres(FLEET_SQL.acceptedByOwner), values: [receivedFrom, receivedTo, epoch] });
    return result.rows.map(ownerReadingsFromRow);
  }
}

/**
 * Create the schema and tables if absent, after refusing a store written by a newer schema and migrating one
 * written by an older one. One transaction, under an advisory lock, so two verifiers starting together do not race
 * on CREATE TABLE IF NOT EXISTS (which is not safe against itself in PostgreSQL) or on a migration.
 */
async function migrate(client: pg.PoolClient, schema: string | undefined, store: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`fieldproof-ledger:${schema ?? '(default)'}`]);
  if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await client.query(META_DDL);
  const stored = (await client.query<{ value: string }>(READ_VERSION)).rows[0]?.value;
  const version = checkSchemaVersion(stored, store);
  for (const statement of migrationStatements('postgres', version)) await client.query(statement);
  for (const statement of schemaStatements('postgres')) await client.query(statement);
  await client.query(WRITE_VERSION);
}
