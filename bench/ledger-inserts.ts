// Ledger insert rate: recordVerdict of new accepted readings (120-byte messages) into a ledger that already holds
// `preload` accepted readings, SQLite (file, WAL, synchronous=NORMAL) and PostgreSQL when reachable.
// The preload is written with plain SQL, not recordVerdict (same tables, same indexes, one verdict and one reading
// per message): through the ledger 2,000,000 readings would take minutes and measure nothing new. Both preloads
// are generated inside the database (SQLite: a recursive CTE with the journal off; PostgreSQL: generate_series).
// The measured inserts then go through the real ledger classes with their real settings.
// `node dist/bench/ledger-inserts.js [preload] [measure]` prints the figures.
import Database from 'better-sqlite3';
import pg from 'pg';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Ledger } from '../src/verifier/ledger/ledger.js';
import { PgLedger } from '../src/verifier/ledger/pg-ledger.js';
import { SqliteLedger } from '../src/verifier/ledger/sqlite-ledger.js';
import type { AcceptedReadingV1, VerdictV1 } from '../src/verifier/types.js';
import { POSTGRES, reachable } from '../test/helpers/services.js';

const DEVICES = 1000;
const T0 = 1_798_761_600;
const EPOCH_S = 86_400;
const deviceId = (n: number) => (0xfe00_0000 + n).toString(16).padStart(16, '0');
/** Reading i of the stream: round-robin over the devices, one reading a minute each. */
const slot = (i: number) => ({ device: deviceId(i % DEVICES), seq: Math.floor(i / DEVICES) + 1, time: T0 + Math.floor(i / DEVICES) * 60 });

function accepted(i: number): { verdict: VerdictV1; reading: AcceptedReadingV1 } {
  const { device, seq, time } = slot(i);
  const message = randomBytes(120);
  message[0] = 0xd2;
  const messageHash = createHash('sha256').update(message).digest('hex');
  const receivedAt = time * 1000 + 300;
  const epoch = Math.floor(time / EPOCH_S);
  return {
    verdict: { v: 1, messageHash, deviceId: device, seq, readingTime: time, receivedAt, status: 'accepted', reason: 'ok', detail: 'accepted; neighbour review pending for its time bucket', quality: 1, epoch },
    reading: {
      deviceId: device, seq, time, receivedAt, epoch, backfilled: false, maintenance: false, quality: 1, messageHash, message,
      measurements: [{ quantity: 'temperature', value: 21.37 }, { quantity: 'humidity', value: 45.51 }, { quantity: 'pressure', value: 101325 }, { quantity: 'pm2_5', value: 12.3 }],
    },
  };
}

const MEASUREMENTS = JSON.stringify(accepted(0).reading.measurements);

async function measureInserts(ledger: Ledger, from: number, count: number, inFlight: number) {
  const items = Array.from({ length: count }, (_, k) => accepted(from + k)); // built before the clock starts
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      const t = performance.now();
      const result = await ledger.recordVerdict(item.verdict, item.reading);
      latencies.push(performance.now() - t);
      if (result.stored !== 'new' || result.verdict.status !== 'accepted') throw new Error(`bench: reading ${item.verdict.messageHash} was not accepted`);
    }
  };
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => +latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(3);
  // CPU of this process (user + system) per insert: on SQLite the whole cost but for the disk; on PostgreSQL the
  // client's share only.
  const cpuUs = +((used.user + used.system) / count).toFixed(1);
  return { inserts: count, in_flight: inFlight, seconds: +seconds.toFixed(2), inserts_per_s: Math.round(count / seconds), cpu_us_per_insert: cpuUs, latency_ms: { p50: at(0.5), p99: at(0.99), p999: at(0.999), max: at(1) } };
}

async function benchSqlite(preload: number, measure: number) {
  const dir = mkdtempSync(join(tmpdir(), 'fp-bench-ledger-'));
  const path = join(dir, 'ledger.sqlite');
  try {
    const created = new SqliteLedger(path);
    await created.open(); // creates the schema
    await created.close();
    const start = performance.now();
    const db = new Database(path);
    // Preload only: no journal, no fsync, a big page cache; the file is back in WAL mode before measuring.
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -1048576');
    // Generated in SQL (as for PostgreSQL): random 32-byte hashes stand in for SHA-256 (same distribution in the
    // indexes), readings copy their verdict's hash, device, seq and times.
    const verdicts = db.prepare(`WITH RECURSIVE g(i) AS (SELECT CAST(? AS INTEGER) UNION ALL SELECT i + 1 FROM g WHERE i + 1 < ?)
      INSERT INTO verdicts SELECT lower(hex(randomblob(32))), printf('%016x', ${0xfe00_0000} + i % ${DEVICES}), i / ${DEVICES} + 1,
        ${T0} + (i / ${DEVICES}) * 60, (${T0} + (i / ${DEVICES}) * 60) * 1000 + 300, 'accepted', 'ok', 'accepted', 1.0,
        (${T0} + (i / ${DEVICES}) * 60) / ${EPOCH_S} FROM g`);
    const readings = db.prepare(`INSERT INTO readings (device_id, seq, message_hash, time, received_at, epoch, measurements, backfilled, maintenance, quality, message)
      SELECT device_id, seq, message_hash, reading_time, received_at, epoch, ?, 0, 0, 1.0, randomblob(120) FROM verdicts WHERE rowid > ?`);
    const batch = db.transaction((from: number, to: number) => {
      const before = (db.prepare('SELECT COALESCE(MAX(rowid), 0) AS n FROM verdicts').get() as { n: number }).n;
      verdicts.run(from, to);
      readings.run(MEASUREMENTS, before);
    });
    for (let i = 0; i < preload; i += 250_000) batch(i, Math.min(preload, i + 250_000));
    db.pragma('journal_mode = WAL');
    db.close();
    const preloadSeconds = (performance.now() - start) / 1000;

    const ledger = new SqliteLedger(path);
    await ledger.open();
    const sequential = await measureInserts(ledger, preload, measure, 1);
    // group commit: the verdicts in flight together share a transaction
    const concurrent = await measureInserts(ledger, preload + measure, measure, 16);
    await ledger.close();
    return {
      preload: { readings: preload, seconds: +preloadSeconds.toFixed(1), method: 'generated in SQL (recursive CTE, random hashes), 250,000 rows per transaction, journal off, synchronous=OFF' },
      settings: 'file, journal_mode=WAL, synchronous=NORMAL (as SqliteLedger opens it)',
      record_verdict: sequential,
      record_verdict_16_in_flight: concurrent,
      file_mib: Math.round(statSync(path).size / 2 ** 20),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchPostgres(url: string, preload: number, measure: number) {
  const schema = `fp_bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await admin.connect();
  const ledger = new PgLedger(url, { schema, max: 16 });
  try {
    await ledger.open(); // creates the schema
    const settings: Record<string, string> = {};
    for (const name of ['synchronous_commit', 'fsync', 'shared_buffers']) settings[name] = (await admin.query(`SHOW ${name}`)).rows[0][name];
    const start = performance.now();
    const chunk = 250_000;
    for (let from = 0; from < preload; from += chunk) {
      const to = Math.min(preload, from + chunk);
      // Same slots as slot(i): device i % 1000, seq i / 1000 + 1, one reading a minute; a unique hash per row.
      const rows = `SELECT g, encode(sha256(('fp-bench/' || g)::bytea), 'hex') AS hash,
          lpad(to_hex(${0xfe00_0000} + g % ${DEVICES}), 16, '0') AS device, g / ${DEVICES} + 1 AS seq,
          ${T0}::bigint + (g / ${DEVICES}) * 60 AS time FROM generate_series(${from}, ${to - 1}) AS g`;
      await admin.query('BEGIN');
      await admin.query(`INSERT INTO verdicts SELECT hash, device, seq, time, time * 1000 + 300, 'accepted', 'ok', 'accepted', 1.0, time / ${EPOCH_S} FROM (${rows}) r`);
      await admin.query(`INSERT INTO readings (device_id, seq, message_hash, time, received_at, epoch, measurements, backfilled, maintenance, quality, message)
        SELECT device, seq, hash, time, time * 1000 + 300, time / ${EPOCH_S}, $1, false, false, 1.0, $2 FROM (${rows}) r`, [MEASUREMENTS, randomBytes(120)]);
      await admin.query('COMMIT');
    }
    await admin.query('VACUUM ANALYZE verdicts');
    await admin.query('VACUUM ANALYZE readings');
    const preloadSeconds = (performance.now() - start) / 1000;
    const sequential = await measureInserts(ledger, preload, measure, 1);
    const concurrent = await measureInserts(ledger, preload + measure, measure, 16);
    return {
      preload: { readings: preload, seconds: +preloadSeconds.toFixed(1), method: 'server-side INSERT ... SELECT FROM generate_series, 250,000 rows per transaction' },
      settings,
      record_verdict: sequential,
      record_verdict_16_in_flight: concurrent,
    };
  } finally {
    await ledger.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

export async function benchLedgerInserts(options: { preload?: number; measure?: number; postgresPreload?: number; postgresUrl?: string } = {}) {
  const preload = options.preload ?? 2_000_000;
  const measure = options.measure ?? 20_000;
  const url = options.postgresUrl ?? POSTGRES.url;
  const sqlite = await benchSqlite(preload, measure);
  const postgres = (await reachable(POSTGRES.host, POSTGRES.port))
    ? await benchPostgres(url, options.postgresPreload ?? preload, measure)
    : { skipped: `PostgreSQL is not reachable on ${POSTGRES.host}:${POSTGRES.port}` };
  return { messageBytes: 120, devices: DEVICES, sqlite, postgres };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [preload, measure] = process.argv.slice(2).map(Number);
  const result = await benchLedgerInserts({ ...(preload ? { preload } : {}), ...(measure ? { measure } : {}) });
  console.log(JSON.stringify(result, null, 2));
}
